"""Chinese lines in the minutes never break inside a number ("实到1234|5678人")."""

from __future__ import annotations

import re

from reportlab.pdfbase.pdfmetrics import stringWidth

from core.pdffont import cjk_font
from meeting.proceedings.pdfwrap import wrap_lines

TEXT = "应出席65人，实到12345678人，缺席2/5人（张三、李四、王五、赵六、钱七）。法定人数需33人。"


def test_numbers_stay_whole_and_lines_fit():
    font = cjk_font()
    for width in range(60, 260, 7):  # every width puts the breaks somewhere else
        lines = wrap_lines(TEXT, font, 10, width)
        assert "".join(lines) == TEXT
        for a, b in zip(lines, lines[1:], strict=False):
            assert not (re.search(r"[0-9/]$", a) and re.match(r"[0-9/]", b)), (width, a, b)
            assert not re.match(r"[，。、）]", b), (width, b)
        # closing marks may hang past the edge (they never start a line): two glyphs at most
        assert all(stringWidth(x, font, 10) <= width + 20 for x in lines), width


def test_reportlab_alone_breaks_the_number():
    """Why the wrapper exists: a plain Paragraph splits 12345678 at some width."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph

    style = ParagraphStyle("x", fontName=cjk_font(), fontSize=10, leading=12)
    p = Paragraph(TEXT, style)
    p.wrap(120, 1000)
    texts = ["".join(line[1]) for line in p.blPara.lines]  # (extra space, words)
    assert any(t.endswith("1234567") for t in texts)
