"""What every file people download shares: a Chinese name, and CSV that Excel opens.

**Names.** A download is named in the reader's language (简报第1期.pdf, 《条例》批注.pdf)
by RFC 6266: ``filename*=UTF-8''…`` carries the name, ``filename="…"`` an ASCII name
for the rare client that reads no ``filename*`` (the English names the files had
before, so scripts keep working). Django's ``content_disposition_header`` writes one or
the other, never both, so the header is built here. One naming function per kind of
file keeps every name in one place.

**CSV.** Clerks open CSV in Excel or WPS: UTF-8 *with* a byte-order mark (without it
Excel reads GBK and shows mojibake), headers and values in words (是/否, not
``True``/``False``), times in ``TIME_ZONE`` as ``2026-12-06 12:50:32``, not ISO UTC.
A text cell that starts like a formula (``=``, ``+``, ``-``, ``@``) is prefixed with
``'`` (OWASP's CSV-injection rule): member-entered text must not run in Excel.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

BOM = "\ufeff"
CSV_TYPE = "text/csv; charset=utf-8"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# characters no file name may hold on Windows, macOS or Linux, and control characters
UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
STEM_CHARS = 80  # 240 bytes of UTF-8 Chinese at most: under every file system's 255


class FileName(NamedTuple):
    """A download's name for people and its ASCII stand-in (``filename=``)."""

    name: str
    fallback: str


# -- values ------------------------------------------------------------------------------
def local_time(value: dt.datetime | str | None, fmt: str = TIME_FORMAT) -> str:
    """A moment as the committee reads it (``TIME_ZONE``); ``""`` for none.

    Accepts the ISO strings the JSON payloads carry as well as datetimes."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return timezone.localtime(value).strftime(fmt)


def yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def cell(value: object) -> object:
    """One CSV cell: words for booleans, local time for moments, formulas defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, dt.datetime):
        return local_time(value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


# -- responses ---------------------------------------------------------------------------
def safe_name(text: str) -> str:
    """``text`` as a file name on any system: no path or reserved characters, not too long."""
    stem, dot, ext = text.rpartition(".")
    if not dot or not ext.isalnum() or len(ext) > 5:
        stem, dot, ext = text, "", ""
    stem = " ".join(UNSAFE.sub("_", stem).split()).strip(" ._")[:STEM_CHARS].strip(" ._")
    return f"{stem}{dot}{ext}" if stem else ""


def _ascii(text: str) -> str:
    return re.sub(r'[^\x20-\x7e]|["\\]', "_", text) or "download"


def disposition(file: FileName, *, inline: bool = False) -> str:
    """The ``Content-Disposition`` value: the ASCII name, then the UTF-8 name (RFC 6266 §4.3)."""
    name = safe_name(file.name) or file.fallback
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{_ascii(file.fallback)}\"; filename*=UTF-8''{quote(name, safe='')}"


def attach(response: HttpResponse, file: FileName, *, inline: bool = False) -> HttpResponse:
    """Name the download (also on a ``FileResponse``: this replaces the header it set)."""
    response["Content-Disposition"] = disposition(file, inline=inline)
    return response


def csv_response(file: FileName, rows: Iterable[Sequence[object]]) -> HttpResponse:
    """A CSV download that Excel and WPS open as UTF-8 (each cell through ``cell``)."""
    response = attach(HttpResponse(content_type=CSV_TYPE), file)
    response.write(BOM)
    writer = csv.writer(response)
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return response


# -- the names, one per kind of file -----------------------------------------------------
def _join(name: str, ext: str) -> str:
    return f"{name}.{ext}"


def book_title(title: str) -> str:
    """A title in 《》 unless it already is."""
    title = title.strip()
    return title if title.startswith("《") and title.endswith("》") else f"《{title}》"


def brief_name(number: int, ext: str) -> FileName:
    name = pgettext("file name", "Brief no. %(number)s") % {"number": number}
    return FileName(_join(name, ext), f"brief-{number}.{ext}")


def document_name(document_id: int, title: str, version: int) -> FileName:
    name = book_title(title)
    if version > 1:
        name = pgettext("file name", "%(title)s version %(n)s") % {"title": name, "n": version}
    return FileName(_join(name, "pdf"), f"document-{document_id}-v{version}.pdf")


def annotations_name(document_id: int, title: str) -> FileName:
    name = pgettext("file name", "%(title)s with annotations") % {"title": book_title(title)}
    return FileName(_join(name, "pdf"), f"document-{document_id}-annotations.pdf")


def minutes_name(number: int, title: str, ext: str) -> FileName:
    if title:
        name = pgettext("file name", "%(session)s minutes") % {"session": title}
    else:
        name = pgettext("file name", "Minutes of session %(number)s") % {"number": number}
    return FileName(_join(name, ext), f"minutes-session-{number}.{ext}")


def vote_sheet_name(vote_id: int, question: str, round_: int, ext: str) -> FileName:
    name = pgettext("file name", "%(question)s vote result") % {"question": question[:50]}
    if round_ > 1:
        name = pgettext("file name", "%(name)s round %(n)s") % {"name": name, "n": round_}
    return FileName(_join(name, ext), f"vote-{vote_id}-result.{ext}")


def speaking_log_name(sitting_id: int, session_title: str, sitting_title: str) -> FileName:
    name = pgettext("file name", "%(session)s %(sitting)s speaking log") % {
        "session": session_title,
        "sitting": sitting_title,
    }
    return FileName(_join(name, "csv"), f"speaking-log-{sitting_id}.csv")


def audit_name(at: dt.datetime) -> FileName:
    day = local_time(at, "%Y-%m-%d")
    name = pgettext("file name", "Audit trail %(day)s") % {"day": day}
    return FileName(_join(name, "csv"), f"audit-{day}.csv")


def clip_name(member_id: int, member_name: str, started_at: dt.datetime) -> FileName:
    stamp = local_time(started_at, "%Y%m%d-%H%M%S")
    name = pgettext("file name", "%(name)s speech %(at)s") % {"name": member_name, "at": stamp}
    return FileName(_join(name, "mp4"), f"speech-{member_id}-{stamp}.mp4")


def member_book_name(member_id: int, member_name: str) -> FileName:
    name = pgettext("file name", "%(name)s deputy record (one member's book)") % {
        "name": member_name
    }
    return FileName(_join(name, "pdf"), f"member-book-{member_id}.pdf")


def term_book_name(term_name: str) -> FileName:
    name = pgettext("file name", "%(term)s deputy record (the term's book)") % {"term": term_name}
    return FileName(_join(name, "pdf"), "term-book.pdf")
