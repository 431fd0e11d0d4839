"""The brief as a PDF in the committee's format: 简报 masthead, 第N期, then per item
"XX委员说：" with the points, each quote linked (and QR-coded) to the clip at its second.
"""

from __future__ import annotations

import io

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import HRFlowable, SimpleDocTemplate, Spacer, Table, TableStyle

from meeting.briefs.exports.by_article import article_flowables
from meeting.briefs.exports.common import (
    QR_SIZE,
    esc,
    moment_url,
    para,
    qr,
    quote_markup,
    removed_note,
)

PENDING = "（发言要点待整理）"


def speech_flowables(sp: dict, state: dict | None, lead: str) -> list:
    """One speech: the lead-in and points, then one row per quote with its QR code."""
    removed = bool(state and state["deleted"])
    text = esc(sp["text"]) if sp["text"] else PENDING
    out = [para(f"<b>{esc(lead)}</b>{text}", "p")]
    rows = []
    for q in sp["quotes"]:
        cell = para(quote_markup(sp["clip"], q, removed), "quote")
        code = qr(moment_url(sp["clip"], q["at"])) if sp["clip"] and not removed else ""
        rows.append([cell, code])
    if not rows and sp["clip"] and not removed:
        rows.append([para("观看发言录像", "quote"), qr(moment_url(sp["clip"], 0))])
    if rows:
        t = Table(rows, colWidths=[None, QR_SIZE + 4 * mm])
        t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
        out.append(t)
    if removed:
        out.append(para(removed_note(state), "note"))
    elif sp["clip"] is None:
        out.append(para("（本次发言无录像）", "note"))
    return out


def story(content: dict, states: dict) -> list:
    out = [
        para("简　报", "masthead"),
        para(f"第{content['number']}期", "issue"),
        para(esc(f"{content['committee']}办公厅编　　{content['date']}"), "issue"),
        HRFlowable(width="100%", thickness=1.5, color=colors.red, spaceBefore=4, spaceAfter=8),
        para(esc(content["title"]), "title"),
        para(
            esc(
                "　".join(
                    x for x in (content["session"], content["sitting"], content["group"]) if x
                )
            ),
            "issue",
        ),
        Spacer(1, 4 * mm),
    ]
    for sec in content["sections"]:
        out.append(para(esc(sec["heading"]), "h1"))
        if sec.get("article"):  # a brief by article: its opinions and tied speeches
            out += article_flowables(sec, states)
            continue
        for sp in sec["speeches"]:
            lead = f"{sp['member']}{sp['title']}说："
            out += speech_flowables(sp, states.get(sp["clip"] or ""), lead)
            out.append(Spacer(1, 2 * mm))
    out.append(HRFlowable(width="100%", thickness=0.6, color=colors.grey, spaceBefore=8))
    sign = f"编辑：{content['compiled_by']}"
    if content.get("checked_by"):
        sign += f"　　核稿：{content['checked_by']}"
    if content.get("revision", 1) > 1:
        sign += f"　　第{content['revision']}版（替代前版）"
    out.append(para(esc(sign), "small"))
    return out


def render_brief(content: dict, states: dict) -> bytes:
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        title=f"简报 第{content['number']}期",
        author=content["compiled_by"],
        leftMargin=22 * mm,
        rightMargin=22 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    )
    doc.build(story(content, states))
    return buf.getvalue()
