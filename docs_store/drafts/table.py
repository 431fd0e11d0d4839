"""The 修改对照表 committees print: the old article beside the new one, changes marked.

Two columns, 原条文 and 修改后条文; in a changed article the deleted words are struck
through on the left and the inserted words underlined on the right; an added article
stands alone on the right, a deleted one on the left; a moved article says from which
chapter. Unchanged articles are folded into one line ("第三条至第九条 未修改") or shown
in full, as the clerk chooses (``unchanged="fold"|"show"``). A chapter heading spans
both columns where the chapter changes. The PDF embeds the CJK font
(``core.pdffont``); the DOCX names an East Asian font on every run (``core.docxfont``).

Both take the comparison's JSON (``services.comparison_json`` or ``compare.compare``
with a ``title``), so the management command prints the same table as the console.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _

UNCHANGED = ("fold", "show")


# -- what the table holds, row by row ---------------------------------------------------------
def _fold_label(first: str, last: str) -> str:
    if first == last:
        return _("%(label)s unchanged") % {"label": first}
    return _("%(first)s to %(last)s unchanged") % {"first": first, "last": last}


def rows(data: dict, unchanged: str = "fold") -> Iterator[tuple[str, object]]:
    """``("chapter", title)``, ``("folded", text)`` or ``("pair", pair)`` in table order."""
    chapter = None
    run: list[dict] = []

    def fold() -> Iterator[tuple[str, object]]:
        if run:
            first = run[0]["new"] or run[0]["old"]
            last = run[-1]["new"] or run[-1]["old"]
            yield "folded", _fold_label(first, last)
            run.clear()

    for pair in data["pairs"]:
        here = pair.get("new_chapter") or pair.get("old_chapter") or ""
        if here and here != chapter:
            yield from fold()
            chapter = here
            yield "chapter", here
        if unchanged == "fold" and pair["status"] == "unchanged":
            run.append(pair)
            continue
        yield from fold()
        yield "pair", pair
    yield from fold()


def sides(pair: dict) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The left (old) and right (new) text of a pair as ``(style, text)`` pieces, style
    ``""``, ``"del"`` (struck) or ``"ins"`` (underlined); labels first."""
    left: list[tuple[str, str]] = []
    right: list[tuple[str, str]] = []
    if pair["old"]:
        left.append(("label", pair["old"] + "\u3000"))
    if pair["new"]:
        right.append(("label", pair["new"] + "\u3000"))
    for op, text in pair["ops"]:
        if op == "=":
            if pair["old"]:
                left.append(("", text))
            if pair["new"]:
                right.append(("", text))
        elif op == "-":
            left.append(("del", text))
        else:
            right.append(("ins", text))
    return left, right


def note(pair: dict) -> str:
    """What a reader should know beyond the marks: moved from another chapter."""
    if pair["status"] != "moved":
        return ""
    old, new = pair.get("old_chapter") or "", pair.get("new_chapter") or ""
    if old and old != new:
        return _("(moved from %(chapter)s)") % {"chapter": old}
    return _("(moved)")


def heading(data: dict) -> tuple[str, str]:
    title = data.get("title") or data.get("new", {}).get("title") or ""
    main = _("%(title)s: comparison table") % {"title": title} if title else _("Comparison table")
    old, new = data.get("old") or {}, data.get("new") or {}
    sub = ""
    if old and new and not (old.get("version") and new.get("version")):
        sub = _("Original: “%(old)s”; revised: “%(new)s”") % {
            "old": old.get("title", ""),
            "new": new.get("title", ""),
        }
    elif old and new:
        sub = _("Original: “%(old)s” version %(m)s; revised: version %(n)s") % {
            "old": old.get("title", ""),
            "m": old.get("version", ""),
            "n": new.get("version", ""),
        }
    return main, sub


def file_name(title: str, ext: str) -> str:
    stem = re.sub(r'[\\/:*?"<>|\x00-\x1f\x7f]+', "_", title).strip(" .")[:60]
    return (_("%(title)s comparison table") % {"title": stem}) + f".{ext}"


# -- PDF ----------------------------------------------------------------------------------------
def _markup(pieces: list[tuple[str, str]]) -> str:
    out = []
    for style, text in pieces:
        t = escape(text).replace("\n", "<br/>")
        if style == "del":
            out.append(f'<strike><font color="#b00020">{t}</font></strike>')
        elif style == "ins":
            out.append(f'<u><font color="#0b5394">{t}</font></u>')
        elif style == "label":
            out.append(f"<b>{t}</b>")
        else:
            out.append(t)
    return "".join(out)


