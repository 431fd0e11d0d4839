"""The minutes as a PDF (reportlab), in Chinese, rendered from the collected record.

The words come from ``minutes_text`` (the DOCX says the same); this module lays them out.
Chinese text uses the embedded TrueType font of ``core/pdffont.py``: reportlab's
non-embedded STSong-Light left every reader to substitute a font and printed "·" as
"�"; an embedded font prints the same everywhere and the text stays extractable.
"""

from __future__ import annotations

import io

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from core.pdffont import cjk_font
from meeting.proceedings import minutes_text as words
from meeting.proceedings.pdfwrap import CJKParagraph

FONT = cjk_font()

STYLES = {
    "title": ParagraphStyle("title", fontName=FONT, fontSize=18, leading=26, alignment=1),
    "h1": ParagraphStyle("h1", fontName=FONT, fontSize=14, leading=20, spaceBefore=10),
    "h2": ParagraphStyle("h2", fontName=FONT, fontSize=12, leading=17, spaceBefore=6),
    "p": ParagraphStyle("p", fontName=FONT, fontSize=10, leading=15),
    "small": ParagraphStyle("small", fontName=FONT, fontSize=8, leading=11),
}


def _p(text: object, style: str = "p") -> CJKParagraph:
    """Plain text (escaped by the wrapper), wrapped so that no number breaks."""
    return CJKParagraph(str(text), STYLES[style])


SHORT = 14  # characters that always fit a cell on one line; longer text is wrapped


def _cell(c: object) -> object:
    """Short text is drawn as is (fast); longer text becomes a wrapping paragraph."""
    if isinstance(c, Flowable):
        return c
    text = str(c)
    return text if len(text) <= SHORT else _p(text, "small")


def _table(rows: list[list], widths: list[float] | None = None) -> Table:
    t = Table([[_cell(c) for c in r] for r in rows], colWidths=widths, repeatRows=1)
    t.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 8),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return t


def _speeches(speeches: list[dict]) -> list:
    if not speeches:
        return [_p(words.NO_SPEECH, "small")]
    widths = [12 * mm, 32 * mm, 22 * mm, 20 * mm, 20 * mm, 18 * mm, 48 * mm]
    return [_table(words.speech_rows(speeches), widths)]


def _vote(vote: dict) -> list:
    out = [_p(words.vote_head(vote), "h2"), *(_p(line) for line in words.vote_lines(vote))]
    named = words.named_rows(vote)
    if named:
        out += [_p(words.NAMED_LIST, "small"), _table(named, [20 * mm, 40 * mm, 110 * mm])]
    return out


def _sitting(s: dict) -> list:
    head, when = words.sitting_head(s)
    out = [_p(head, "h1"), _p(when), _p(words.attendance(s))]
    for item in s["agenda"]:
        out.append(_p(words.item_head(item), "h2"))
        if line := words.presenter(item):
            out.append(_p(line))
        out += _speeches(item["speeches"])
        for v in item["votes"]:
            out += _vote(v)
    if s["other_speeches"]:
        out += [_p(words.OTHER_SPEECHES, "h2"), *_speeches(s["other_speeches"])]
    return out


def _documents(docs: list[dict]) -> list:
    if not docs:
        return [_p(words.NO_DOCUMENTS)]
    widths = [55 * mm, 35 * mm, 12 * mm, 12 * mm, 32 * mm, 18 * mm]
    return [_table(words.document_rows(docs), widths)]


def render(record: dict) -> bytes:
    """The PDF bytes of the minutes."""
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        title=words.document_title(record),
        author=record["committee"],
        leftMargin=18 * mm,
        rightMargin=18 * mm,
    )
    committee, title, subtitle = words.heading(record)
    story: list = [_p(committee, "h2"), _p(title, "title"), _p(subtitle), Spacer(1, 6 * mm)]
    for sitting in record["sittings"]:
        story += _sitting(sitting)
    story += [_p(words.DOCUMENTS, "h1"), *_documents(record["documents"])]
    story += [Spacer(1, 8 * mm), _p(words.generated(record), "small")]
    doc.build(story)
    return buf.getvalue()
