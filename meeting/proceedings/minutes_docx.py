"""The minutes as DOCX (python-docx), for the clerks who edit them further in Word or WPS.

The same words as the PDF (``minutes_text``), laid out with Word's own styles: the
title as Title, sittings as Heading 1, items and votes as Heading 2 (so Word's
navigation pane lists them), tables in the "Table Grid" style. Every style and run
names 宋体 as its East Asian font (``core/docxfont.py``).
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from core.docxfont import cjk_run, use_cjk_styles
from meeting.proceedings import minutes_text as words


def _table(doc, rows: list[list]) -> None:
    table = doc.add_table(rows=0, cols=len(rows[0]))
    table.style = doc.styles["Table Grid"]
    for n, row in enumerate(rows):
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cjk_run(cell.paragraphs[0], str(value), size=9, bold=n == 0)


def _text(doc, text: str, size: float = 10.5) -> None:
    cjk_run(doc.add_paragraph(), text, size=size)


def _speeches(doc, speeches: list[dict]) -> None:
    if speeches:
        _table(doc, words.speech_rows(speeches))
    else:
        _text(doc, words.NO_SPEECH, 9)


def _vote(doc, vote: dict) -> None:
    doc.add_heading(words.vote_head(vote), level=2)
    for line in words.vote_lines(vote):
        _text(doc, line)
    named = words.named_rows(vote)
    if named:
        _text(doc, words.NAMED_LIST, 9)
        _table(doc, named)


def _sitting(doc, s: dict) -> None:
    head, when = words.sitting_head(s)
    doc.add_heading(head, level=1)
    _text(doc, when)
    _text(doc, words.attendance(s))
    for item in s["agenda"]:
        doc.add_heading(words.item_head(item), level=2)
        if line := words.presenter(item):
            _text(doc, line)
        _speeches(doc, item["speeches"])
        for v in item["votes"]:
            _vote(doc, v)
    if s["other_speeches"]:
        doc.add_heading(words.OTHER_SPEECHES, level=2)
        _speeches(doc, s["other_speeches"])


def render(record: dict) -> bytes:
    """The DOCX bytes of the minutes."""
    doc = Document()
    use_cjk_styles(doc)
    doc.styles["Normal"].font.size = Pt(10.5)  # 五号, the size of Chinese official text
    doc.core_properties.title = words.document_title(record)
    doc.core_properties.author = record["committee"]
    committee, title, subtitle = words.heading(record)
    top = doc.add_paragraph()
    top.alignment = WD_ALIGN_PARAGRAPH.CENTER
    cjk_run(top, committee, size=12)
    doc.add_heading(title, level=0).alignment = WD_ALIGN_PARAGRAPH.CENTER
    sub = doc.add_paragraph()
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    cjk_run(sub, subtitle)
    for sitting in record["sittings"]:
        _sitting(doc, sitting)
    doc.add_heading(words.DOCUMENTS, level=1)
    if record["documents"]:
        _table(doc, words.document_rows(record["documents"]))
    else:
        _text(doc, words.NO_DOCUMENTS)
    _text(doc, words.generated(record), 9)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
