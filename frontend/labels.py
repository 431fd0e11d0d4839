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
    from docs_store.models import Access, Document
    from meeting.floor.models import Mode as FloorMode
    from meeting.models import Role, Session
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
    }
