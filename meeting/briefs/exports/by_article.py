"""One article's section of a brief compiled by article (按条文编排), in PDF and in DOCX.

The brief's renderers (``brief_pdf``, ``brief_docx``) print the heading ("关于第十二条")
and hand a section that carries ``article`` here: the opinions submitted on it ("张三委员
认为：……", the name linked to the member's deputy record) and the speeches tied to it
("李四委员说：……", or a stretch "李四委员在发言中（00:31–01:05）说：") with each quote
linked, and QR-coded in the PDF, to the clip at its second, through the same functions
the rest of the brief uses (``common.qr``, ``common.moment_url``).
"""

from __future__ import annotations

from docx.enum.text import WD_UNDERLINE
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from reportlab.lib.units import mm
from reportlab.platypus import Table, TableStyle

from core.docxfont import cjk_run, set_cjk_font
from meeting.briefs.exports.common import (
    QR_SIZE,
    esc,
    mmss,
    moment_url,
    para,
    public_url,
    qr,
    quote_markup,
    removed_note,
)

PENDING = "（发言要点待整理）"
RECALLED = "（该文件已撤回，意见仍保留。）"
LINK_BLUE = RGBColor(0x1A, 0x4F, 0xA0)


def record_url(entry: dict) -> str:
    return public_url() + entry["record"]


def opinion_suffix(o: dict) -> str:
    """The earlier version's article and the day, e.g. （就原第十条，2026年12月6日提交）."""
    parts = []
    if o.get("on_old"):
        parts.append(f"就原{o['on_old']}")
    if o.get("date"):
        parts.append(f"{o['date']}提交")
    return f"（{'，'.join(parts)}）" if parts else ""


def speech_lead(sp: dict) -> str:
    if sp.get("stretch"):
        return f"{sp['title']}在发言中（{sp['stretch_label']}）说："
    return f"{sp['title']}说："


# -- PDF ----------------------------------------------------------------------------------------
def _name_link(entry: dict) -> str:
    return f'<link href="{esc(record_url(entry))}" color="blue">{esc(entry["member"])}</link>'


def article_flowables(sec: dict, states: dict) -> list:
    """The section's opinions, then its tied speeches, for the PDF's story."""
    out: list = []
    chapter = sec["article"].get("chapter")
    if chapter:
        out.append(para(esc(chapter), "small"))
    for o in sec.get("opinions", []):
        lead = f"<b>{_name_link(o)}{esc(o['title'])}认为：</b>"
        out.append(para(lead + esc(o["text"]) + esc(opinion_suffix(o)), "p"))
        if o.get("recalled"):
            out.append(para(RECALLED, "note"))
    for sp in sec.get("speeches", []):
        state = states.get(sp["clip"] or "")
        removed = bool(state and state["deleted"])
        text = esc(sp["text"]) if sp["text"] else ("" if sp.get("stretch") else PENDING)
        out.append(para(f"<b>{_name_link(sp)}{esc(speech_lead(sp))}</b>{text}", "p"))
        rows = []
        for q in sp["quotes"]:
            code = qr(moment_url(sp["clip"], q["at"])) if sp["clip"] and not removed else ""
            rows.append([para(quote_markup(sp["clip"], q, removed), "quote"), code])
        if not rows and sp["clip"] and not removed:
            at = sp["stretch"][0] if sp.get("stretch") else 0
            label = (
                f"观看该段发言录像（{sp['stretch_label']}）"
                if sp.get("stretch")
                else "观看发言录像"
            )
            rows.append([para(esc(label), "quote"), qr(moment_url(sp["clip"], at))])
        if rows:
            t = Table(rows, colWidths=[None, QR_SIZE + 4 * mm])
            t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
            out.append(t)
        if removed:
            out.append(para(removed_note(state), "note"))
    return out


# -- DOCX ---------------------------------------------------------------------------------------
def hyperlink(par, url: str, text: str, *, size: float = 12, bold: bool = False):
    """A clickable link run in ``par`` (python-docx has no API for one), in the CJK font."""
    rel = par.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel)
    run = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    run.append(rpr)
    text_el = OxmlElement("w:t")
    text_el.text = text
    text_el.set(qn("xml:space"), "preserve")
    run.append(text_el)
    link.append(run)
    par._p.append(link)
    from docx.text.run import Run

    wrapped = Run(run, par)
    wrapped.font.size = Pt(size)
    wrapped.bold = bold
    wrapped.font.color.rgb = LINK_BLUE
    wrapped.font.underline = WD_UNDERLINE.SINGLE
    set_cjk_font(run)
    return wrapped


def article_paragraphs(doc, sec: dict, states: dict) -> None:
    """The section's opinions and tied speeches as DOCX paragraphs."""
    chapter = sec["article"].get("chapter")
    if chapter:
        cjk_run(doc.add_paragraph(), chapter, size=9)
    for o in sec.get("opinions", []):
        p = doc.add_paragraph()
        hyperlink(p, record_url(o), o["member"], bold=True)
        cjk_run(p, f"{o['title']}认为：", bold=True)
        cjk_run(p, o["text"])
        cjk_run(p, opinion_suffix(o), size=9)
        if o.get("recalled"):
            cjk_run(doc.add_paragraph(), RECALLED, size=10)
    for sp in sec.get("speeches", []):
        state = states.get(sp["clip"] or "") or {}
        removed = bool(state.get("deleted"))
        p = doc.add_paragraph()
        hyperlink(p, record_url(sp), sp["member"], bold=True)
        cjk_run(p, speech_lead(sp), bold=True)
        if sp["text"] or not sp.get("stretch"):
            cjk_run(p, sp["text"] or PENDING)
        for q in sp["quotes"]:
            qp = doc.add_paragraph()
            cjk_run(qp, f"「{q['text']}」", size=10.5)
            stamp = f"（{mmss(q['at'])}）"
            if sp["clip"] and not removed:
                hyperlink(qp, moment_url(sp["clip"], q["at"]), stamp, size=10.5)
            else:
                cjk_run(qp, stamp, size=10.5)
        if not sp["quotes"] and sp.get("stretch") and sp["clip"] and not removed:
            qp = doc.add_paragraph()
            hyperlink(
                qp,
                moment_url(sp["clip"], sp["stretch"][0]),
                f"观看该段发言录像（{sp['stretch_label']}）",
                size=10.5,
            )
        if removed:
            cjk_run(
                doc.add_paragraph(),
                f"（该发言录像已于{state['deleted_at']}删除，原因：{state['reason']}）",
                size=10,
            )
