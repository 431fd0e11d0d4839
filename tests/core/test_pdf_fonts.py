"""Every PDF the product makes draws its text in fonts it carries.

A font a PDF only names (reportlab's CID ``STSong-Light``, the standard ``Helvetica``) is
the reader's to supply: on a tablet without an Asian font pack a member's name comes
out as boxes, and glyphs outside the CID map ("·") print as "�". Each PDF is made here
the way the product makes it (services, views, management commands, jobs), opened with
pypdf, and every font that shows text on a page, in a form it draws or in an
annotation's appearance must hold its program (``FontFile``/``FontFile2``/``FontFile3``,
for a Type0 font in its descendant). A font that is declared but draws nothing (the
``Helvetica`` of reportlab's page preamble) is not the reader's problem and is not counted.
"""

from __future__ import annotations

import io
import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from pypdf import PdfReader
from pypdf.generic import ContentStream, DictionaryObject

from harness.pdf import chinese_pdf
from jobs.runner import run_until_idle
from tests.docs_store.conftest import rendered, upload  # noqa: F401  (fixtures)
from tests.docs_store.test_ink import stroke
from tests.meeting.briefs.conftest import archive  # noqa: F401  (fixture)
from tests.meeting.briefs.test_exports import (  # noqa: F401  (summarised: fixture)
    _named_vote,
    _read,
    _with_attendance,
    summarised,
)

pytestmark = pytest.mark.django_db

SHOW_TEXT = {b"Tj", b"TJ", b"'", b'"'}
FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")


def _embedded(font: DictionaryObject) -> bool:
    if font.get("/Subtype") == "/Type3":  # its glyphs are content streams inside the file
        return True
    chain = [font, *(d.get_object() for d in font.get("/DescendantFonts") or [])]
    for f in chain:
        desc = f.get("/FontDescriptor")
        if desc is not None and any(k in desc.get_object() for k in FONT_FILES):
            return True
    return False


def _walk(stream, resources, reader, fonts_seen: dict[str, bool], depth: int = 0) -> None:
    """Record every font that shows text in ``stream`` (and the forms it draws)."""
    resources = resources.get_object() if resources is not None else DictionaryObject()
    fonts = (resources.get("/Font") or DictionaryObject()).get_object()
    xobjects = (resources.get("/XObject") or DictionaryObject()).get_object()
    current = None
    for operands, op in ContentStream(stream, reader).operations:
        if op == b"Tf":
            current = fonts[operands[0]].get_object()
            current_name = f"{operands[0]}={current.get('/BaseFont')}"
        elif op in SHOW_TEXT and current is not None:
            fonts_seen[current_name] = fonts_seen.get(current_name, True) and _embedded(current)
        elif op == b"Do" and depth < 8:
            xo = xobjects[operands[0]].get_object()
            if xo.get("/Subtype") == "/Form":
                _walk(xo, xo.get("/Resources") or resources, reader, fonts_seen, depth + 1)


def text_fonts(data: bytes) -> dict[str, bool]:
    """{"resource=BaseFont": embedded?} of every font that draws text anywhere in the PDF."""
    reader = PdfReader(io.BytesIO(data))
    seen: dict[str, bool] = {}
    for page in reader.pages:
        contents = page.get_contents()
        if contents is not None:
            _walk(contents, page.get("/Resources"), reader, seen)
        for annot in page.get("/Annots") or []:
            normal = (annot.get_object().get("/AP") or {}).get("/N")
            normal = normal.get_object() if normal is not None else None
            forms = [normal] if hasattr(normal, "get_data") else list((normal or {}).values())
            for form in forms:
                form = form.get_object()
                _walk(form, form.get("/Resources"), reader, seen)
    return seen