def table_pdf(data: dict, *, unchanged: str = "fold") -> bytes:
    """The table as an A4 PDF with the CJK font embedded."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

    from core.pdffont import cjk_font

    font = cjk_font()
    from reportlab.lib.fonts import addMapping

    addMapping(font, 0, 0, font)
    addMapping(font, 1, 0, font)  # <b> in a CJK font without a bold face: the same face
    addMapping(font, 0, 1, font)
    addMapping(font, 1, 1, font)
    body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK")
    title_style = ParagraphStyle("title", parent=body, fontSize=16, leading=22, alignment=1)
    sub_style = ParagraphStyle("sub", parent=body, fontSize=10, alignment=1, textColor="#555555")
    head_style = ParagraphStyle("head", parent=body, alignment=1)
    span_style = ParagraphStyle("span", parent=body, alignment=1, textColor="#333333")
    warn_style = ParagraphStyle("warn", parent=body, textColor="#b00020")
    buf = io.BytesIO()
    main, sub = heading(data)
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=main,
    )
    story: list = [Paragraph(escape(main), title_style)]
    if sub:
        story.append(Paragraph(escape(sub), sub_style))
    if data.get("message"):
        story += [Spacer(1, 4), Paragraph(escape(data["message"]), warn_style)]
    story.append(Spacer(1, 8))
    cells = [[Paragraph(_("Original text"), head_style), Paragraph(_("Revised text"), head_style)]]
    style = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
    ]
    for kind, value in rows(data, unchanged):
        n = len(cells)
        if kind == "pair":
            left, right = sides(value)  # type: ignore[arg-type]
            extra = note(value)  # type: ignore[arg-type]
            right_text = _markup(right) + (f"<br/><i>{escape(extra)}</i>" if extra else "")
            cells.append([Paragraph(_markup(left), body), Paragraph(right_text, body)])
        else:
            cells.append([Paragraph(escape(str(value)), span_style), ""])
            style.append(("SPAN", (0, n), (1, n)))
            if kind == "chapter":
                style.append(("BACKGROUND", (0, n), (1, n), colors.HexColor("#f6f6f6")))
    width = A4[0] - 36 * mm
    story.append(Table(cells, colWidths=[width / 2, width / 2], repeatRows=1, style=style))
    doc.build(story)
    return buf.getvalue()


# -- DOCX ---------------------------------------------------------------------------------------
def table_docx(data: dict, *, unchanged: str = "fold") -> bytes:
    """The table as a Word document: a two-column table, struck and underlined runs."""
    from docx import Document as Docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    from core.docxfont import cjk_run, use_cjk_styles

    doc = Docx()
    use_cjk_styles(doc, names=("Normal",))
    main, sub = heading(data)
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    cjk_run(p, main, size=16, bold=True)
    if sub:
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        cjk_run(p, sub, size=10)
    if data.get("message"):
        cjk_run(doc.add_paragraph(), data["message"], size=10.5, color=RGBColor(0xB0, 0, 0x20))
    table = doc.add_table(rows=1, cols=2)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells, (_("Original text"), _("Revised text")), strict=True
    ):
        par = cell.paragraphs[0]
        par.alignment = WD_ALIGN_PARAGRAPH.CENTER
        cjk_run(par, text, size=10.5, bold=True)
    for kind, value in rows(data, unchanged):
        row = table.add_row().cells
        if kind != "pair":
            merged = row[0].merge(row[1])
            par = merged.paragraphs[0]
            par.alignment = WD_ALIGN_PARAGRAPH.CENTER
            cjk_run(par, str(value), size=10.5, bold=kind == "chapter")
            continue
        left, right = sides(value)  # type: ignore[arg-type]
        for cell, pieces in ((row[0], left), (row[1], right)):
            par = cell.paragraphs[0]
            for style, text in pieces:
                for n, line in enumerate(text.split("\n")):
                    if n:
                        par = cell.add_paragraph()
                    if not line:
                        continue
                    run = cjk_run(par, line, size=10.5, bold=style == "label")
                    if style == "del":
                        run.font.strike = True
                        run.font.color.rgb = RGBColor(0xB0, 0, 0x20)
                    elif style == "ins":
                        run.font.underline = True
                        run.font.color.rgb = RGBColor(0x0B, 0x53, 0x94)
        extra = note(value)  # type: ignore[arg-type]
        if extra:
            run = cjk_run(row[1].add_paragraph(), extra, size=9)
            run.italic = True
    for par in doc.paragraphs:
        par.paragraph_format.space_after = Pt(4)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
