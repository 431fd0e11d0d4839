"""The demo committee: big enough to be real, harmless to load twice."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from core.models import AgendaItem, DeliberationGroup, Member, Session, Sitting
from core.roster import component_members


def test_demo_loads_a_committee_and_is_idempotent(db):
    out = StringIO()
    call_command("demo", stdout=out)
    counts = (Member.objects.count(), Sitting.objects.count(), AgendaItem.objects.count())
    call_command("demo", stdout=StringIO())
    assert (Member.objects.count(), Sitting.objects.count(), AgendaItem.objects.count()) == counts
    term = Session.objects.get(number=20).term
    assert component_members(term).count() >= 60
    assert DeliberationGroup.objects.count() == 4
    for g in DeliberationGroup.objects.all():
        assert g.members.count() >= 15
    assert Sitting.objects.filter(session__number=20, kind="plenary").count() == 1
    assert Sitting.objects.filter(session__number=20, kind="group").count() == 4
    text = out.getvalue()
    for needle in ("clerk", "chair", "staff", "yiting-demo", "/login/", "/console/", "/tablet/"):
        assert needle in text


def test_demo_generates_multi_page_pdfs(db, settings):
    from pypdf import PdfReader

    from meeting.demo import demo_pdfs

    paths = demo_pdfs()
    assert len(paths) == 3
    for p in paths:
        assert len(PdfReader(p).pages) >= 8


def test_demo_pdfs_embed_their_cjk_font(tmp_path):
    from harness.pdf import embedded_fonts
    from meeting.demo_pdf import write_bill

    pdf = write_bill(tmp_path / "bill.pdf", "数据条例（草案）", "说明 · 第一稿", 1)
    assert embedded_fonts(pdf.read_bytes())
