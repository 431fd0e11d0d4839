"""Two versions compared article by article: the JSON exactly, its invariants, bad input."""

from __future__ import annotations

import pytest

from docs_store.drafts.compare import NotComparable, compare, diff_ops
from docs_store.drafts.extract import pdf_pages
from docs_store.drafts.sample import articles, draft_pdf, revision_pair
from docs_store.drafts.structure import read_draft
from tests.docs_store.drafts import samples as s

CH1, CH2, CH3, CH4 = (
    "第一章\u3000总则",
    "第二章\u3000许可的实施",
    "第三章\u3000法律责任",
    "第四章\u3000附则",
)


def same(old, new, o, n, ch, text):
    return {
        "old": old,
        "new": new,
        "status": "unchanged",
        "ops": [["=", text]],
        "edited": False,
        "old_ordinal": o,
        "new_ordinal": n,
        "old_chapter": ch,
        "new_chapter": ch,
    }


def read(data: bytes):
    return read_draft(pdf_pages(data)).articles


def test_the_json_exactly():
    """Renumbering (an article added after 第一条), a deletion, rewording cleaned up to
    phrases, 之一, an article moved to another chapter (and reworded), a chapter heading
    split across pages, page headers and numbers: all from PDFs made now."""
    result = compare(read(s.old_pdf()), read(s.new_pdf()))
    assert result == {
        "old_articles": 12,
        "new_articles": 12,
        "aligned_share": 0.917,
        "low_alignment": False,
        "counts": {"unchanged": 8, "modified": 2, "added": 1, "deleted": 1, "moved": 1},
        "pairs": [
            same("第一条", "第一条", 1, 1, CH1, s.A),
            {
                "old": None,
                "new": "第二条",
                "status": "added",
                "ops": [["+", s.N1]],
                "edited": True,
                "old_ordinal": None,
                "new_ordinal": 2,
                "old_chapter": None,
                "new_chapter": CH1,
            },
            {
                "old": "第二条",
                "new": "第三条",
                "status": "modified",
                "ops": [
                    ["=", "本法所称行政许可，是指行政机关根据"],
                    ["-", "公民"],
                    ["+", "自然人"],
                    ["=", "、法人或者"],
                    ["-", "其他"],
                    ["+", "非法人"],
                    ["=", "组织的申请，经依法审查，准予其从事特定活动的行为。"],
                ],
                "edited": True,
                "old_ordinal": 2,
                "new_ordinal": 3,
                "old_chapter": CH1,
                "new_chapter": CH1,
            },
            same("第三条", "第四条", 3, 4, CH1, s.C),
            {
                "old": "第四条",
                "new": None,
                "status": "deleted",
                "ops": [["-", s.D]],
                "edited": True,
                "old_ordinal": 4,
                "new_ordinal": None,
                "old_chapter": CH1,
                "new_chapter": None,
            },
            {
                "old": "第五条",
                "new": "第五条",
                "status": "modified",
                "ops": [
                    ["=", "行政机关"],
                    ["-", "应当"],
                    ["+", "可以"],
                    ["=", "对申请人提交的申请材料进行审查，并在"],
                    ["-", "二十"],
                    ["+", "十五个工作"],
                    ["=", "日内作出"],
                    ["+", "书面"],
                    ["=", "决定。"],
                ],
                "edited": True,
                "old_ordinal": 5,
                "new_ordinal": 5,
                "old_chapter": CH2,
                "new_chapter": CH2,
            },
            same("第六条", "第六条", 6, 6, CH2, s.F),
            same("第六条之一", "第六条之一", 7, 7, CH2, s.G),
            same("第八条", "第七条", 9, 8, CH2, s.I_),
            same("第九条", "第八条", 10, 9, CH3, s.J),
            {
                "old": "第七条",
                "new": "第九条",
                "status": "moved",
                "ops": [
                    ["=", "违反本法规定，擅自设定行政许可的，由有权机关责令"],
                    ["+", "限期"],
                    ["=", "改正。"],
                ],
                "edited": True,
                "old_ordinal": 8,
                "new_ordinal": 10,
                "old_chapter": CH2,
                "new_chapter": CH3,
            },
            same("第十条", "第十条", 11, 11, CH3, s.K),
            same("第十一条", "第十一条", 12, 12, CH4, s.L),
        ],
    }


def _joined(ops, keep):
    return "".join(t for op, t in ops if op in keep)


def test_ops_rebuild_both_texts_on_a_long_revision():
    """150 articles: inserted, deleted, reworded, renumbered, moved; every pair as made."""
    old_blocks, new_blocks, expected = revision_pair()
    old = read(draft_pdf("某某条例（草案）", old_blocks))
    new = read(draft_pdf("某某条例（草案修改稿）", new_blocks))
    result = compare(old, new)
    got = [(p["old_ordinal"], p["new_ordinal"], p["status"]) for p in result["pairs"]]
    assert got == expected
    for p in result["pairs"]:
        if p["old"]:
            assert _joined(p["ops"], "=-") == old[p["old_ordinal"] - 1].text
        if p["new"]:
            assert _joined(p["ops"], "=+") == new[p["new_ordinal"] - 1].text
    assert result["counts"] == {
        "unchanged": 132,
        "modified": 15,
        "added": 3,
        "deleted": 2,
        "moved": 1,
    }


def test_phrases_not_scattered_characters():
    ops = diff_ops("有关部门应当在二十日内答复。", "有关部门可以在十五日内答复。")
    assert ops == [
        ["=", "有关部门"],
        ["-", "应当"],
        ["+", "可以"],
        ["=", "在"],
        ["-", "二十"],
        ["+", "十五"],
        ["=", "日内答复。"],
    ]
    # a paragraph broken differently is no change
    assert diff_ops("甲乙丙。\n丁戊己。", "甲乙丙。丁戊己。") == [["=", "甲乙丙。丁戊己。"]]


def test_two_different_drafts_are_compared_with_a_warning():
    other = [
        "为了加强城市绿化管理，改善生态环境，制定本条例。",
        "城市绿化规划纳入城市总体规划，由园林部门组织编制。",
        "任何单位和个人不得擅自砍伐城市树木。",
        "公园绿地的开放时间由管理单位向社会公布。",
    ]
    new = read(draft_pdf("城市绿化条例（草案）", articles(other)))
    result = compare(read(s.old_pdf()), new)
    assert result["low_alignment"] is True
    assert result["aligned_share"] < 0.3
    assert result["pairs"]  # compared anyway: every article shown as added or deleted


def test_no_articles_is_not_comparable():
    with pytest.raises(NotComparable):
        compare(read(s.old_pdf()), read(s.report_pdf()))
