"""The brief as DOCX (python-docx), for staff who edit it further in Word or WPS."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import RGBColor

from core.docxfont import cjk_run as _run  # Chinese text takes the CJK font (w:eastAsia)
from meeting.briefs.exports.brief_pdf import PENDING
from meeting.briefs.exports.by_article import article_paragraphs
from meeting.briefs.exports.common import mmss, moment_url


def render_brief_docx(content: dict, states: dict) -> bytes:
    doc = Document()
    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(head, "简　报", size=36, bold=True, color=RGBColor(0xCC, 0, 0))
    for line in (
        f"第{content['number']}期",
        f"{content['committee']}办公厅编　　{content['date']}",
    ):
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(p, line)
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(p, content["title"], size=18, bold=True)
    for sec in content["sections"]:
        _run(doc.add_paragraph(), sec["heading"], size=15, bold=True)
        if sec.get("article"):  # a brief by article: its opinions and tied speeches
            article_paragraphs(doc, sec, states)
            continue
        for sp in sec["speeches"]:
            state = states.get(sp["clip"] or "") or {}
            p = doc.add_paragraph()
            _run(p, f"{sp['member']}{sp['title']}说：", bold=True)
            _run(p, sp["text"] or PENDING)
            for q in sp["quotes"]:
                qp = doc.add_paragraph()
                _run(qp, f"「{q['text']}」（{mmss(q['at'])}）", size=10.5)
                if sp["clip"] and not state.get("deleted"):
                    _run(qp, " " + moment_url(sp["clip"], q["at"]), size=8)
            if state.get("deleted"):
                _run(
                    doc.add_paragraph(),
                    f"（该发言录像已于{state['deleted_at']}删除，原因：{state['reason']}）",
                    size=10,
                )
    sign = f"编辑：{content['compiled_by']}"
    if content.get("checked_by"):
        sign += f"　　核稿：{content['checked_by']}"
    _run(doc.add_paragraph(), sign, size=9)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
