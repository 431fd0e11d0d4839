"""Export a brief as PDF or DOCX (the frozen content once checked, else the live draft)."""

from __future__ import annotations

from core.errors import DomainError
from meeting.briefs.models import Brief
from meeting.briefs.services import content as contents
from meeting.briefs.services.briefs import content_for_display

FORMATS = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def export_brief(brief: Brief, fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise DomainError("invalid", f"Format must be pdf or docx, not {fmt!r}.", field="format")
    data = content_for_display(brief)
    states = contents.clip_states(data)
    if fmt == "pdf":
        from meeting.briefs.exports.brief_pdf import render_brief

        return render_brief(data, states)
    from meeting.briefs.exports.brief_docx import render_brief_docx

    return render_brief_docx(data, states)
