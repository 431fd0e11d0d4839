"""The words people read for the codes the socket and the JSON APIs carry.

Events carry stable codes (``distributed``, ``open``, ``request`` …); pages must show
them in the reader's language. This is the one table of those labels, built from the
models' own choices (so a new state is labelled where it is defined) plus the few words
whose Chinese depends on what they qualify (a sitting is "进行中", a tablet is "在线").
Pages get it as JSON (``{% yiting_labels %}``) and ``static/yiting/labels.js`` reads it.
"""

from __future__ import annotations

from django.utils.translation import pgettext


def labels() -> dict[str, dict[str, str]]:
    from core.durations import duration_words
    from core.models import Role, Session
    from docs_store.models import Access, Document
    from meeting.floor.models import Mode as FloorMode
    from meeting.notices.models import CallState, ServiceKind
    from meeting.proceedings.audit import ACTION_WORDS
    from meeting.voting.models import Vote

    def table(choices) -> dict[str, str]:
        return {str(value): str(label) for value, label in choices}

    return {
        "doc_state": table(Document.State.choices),
        "access": table(Access.choices),
        "vote_state": table(Vote.State.choices),
        "vote_kind": table(Vote.Kind.choices),
        "session_state": table(Session.State.choices),
        "sitting_state": {
            "planned": pgettext("sitting state", "planned"),
            "live": pgettext("sitting state", "in progress"),
            "ended": pgettext("sitting state", "ended"),
        },
        "floor_mode": {
            "request": pgettext("floor mode", "by request"),
            "direct": pgettext("floor mode", "direct"),
            "override": pgettext("floor mode", "override"),
        },
        "floor_mode_long": table(FloorMode.choices),
        "role": table(Role.choices),
        "service_kind": table(ServiceKind.choices),
        "call_state": table(CallState.choices),
        "desk": desk_words(),
        # a distributed document the member has not opened yet (documents/reader.js)
        "doc_mark": {
            "new": pgettext("document mark", "new"),
            "new_long": pgettext("document mark", "Distributed, not opened yet"),
        },
        # the audit trail's actions in words (meeting/proceedings/audit.py keeps the table)
        "action": {code: str(words) for code, words in ACTION_WORDS.items()},
        # one way to write a length of time on every page ("11 秒", "1 分 05 秒"):
        # static/yiting/time.js fmtDuration and the |duration template filter
        "duration": duration_words(),
        # the quorum pill on the console, the tablet and the wall (words.js quorumText):
        # what the numbers are, not a bare "38 / 65 · ✔ ≥ 33"
        "quorum": {
            "reached": pgettext(
                "quorum", "Present {present} / {roster} · quorum reached (≥ {required})"
            ),
            "short": pgettext(
                "quorum", "Present {present} / {roster} · no quorum (needs {required})"
            ),
        },
        # the console's check-in box: what was typed, named back (not a generic refusal)
        "checkin": {
            "unknown": pgettext(
                "checkin", "No one on this sitting's roster has seat or card number {typed}."
            ),
        },
    }


def desk_words() -> dict[str, str]:
    """会务通知 and 呼叫服务 on the tablet and the console (tablet/notices.js,
    panels/service_desk.js); ``{time}``, ``{n}``, ``{name}`` are filled in by the page."""
    return {
        "notice": pgettext("desk", "Notice from the clerk"),
        "to_you": pgettext("desk", "To you"),
        "dismiss": pgettext("desk", "Got it"),
        "call": pgettext("desk", "Call for service"),
        "call_sent": pgettext("desk", "Call sent"),
        "waiting": pgettext("desk", "Waiting · called {time}"),
        "taken_at": pgettext("desk", "Taken {time}"),
        "done_at": pgettext("desk", "Done {time}"),
        "withdraw": pgettext("desk", "Withdraw"),
        "note": pgettext("desk", "Note (optional)"),
        "close": pgettext("desk", "Close"),
        "calls": pgettext("desk", "Service calls"),
        "no_calls": pgettext("desk", "No calls."),
        "take": pgettext("desk", "Take"),
        "finish": pgettext("desk", "Done"),
        "seat": pgettext("desk", "Seat {seat}"),
        "notices": pgettext("desk", "Notices"),
        "send": pgettext("desk", "Send notice"),
        "to_all": pgettext("desk", "Every seat"),
        "placeholder": pgettext("desk", "e.g. Members, please return to your seats"),
        "reads": pgettext("desk", "{n} read"),
        "sent_to": pgettext("desk", "To {name}"),
        "sent_all": pgettext("desk", "To every seat"),
        "open_calls": pgettext("desk", "{n} waiting"),
    }
