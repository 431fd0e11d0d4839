"""Error codes of the briefs and books (HTTP and management commands), with their meaning.

Answered as ``{"error": {"code", "message", "details"}}`` with a 4xx status; they never
travel on the sitting socket. ``docs/briefs.md`` lists them.
"""

from __future__ import annotations

ERROR_CODES: dict[str, str] = {
    "forbidden": "This login may not do that (staff reviewers write, check and release).",
    "not_found": "No such speech, sitting, brief, member or term.",
    "invalid": "A field is missing or malformed (see details.field).",
    "no_clip": "The speech has no playable clip, so it cannot carry a time-coded quote.",
    "quote_past_end": "A quote points outside the clip (before 0 s or past its end).",
    "stale_version": "The summary changed since it was loaded; reload and merge.",
    "not_group_sitting": "Briefs are compiled for group sittings only.",
    "no_speeches": "The sitting (or item) has no finished speeches to brief.",
    "checker_is_author": "The brief must be checked by a staff member other than its compiler.",
    "not_checked": "A brief is released only after a second staff member has checked it.",
    "bad_state": "The brief is not in the state this step needs.",
    "bad_access": "Unknown access level for the released brief.",
    "term_empty": "The term has no sittings: there is no book to make.",
}
