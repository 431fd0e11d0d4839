"""Error codes of the preparation and closing pages (HTTP), with their meaning.

These are answered by views as ``{"error": {"code", "message", "details"}}`` with a 4xx
status; they never travel on the sitting socket, so they are kept here rather than in
the socket protocol's table. ``docs/console.md`` lists them.
"""

from __future__ import annotations

ERROR_CODES: dict[str, str] = {
    "session_closed": "The session is closed; its sittings and agenda can no longer change.",
    "bad_sitting": "A sitting's kind, group, times, chair or clerk do not fit the session.",
    "bad_template": "No session template by that name.",
    "number_taken": "Another session of this term already has that number.",
    "bad_csv": "The member file could not be read (encoding, header); nothing was imported.",
    "bad_rows": "Some rows of the member file are wrong (see details); nothing was imported.",
    "item_has_records": "The agenda item already has speeches or votes and cannot be removed.",
    "item_not_pending": "Only an item not yet opened can be removed.",
    "vote_open": "A vote is open; close it before the session ends.",
    "not_closed": "Minutes are generated for a closed session only.",
    "no_minutes": "No finished minutes for this session yet.",
    "bad_filter": "A filter of the audit view is not valid (e.g. a date).",
}
