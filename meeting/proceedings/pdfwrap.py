"""Chinese paragraphs that never break inside a number.

reportlab wraps Chinese text between any two characters, digits included: "实到12"
could end one line and "345人" start the next, and "缺席2 / 5人" broke at its spaces.
``CJKParagraph`` wraps the text itself, at the width the layout offers, treating every
run of digits, Latin letters and number punctuation as one unbreakable token, and hands
the lines (joined with ``<br/>``) to an ordinary ``Paragraph``.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph
from reportlab.platypus.flowables import Flowable

# a number with its separators ("2/5", "12.5", "09:30:00", "2026-11-24") or a Latin word
TOKEN = re.compile(r"[0-9A-Za-z]+(?:[./:\-–×%][0-9A-Za-z]+)*%?|\s+|.", re.S)
NO_LINE_START = set("，。、；：？！）》」』”’%")


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text)


def wrap_lines(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy lines no wider than ``width``; numbers and closing punctuation stay attached."""
    lines: list[str] = []
    line, used = "", 0.0
    for tok in tokens(text):
        w = stringWidth(tok, font, size)
        if line and used + w > width and not tok.isspace() and tok not in NO_LINE_START:
            lines.append(line.rstrip())
            line, used = "", 0.0
            if tok.isspace():
                continue
        if not line and tok.isspace():
            continue
        line += tok
        used += w
    if line:
        lines.append(line.rstrip())
    return lines or [""]


class CJKParagraph(Flowable):
    """A Paragraph of plain text whose lines break only between tokens (see module doc)."""

    def __init__(self, text: str, style: ParagraphStyle) -> None:
        super().__init__()
        self.text, self.style = str(text), style
        self._para: Paragraph | None = None

    def wrap(self, avail_width, avail_height):
        slack = 1.0  # reportlab's own measure may round up by a fraction of a point
        lines = wrap_lines(self.text, self.style.fontName, self.style.fontSize, avail_width - slack)
        self._para = Paragraph("<br/>".join(escape(x) for x in lines), self.style)
        self.width, self.height = self._para.wrap(avail_width, avail_height)
        return self.width, self.height

    def split(self, avail_width, avail_height):
        self.wrap(avail_width, avail_height)
        return self._para.split(avail_width, avail_height)

    def draw(self) -> None:
        self._para.drawOn(self.canv, 0, 0)

    def getSpaceBefore(self):
        return self.style.spaceBefore

    def getSpaceAfter(self):
        return self.style.spaceAfter