def test_the_check_sees_a_font_that_is_only_named():
    """The control: reportlab's CID font and a standard font are caught, ours is not."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setFont("STSong-Light", 12)
    c.drawString(50, 700, "委员1·会议")
    c.setFont("Helvetica", 12)
    c.drawString(50, 680, "page 1")
    c.showPage()
    c.save()
    found = text_fonts(buf.getvalue())
    assert len(found) == 2 and not any(found.values()), found
    assert sorted(k.split("=")[1] for k in found) == ["/Helvetica", "/STSong-Light"]
    ours = text_fonts(chinese_pdf([["委员1·会议"]]))
    assert len(ours) == 1 and all(ours.values()), ours


def _client(member) -> Client:
    c = Client()
    c.force_login(member.user)
    return c


def _member_outputs(ns, upload, rendered, tmp_path) -> dict[str, bytes]:  # noqa: F811
    """The PDFs a member takes away: stamped download and the ink/notes export."""
    [doc] = upload(("条例.pdf", chinese_pdf([["数据条例（草案）"], ["第二页"]])), distribute=True)
    rendered()
    doc.refresh_from_db()
    m1 = _client(ns.members[0])
    pdf = m1.get(f"/docs/d/{doc.pk}/v/{doc.current.number}/pdf")
    assert pdf.status_code == 200, pdf.content[:200]
    ink = {"version": 1, "page": 1, "stroke": stroke(1)}
    m1.post(f"/docs/d/{doc.pk}/ink/", json.dumps(ink), content_type="application/json")
    note = {"page": 2, "text": "第二页·需核实"}
    m1.post(f"/docs/d/{doc.pk}/notes/", json.dumps(note), content_type="application/json")
    notes = m1.get(f"/docs/d/{doc.pk}/annotated.pdf")
    assert notes.status_code == 200
    return {"stamped download": pdf.content, "ink and notes export": notes.content}


def _staff_outputs(ns, tmp_path) -> dict[str, bytes]:
    """Vote sheet, brief, member's book and term book, as staff and the commands make them."""
    from meeting.briefs.services.briefs import create_brief
    from meeting.briefs.services.exports import export_brief
    from meeting.voting.models import Vote

    m1 = _with_attendance(ns)
    _named_vote(ns, m1)
    _read(ns, m1)
    vote = Vote.objects.get(sitting=ns.group_a_sitting)
    sheet = _client(ns.staff).get(f"/votes/{vote.pk}/result.pdf")
    assert sheet.status_code == 200
    brief = export_brief(create_brief(ns.staff.user, sitting=ns.group_a_sitting), "pdf")
    call_command("term_book", member="m1", out=str(tmp_path / "m.pdf"), stdout=StringIO())
    call_command(
        "term_book", term=ns.term.pk, out=str(tmp_path / "t.pdf"), stdout=StringIO(),
        stderr=StringIO(),
    )  # fmt: skip
    return {
        "vote sheet": sheet.content,
        "brief": brief,
        "member's book": (tmp_path / "m.pdf").read_bytes(),
        "term book": (tmp_path / "t.pdf").read_bytes(),
    }


def _minutes(ns) -> bytes:
    from meeting.proceedings.closing import close_session

    run = close_session(ns.session, by=ns.clerk.user)
    run_until_idle()
    run.refresh_from_db()
    assert run.pdf_path, run.stage
    return (Path(settings.DATA_DIR) / run.pdf_path).read_bytes()


def test_every_generated_pdf_embeds_every_font_it_draws_with(
    summarised,  # noqa: F811
    upload,  # noqa: F811
    rendered,  # noqa: F811
    tmp_path,
):
    from meeting.demo_pdf import write_bill

    made = _member_outputs(summarised, upload, rendered, tmp_path)
    made |= _staff_outputs(summarised, tmp_path)
    made["demo bill"] = write_bill(
        tmp_path / "bill.pdf", "数据条例（草案）", "说明", 2
    ).read_bytes()
    made["minutes"] = _minutes(summarised)  # last: closing the session recalls documents
    problems = {}
    for what, data in made.items():
        fonts = text_fonts(data)
        assert fonts, f"{what}: no text drawn at all, nothing was checked"
        missing = sorted(name for name, embedded in fonts.items() if not embedded)
        if missing:
            problems[what] = missing
    assert not problems, f"fonts drawn without being embedded: {problems}"


def test_the_download_stamp_itself_is_drawn_in_the_embedded_font(tmp_path):
    """The reader's name on a downloaded PDF (docs_store/watermark.py) is in our font."""
    from docs_store.watermark import stamp_pdf

    source = tmp_path / "src.pdf"
    source.write_bytes(chinese_pdf([["第一页"]]))
    stamped = stamp_pdf(source, "委员1 002 m1 2026-11-24")
    assert "委员1" in PdfReader(io.BytesIO(stamped)).pages[0].extract_text()
    fonts = text_fonts(stamped)
    assert len(fonts) == 2 and all(fonts.values()), fonts  # the page's and the mark's
    assert any(k.startswith("/YitingMark") for k in fonts), fonts
