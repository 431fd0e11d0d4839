"""Search in a sitting's documents: what is found, by whom, and the refusals."""

from __future__ import annotations

import pytest

from core.errors import DomainError
from docs_store import storage
from docs_store.models import PageText
from docs_store.search import services
from docs_store.search.extract import extract_all
from docs_store.services.distribution import recall
from harness.actors import CLERK

pytestmark = pytest.mark.django_db

BILL = [
    ["第一条 为了规范数据处理活动，保障数据安全。", "促进数据开发利用。"],
    ["第二条 在中华人民共和国境内开展数据处理活动，", "适用本法。"],
    ["第三条 本法所称数据，是指任何以电子或者其他方式", "对信息的记录。"],
]


def _pages(hits):
    return [(h.document.pk, h.page) for h in hits]


def test_a_chinese_phrase_is_found_on_its_pages_with_a_marked_snippet(committee, indexed):
    doc = indexed(BILL)
    hits = services.search_sitting(committee.members[0].user, committee.plenary, "数据处理活动")
    assert sorted(_pages(hits)) == [(doc.pk, 1), (doc.pk, 2)]
    marked = [text for text, is_hit in hits[0].snippet if is_hit]
    assert marked == ["数据处理活动"]
    assert "".join(text for text, _ in hits[0].snippet).count("数据处理活动") == 1


def test_every_term_must_occur_on_the_page(committee, indexed):
    doc = indexed(BILL)
    user = committee.members[0].user
    found = services.search_sitting(user, committee.plenary, "数据 本法")
    assert sorted(_pages(found)) == [(doc.pk, 2), (doc.pk, 3)]
    assert services.search_sitting(user, committee.plenary, "数据 条例") == []


def test_one_character_and_a_phrase_across_a_line_wrap(committee, indexed):
    doc = indexed(BILL)
    user = committee.members[0].user
    assert (doc.pk, 2) in _pages(services.search_sitting(user, committee.plenary, "境"))
    # punctuation in a query separates terms, as a space does
    assert _pages(services.search_sitting(user, committee.plenary, "安全。促进")) == [(doc.pk, 1)]
    # "…其他方式" + next line "对信息…": a PDF line break is not a word break
    assert _pages(services.search_sitting(user, committee.plenary, "方式对信息")) == [(doc.pk, 3)]


def test_a_phrase_that_is_not_on_any_page_is_not_found(committee, indexed):
    indexed(BILL)
    user = committee.members[0].user
    assert services.search_sitting(user, committee.plenary, "数据开发活动") == []


def test_confidential_group_paper_only_for_those_who_may_read_it(committee, indexed):
    item = committee.group_a_sitting.agenda_items.get(order=1)
    doc = indexed([["机密 草案 修改意见"]], item=item, access="confidential")
    group_a_member = committee.members[0]  # m1 sits in group A
    assert _pages(
        services.search_sitting(group_a_member.user, committee.group_a_sitting, "修改意见")
    ) == [(doc.pk, 1)]
    # staff may not read confidential papers; the clerk may read everything
    assert (
        services.search_sitting(committee.staff.user, committee.group_a_sitting, "修改意见") == []
    )
    assert _pages(
        services.search_sitting(committee.clerk.user, committee.group_a_sitting, "修改意见")
    ) == [(doc.pk, 1)]


def test_drafts_and_recalled_papers_are_not_found_by_members(committee, upload, rendered):
    from harness.pdf import chinese_pdf

    [draft] = upload(("d.pdf", chinese_pdf([["草稿 审议稿"]])))
    [gone] = upload(("r.pdf", chinese_pdf([["收回 审议稿"]])), distribute=True)
    recall(committee.session, actor=CLERK, by=committee.clerk.user, ids=[gone.pk])
    rendered()
    member = committee.members[0].user
    assert services.search_sitting(member, committee.plenary, "审议稿") == []
    clerk_pages = _pages(services.search_sitting(committee.clerk.user, committee.plenary, "审议稿"))
    assert sorted(clerk_pages) == sorted([(draft.pk, 1), (gone.pk, 1)])


@pytest.mark.parametrize(
    ("query", "code"),
    [("数" * 10_000, "query_too_long"), ("，。！？……——", "query_empty"), ("", "query_empty")],
)
def test_refused_queries_say_why(committee, indexed, query, code):
    indexed(BILL)
    with pytest.raises(DomainError) as exc:
        services.search_sitting(committee.members[0].user, committee.plenary, query)
    assert exc.value.code == code


def test_hit_boxes_lie_over_the_drawn_text(committee, indexed):
    doc = indexed(BILL)
    boxes = services.hit_boxes(committee.members[0].user, doc.pk, 1, 3, "本法所称")
    assert len(boxes) == 1
    x, y, w, h = boxes[0]
    # line 0 of page 3 starts at x = 72 pt, baseline 750 pt on an 842 pt page; "本法"
    # follows "第三条 " (three 14 pt characters and a space)
    assert (72 + 3 * 14) / 595.28 < x < (72 + 5 * 14) / 595.28
    assert 0 < y < (842 - 750) / 842 < y + h + 0.01
    assert 0 < w < 0.5 and 0 < h < 0.05


def test_hit_boxes_for_a_page_that_does_not_exist(committee, indexed):
    doc = indexed(BILL)
    with pytest.raises(DomainError) as exc:
        services.hit_boxes(committee.members[0].user, doc.pk, 1, 99, "数据")
    assert exc.value.code == "not_found"


def test_extraction_resumes_without_duplicating_pages(committee, indexed):
    doc = indexed(BILL)
    sha = doc.current.sha256
    PageText.objects.filter(sha256=sha, page=3).delete()
    assert extract_all(storage.original_path(sha), sha) == 3
    assert sorted(PageText.objects.filter(sha256=sha).values_list("page", flat=True)) == [1, 2, 3]
    hits = services.search_sitting(committee.members[0].user, committee.plenary, "本法所称")
    assert _pages(hits) == [(doc.pk, 3)]


def _rotated(pdf: bytes, degrees: int) -> bytes:
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        writer.add_page(page.rotate(degrees))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("degrees", [0, 90, 180, 270])
def test_hit_boxes_of_a_rotated_page_lie_over_its_rendered_text(
    committee, upload, rendered, degrees
):
    """pdfium's text boxes are in the unrotated page's space; the page image is drawn
    rotated: the boxes must be turned the same way to cover the words on the image."""
    from PIL import Image

    from harness.pdf import chinese_pdf

    pdf = _rotated(chinese_pdf([["第一章 总则", "第一条 本法所称个人信息处理者。"]]), degrees)
    [doc] = upload(("旋转.pdf", pdf), distribute=True)
    rendered()
    doc.refresh_from_db()
    [box] = services.hit_boxes(committee.members[0].user, doc.pk, 1, 1, "个人信息")
    image = Image.open(storage.page_path(doc.current.sha256, 1, 800)).convert("L")
    w, h = image.size
    assert (w > h) == (degrees in (90, 270))  # the image is drawn rotated
    x, y, bw, bh = box
    assert min(x, y) >= 0 and x + bw <= 1 and y + bh <= 1
    inside = image.crop((int(x * w), int(y * h), int((x + bw) * w) + 1, int((y + bh) * h) + 1))
    dark = sum(inside.histogram()[:128])
    assert dark > 0.05 * inside.width * inside.height, (degrees, box)  # the words are there
