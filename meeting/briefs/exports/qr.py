"""QR codes of clip links in brief and book PDFs, encoded by segno and drawn as vectors.

segno (a public API) chooses the version and evaluates all eight masks, keeping the one
with the lowest penalty score as the standard (ISO/IEC 18004) asks: a well-masked code
has no large blocks or finder-like runs that make a phone's camera hesitate on paper.
Error correction is M (15 %); segno raises it when the same version has room for more.

The code is drawn straight on the canvas (each run of dark modules in a row as one
rectangle), so it stays sharp at any zoom and printer resolution, and a link to the same
URL is laid over it for readers who click rather than scan.
"""

from __future__ import annotations

import itertools
from functools import lru_cache

import segno
from reportlab.lib.units import mm
from reportlab.platypus.flowables import Flowable

QR_SIZE = 20 * mm
# Light modules around the code inside its square. The standard's quiet zone is 4; the
# table cell a code sits in adds its own white padding (≥ 2 mm) around the square, so 2
# keep the modules larger at the same printed size.
BORDER = 2


@lru_cache(maxsize=8192)
def qr_modules(url: str) -> tuple[tuple[bool, ...], ...]:
    """The code's dark (True) and light modules, row by row, without the quiet zone.

    Cached: a term book prints the same clip's link on several pages.
    """
    code = segno.make_qr(url, error="m")
    return tuple(tuple(bool(m) for m in row) for row in code.matrix_iter(border=0))


class QrFlowable(Flowable):
    """A QR code of ``url`` drawn on the canvas at ``size`` × ``size``, linked to ``url``."""

    def __init__(self, url: str, size: float) -> None:
        super().__init__()
        self.url, self.width, self.height = url, size, size
        self.modules = qr_modules(url)

    def wrap(self, *_):
        return self.width, self.height

    def draw(self) -> None:
        canv, n = self.canv, len(self.modules)
        box = self.width / (n + 2 * BORDER)
        for r, row in enumerate(self.modules):
            col = 0
            for dark, run in itertools.groupby(row):
                count = len(list(run))
                if dark:
                    y = self.height - (r + BORDER + 1) * box
                    # 2 % taller: rows overlap a hair, so no hairline gap shows between them
                    canv.rect((col + BORDER) * box, y, count * box, box * 1.02, stroke=0, fill=1)
                col += count
        canv.linkURL(self.url, (0, 0, self.width, self.height), relative=1)


def qr(url: str, size: float = QR_SIZE) -> QrFlowable:
    """A QR code of ``url`` that is also a clickable link in the PDF."""
    return QrFlowable(url, size)
