"""One East Asian font for every DOCX the server writes (briefs, minutes).

Word and WPS pick the font of Chinese text from ``w:rFonts/@w:eastAsia``, not from the
font name python-docx sets (``w:ascii``/``w:hAnsi``); without it they fall back to the
theme's East Asian font, which differs between Office, WPS and LibreOffice and between
Windows and macOS. Every run and every style used here names 宋体 (SimSun, installed
with every Chinese Windows and WPS) for both, and drops the theme attributes that
would otherwise win over an explicit name.
"""

from __future__ import annotations

from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

FONT = "宋体"
THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def set_cjk_font(rpr_owner, font: str = FONT) -> None:
    """Name ``font`` for Latin and East Asian text on a run or a style's run properties."""
    rpr = rpr_owner.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr in THEME_ATTRS:
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia"):
        fonts.set(qn(attr), font)


def cjk_run(par, text: str, *, size: float = 12, bold: bool = False, color=None):
    """A run of ``text`` in the CJK font (Chinese text takes ``w:eastAsia``)."""
    run = par.add_run(text)
    run.font.size, run.bold = Pt(size), bold
    set_cjk_font(run._element)
    if color:
        run.font.color.rgb = color
    return run


def use_cjk_styles(doc, names=("Normal", "Title", "Heading 1", "Heading 2", "Heading 3")) -> None:
    """Make the document's own styles (text, title, headings, tables) use the CJK font,
    in black: the default template's headings are blue theme fonts."""
    for name in names:
        style = doc.styles[name]
        set_cjk_font(style.element)
        if name != "Normal":
            style.font.color.rgb = RGBColor(0, 0, 0)
