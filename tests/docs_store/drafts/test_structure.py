"""Reading a draft's structure from its PDF: articles, headings, items, what to drop."""

from __future__ import annotations

import pytest

from docs_store.drafts.extract import pdf_pages
from docs_store.drafts.sample import articles, draft_pdf, numeral
from docs_store.drafts.structure import NO_ARTICLES, NO_TEXT, cn_number, read_draft
from tests.docs_store.drafts import samples


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("一", 1),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("一百零五", 105),
        ("一百一十", 110),
        ("三百九十九", 399),
        ("一千二百零一", 1201),
        ("１２", 12),
        ("37", 37),
    ],
)
def test_numerals(text, value):
    assert cn_number(text) == value
    if not text.isdigit() and "１" not in text:
        assert numeral(value) == text


def test_new_version_read_whole():
    """Title; 之一; a chapter heading split across a page break; spaced titles closed up;
    items; headers and page numbers gone; wrapped lines joined."""
    draft = read_draft(pdf_pages(samples.new_pdf()))
    assert draft.title == samples.TITLE_NEW
    got = [(a.label, a.number, a.sub, a.chapter) for a in draft.articles]
    assert got == [
        ("第一条", 1, 0, "第一章\u3000总则"),
        ("第二条", 2, 0, "第一章\u3000总则"),
        ("第三条", 3, 0, "第一章\u3000总则"),
        ("第四条", 4, 0, "第一章\u3000总则"),
        ("第五条", 5, 0, "第二章\u3000许可的实施"),
        ("第六条", 6, 0, "第二章\u3000许可的实施"),
        ("第六条之一", 6, 1, "第二章\u3000许可的实施"),
        ("第七条", 7, 0, "第二章\u3000许可的实施"),
        ("第八条", 8, 0, "第三章\u3000法律责任"),
        ("第九条", 9, 0, "第三章\u3000法律责任"),
        ("第十条", 10, 0, "第三章\u3000法律责任"),
        ("第十一条", 11, 0, "第四章\u3000附则"),
    ]
    texts = [a.text for a in draft.articles]
    assert texts == [
        samples.A,
        samples.N1,
        samples.B2,
        samples.C,
        samples.E2,
        samples.F,
        samples.G,
        samples.I_,
        samples.J,
        samples.H2,
        samples.K,
        samples.L,
    ]
    f = draft.articles[5]
    assert f.paragraphs == [
        {
            "text": "有下列情形之一的，行政机关不予受理：",
            "items": [
                "（一）申请事项依法不需要取得行政许可的；",
                "（二）申请事项依法不属于本行政机关职权范围的；",
                "（三）申请人隐瞒有关情况或者提供虚假材料的。",
            ],
        }
    ]
    assert [p["text"] for p in draft.articles[3].paragraphs] == samples.C.split("\n")
    assert max(a.page for a in draft.articles) >= 3  # it did run over several pages
    assert all(samples.TITLE_NEW not in a.text and "—" not in a.text for a in draft.articles)


@pytest.mark.parametrize("footer", ["dash", "page", "hyphen"])
def test_page_numbers_of_every_form_are_dropped(footer):
    blocks = [("chapter", "第一章　总则"), *articles([samples.A, samples.B, samples.C] * 4)]
    draft = read_draft(
        pdf_pages(draft_pdf("某某条例（草案）", blocks, footer=footer, lines_per_page=8))
    )
    assert len(draft.articles) == 12
    assert [a.text for a in draft.articles] == [samples.A, samples.B, samples.C] * 4


def test_text_without_indents_and_with_full_width_spaces():
    """Text as another extractor gives it: no indents, labels spaced with U+3000, a
    wrapped line that starts with "第十二条" (a reference, not an article), a table of
    contents before the articles, full-width digits."""
    pages = [
        "某某条例（草案）\n目　　录\n第一章　总　　则\n第二章　附　　则\n第一章　总　　则\n"
        "第１条　为了规范管理，根据有关法律，制定本条例。本条例所称的事项，依照本条例\n"
        "第十二条规定的程序办理。\n"
        "第二条　本条例适用于本省行政区域。\n",
        "— 2 —\n第二章\n附　　则\n第三条\u3000本条例自公布之日起施行。\n-3-\n",
    ]
    draft = read_draft(pages)
    assert [(a.label, a.chapter) for a in draft.articles] == [
        ("第1条", "第一章\u3000总则"),
        ("第二条", "第一章\u3000总则"),
        ("第三条", "第二章\u3000附则"),
    ]
    assert draft.articles[0].text == (
        "为了规范管理，根据有关法律，制定本条例。本条例所称的事项，依照本条例第十二条规定的程序办理。"
    )


def test_three_hundred_and_ninety_nine_articles():
    pages = ["\n".join(f"第{numeral(n)}条　第{n}条的内容。" for n in range(1, 400))]
    draft = read_draft(pages)
    assert [a.number for a in draft.articles] == list(range(1, 400))
    assert draft.articles[-1].label == "第三百九十九条"


def test_a_report_is_not_a_draft():
    draft = read_draft(pdf_pages(samples.report_pdf()))
    assert draft.articles == [] and not draft.is_draft
    assert draft.reason == NO_ARTICLES
    assert draft.title == "关于2026年度行政许可工作情况的报告"


def test_a_scan_has_no_text():
    from tests.docs_store.conftest import make_pdf  # text drawn in Helvetica: letters only

    assert read_draft(["", "  "]).reason == NO_TEXT
    assert read_draft(pdf_pages(make_pdf(2))).reason == NO_ARTICLES


def test_a_two_page_draft_drops_its_title_as_header():
    """One page after the first: the title at its top is the running header, not text."""
    pages = [
        "某某条例（草案）\n第一条　为了规范管理，制定本条例。\n第二条　本条例适用于本省行政区",
        "某某条例（草案）\n域。\n第三条　本条例自公布之日起施行。\n第 2 页",
    ]
    draft = read_draft(pages)
    assert [a.text for a in draft.articles] == [
        "为了规范管理，制定本条例。",
        "本条例适用于本省行政区域。",
        "本条例自公布之日起施行。",
    ]
