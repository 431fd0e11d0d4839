"""Opinions on a draft's articles (审议意见): the error codes of their HTTP answers.

Opinions are written and submitted over HTTP (``/opinions/``, meeting/opinions/views.py),
as notes and ink are: no command or event travels on the sitting socket. The codes join
the one table (``ERROR_CODES``) so every page carries their sentences.
"""

from __future__ import annotations

ERRORS: dict[str, str] = {  # installed by realtime.registration
    "not_in_sitting": "The document is not one of this sitting's papers; an opinion is "
    "written in the sitting the paper belongs to (HTTP 403).",
    "not_your_opinion": "The opinion is another member's; only its author edits, submits "
    "or deletes it (HTTP 403).",
    "opinion_submitted": "The opinion was submitted to staff and is final: it can no "
    "longer be edited or deleted (HTTP 409).",
    "opinion_empty": "The opinion has no text; nothing was saved (HTTP 400).",
    "opinion_too_long": "The opinion is over 5,000 characters (both stated; HTTP 400).",
}
