"""What every brief and book PDF shares: the embedded CJK font, styles, clip links, QR codes.

Links point at ``/briefs/clips/<clip>/at/<second>/`` (the player opens at that second)
under ``settings.PUBLIC_URL`` (``YITING_PUBLIC_URL``), the address members' devices reach
the server by.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

from core.pdffont import cjk_font
from meeting.briefs.exports.qr import QR_SIZE, qr  # noqa: F401 (the exports import them here)


def public_url() -> str:
    return settings.PUBLIC_URL.rstrip("/")


def moment_path(clip_id: str, at: float) -> str:
    return f"/briefs/clips/{clip_id}/at/{int(at)}/"


def moment_url(clip_id: str, at: float) -> str:
    return public_url() + moment_path(clip_id, at)


def mmss(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 60:02d}:{s % 60:02d}"


def local(iso: str, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return timezone.localtime(dt.datetime.fromisoformat(iso)).strftime(fmt)


def esc(text: object) -> str:
    return escape(str(text))


@cache
def styles() -> dict[str, ParagraphStyle]:
    f = cjk_font()
    return {
        "masthead": ParagraphStyle(
            "masthead", fontName=f, fontSize=36, leading=44, alignment=1, textColor=colors.red
        ),
        "issue": ParagraphStyle("issue", fontName=f, fontSize=12, leading=18, alignment=1),
        "title": ParagraphStyle("title", fontName=f, fontSize=18, leading=26, alignment=1),
        "cover": ParagraphStyle("cover", fontName=f, fontSize=26, leading=36, alignment=1),
        "h1": ParagraphStyle("h1", fontName=f, fontSize=15, leading=22, spaceBefore=10),
        "h2": ParagraphStyle("h2", fontName=f, fontSize=12, leading=18, spaceBefore=8),
        "p": ParagraphStyle("p", fontName=f, fontSize=11, leading=18, firstLineIndent=22),
        "plain": ParagraphStyle("plain", fontName=f, fontSize=10, leading=15),
        "quote": ParagraphStyle(
            "quote", fontName=f, fontSize=10, leading=15, leftIndent=22, textColor=colors.darkblue
        ),
        "small": ParagraphStyle("small", fontName=f, fontSize=8, leading=11),
        "note": ParagraphStyle(
            "note", fontName=f, fontSize=9, leading=13, leftIndent=22, textColor=colors.firebrick
        ),
    }


def para(text: str, style: str = "plain") -> Paragraph:
    """A paragraph of already-escaped markup."""
    return Paragraph(text, styles()[style])


def quote_markup(clip_id: str | None, q: dict, removed: bool) -> str:
    """「quote」 followed by its time, linked to the clip at that second when it plays."""
    stamp = f"（{mmss(q['at'])}）"
    if clip_id and not removed:
        stamp = f'<link href="{esc(moment_url(clip_id, q["at"]))}" color="blue">{stamp}</link>'
    return f"「{esc(q['text'])}」{stamp}"


def removed_note(state: dict) -> str:
    return esc(f"（该发言录像已于{state['deleted_at']}删除，原因：{state['reason']}）")
