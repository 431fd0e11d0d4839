"""One embedded CJK font for every PDF the server generates (minutes, vote sheets,
briefs, members' books, demo documents).

reportlab's built-in CID fonts (STSong-Light) are not embedded: a reader without an
Asian font pack shows boxes, and glyphs outside the CID map (e.g. "·") print as
U+FFFD. We embed a subset of a real TrueType font instead. ``./yiting`` installs
Debian's ``fonts-wqy-microhei``; ``YITING_PDF_FONT`` may point at another TTF/TTC.
A missing font fails loudly: a PDF with tofu is worse than an error.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_NAME = "YitingCJK"
CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)


class FontMissing(RuntimeError):
    """No CJK TrueType font on this machine (install fonts-wqy-microhei)."""


def font_path() -> Path:
    """The font file to embed: ``settings.PDF_FONT`` or the first installed candidate."""
    from django.conf import settings

    configured = settings.PDF_FONT
    for candidate in ([configured] if configured else []) + list(CANDIDATES):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise FontMissing(
        "no CJK font for PDFs (minutes, vote sheets, briefs, books, watermarks): install "
        "Debian's fonts-wqy-microhei (apt-get install fonts-wqy-microhei) or set "
        "YITING_PDF_FONT to a TrueType font file"
    )


@cache
def cjk_font() -> str:
    """Register the embedded CJK font once per process and return its reportlab name."""
    path = font_path()
    kwargs = {"subfontIndex": 0} if path.suffix.lower() == ".ttc" else {}
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(path), **kwargs))
    return FONT_NAME
