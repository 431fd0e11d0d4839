"""Briefs and books download under Chinese names (issue 28): 简报第1期.pdf, 委员1履职档案…"""

from __future__ import annotations

from jobs.runner import run_until_idle
from meeting.briefs.models import Brief
from tests.downloads import download_name
from tests.meeting.briefs.test_views import _post_summary, client_for


def test_a_brief_is_named_by_its_number_in_pdf_and_docx(archive):
    staff = client_for(archive.staff)
    _post_summary(staff, archive.sp1, text="建议明确罚则", quotes=[{"at": 12, "text": "罚则"}])
    assert staff.post("/briefs/new", {"sitting": archive.group_a_sitting.pk}).status_code == 302
    brief = Brief.objects.get()
    for fmt in ("pdf", "docx"):
        r = staff.get(f"/briefs/{brief.pk}.{fmt}")
        assert r.status_code == 200, fmt
        named = download_name(r)
        assert named == (
            "attachment",
            f"brief-{brief.number}.{fmt}",
            f"简报第{brief.number}期.{fmt}",
        )


def test_the_books_are_named_by_the_member_and_the_term(archive):
    m1 = archive.members[0]
    named = download_name(client_for(m1).get(f"/briefs/books/members/{m1.pk}.pdf"))
    assert named == ("inline", f"member-book-{m1.pk}.pdf", "委员1履职档案（一人一册）.pdf")
    staff = client_for(archive.staff)
    status = staff.post(f"/briefs/books/terms/{archive.term.pk}/").json()["status"]
    run_until_idle()
    job = staff.get(status).json()
    named = download_name(staff.get(job["file"]))
    assert named == ("inline", "term-book.pdf", "第一届履职档案（一届一本）.pdf")
