"""One way to write a length of time (a speech, a clip, a reading): "11 秒", "2 分 05 秒",
"1 小时 02 分" — whole seconds, in the reader's language (issue 25, item 11).

Everything that shows how long something lasted goes through ``format_duration``: the
``|duration`` template filter (frontend/templatetags/yiting_time.py), the PDFs (minutes,
members' books) and, with the same words from the label table, ``fmtDuration`` in
``frontend/static/yiting/time.js``. A clock ("00:11") is for what runs down or a
position in a clip (a countdown, a quote's place in a video), never for a length.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import pgettext


def duration_words() -> dict[str, str]:
    """The three forms, ``{h}``/``{m}``/``{s}`` filled in by the formatter (and by
    time.js, which gets them through the label table)."""
    return {
        "s": pgettext("duration", "{s} s"),
        "ms": pgettext("duration", "{m} min {s} s"),
        "hm": pgettext("duration", "{h} h {m} min"),
    }


def format_duration(seconds, language: str | None = None) -> str:
    """``seconds`` (a number, or None) as "11 秒" / "1 分 05 秒" / "1 小时 02 分"; "" when
    there is no number. ``language`` fixes the words (a PDF printed in Chinese whatever
    language the request that asked for it had)."""
    try:
        t = max(0, round(float(seconds)))
    except (TypeError, ValueError):
        return ""
    if language:
        with translation.override(language):
            words = duration_words()
    else:
        words = duration_words()
    h, m, s = t // 3600, t % 3600 // 60, t % 60
    if h:
        return words["hm"].replace("{h}", str(h)).replace("{m}", f"{m:02d}")
    if m:
        return words["ms"].replace("{m}", str(m)).replace("{s}", f"{s:02d}")
    return words["s"].replace("{s}", str(s))
