"""Reading the audit trail (操作日志): filters, and each row put into words with names.

Rows are written by ``core.audit`` (live commands and web steps alike).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.models import AuditEntry, Member


@dataclass(frozen=True)
class AuditFilter:
    """What the audit view narrows by; every field optional."""

    session: int | None = None
    sitting: int | None = None
    actor: str = ""
    action: str = ""
    since: dt.datetime | None = None
    until: dt.datetime | None = None


def entries(f: AuditFilter) -> QuerySet[AuditEntry]:
    """Audit rows matching the filter, newest first."""
    qs = AuditEntry.objects.select_related("sitting", "session")
    if f.session:
        qs = qs.filter(session_id=f.session)
    if f.sitting:
        qs = qs.filter(sitting_id=f.sitting)
    if f.actor:
        qs = qs.filter(actor__icontains=f.actor)
    if f.action:
        qs = qs.filter(action__startswith=f.action)
    if f.since:
        qs = qs.filter(at__gte=f.since)
    if f.until:
        qs = qs.filter(at__lte=f.until)
    return qs.order_by("-at", "-id")


# -- what an entry did, as people read it ------------------------------------------------
# A live command is stored as its data (``agenda.open item=3``); the trail shows it in
# words, with names for the ids (the member, the item, the document, the vote). Every
# field of every audited command has a word here (tests/meeting/proceedings/test_audit.py).
FIELD_WORDS = {
    "member": gettext_lazy("member"),
    "present": gettext_lazy("attendance"),
    "item": gettext_lazy("agenda item"),
    "direction": gettext_lazy("direction"),
    "documents": gettext_lazy("documents"),
    "document": gettext_lazy("document"),
    "page": gettext_lazy("page"),
    "speech": gettext_lazy("speech record"),
    "how": gettext_lazy("how it ended"),
    "kind": gettext_lazy("kind"),
    "note": gettext_lazy("note"),
    "seconds": gettext_lazy("seconds"),
    "request": gettext_lazy("request"),
    "clear_queue": gettext_lazy("clear the queue"),
    "order": gettext_lazy("new order"),
    "mode": gettext_lazy("floor mode"),
    "max_floors": gettext_lazy("speakers at once"),
    "warn_before_s": gettext_lazy("warning before the end (s)"),
    "reply_limit_s": gettext_lazy("reply limit (s)"),
    "point_of_order_limit_s": gettext_lazy("point of order limit (s)"),
    "vote": gettext_lazy("vote"),
    "reason": gettext_lazy("reason"),
    "question": gettext_lazy("question"),
    "questions": gettext_lazy("questions"),
    "duration_s": gettext_lazy("voting time (s)"),
    "allow_change": gettext_lazy("ballots may be changed"),
    "show_running": gettext_lazy("running counts shown"),
    "choices_visible": gettext_lazy("who sees named choices"),
    "rows": gettext_lazy("rows"),
    "notice": gettext_lazy("notice"),
    "text": gettext_lazy("notice text"),
    "call": gettext_lazy("service call"),
}
HIDDEN_FIELDS = frozenset({"sdp", "options", "rule", "choices", "choice"})
VALUE_WORDS = {
    "next": gettext_lazy("next"),
    "previous": gettext_lazy("previous"),
    "finished": gettext_lazy("finished"),
    "revoked": gettext_lazy("stopped by the chair"),
    "speech": gettext_lazy("speech"),
    "reply": gettext_lazy("reply to a speaker"),
    "point_of_order": gettext_lazy("point of order"),
    "named": gettext_lazy("named vote"),
    "secret": gettext_lazy("secret ballot"),
    "request": gettext_lazy("by request"),
    "direct": gettext_lazy("direct"),
    "override": gettext_lazy("override"),
    "room": gettext_lazy("room camera"),
    "all": gettext_lazy("everyone"),
    "clerk": gettext_lazy("the clerk"),
    "nobody": gettext_lazy("nobody"),
}
_REFS = {"member": "member", "item": "item", "document": "document", "documents": "document"}


def _names(rows) -> dict[str, dict[int, str]]:
    """The names behind the ids the rows' data mention, in one query per kind."""
    from core.models import AgendaItem
    from docs_store.models import Document
    from meeting.voting.models import Vote

    want: dict[str, set[int]] = {"member": set(), "item": set(), "document": set(), "vote": set()}
    for r in rows:
        for key, value in (r.data or {}).items():
            kind = _REFS.get(key) or ("vote" if key == "vote" else None)
            values = value if isinstance(value, list) else [value]
            if kind:
                want[kind] |= {v for v in values if isinstance(v, int)}
    return {
        "member": dict(Member.objects.filter(pk__in=want["member"]).values_list("pk", "full_name")),
        "item": {
            i.pk: str(i)
            for i in AgendaItem.objects.filter(pk__in=want["item"]).only("order", "title")
        },
        "document": dict(
            Document.objects.filter(pk__in=want["document"]).values_list("pk", "title")
        ),
        "vote": dict(Vote.objects.filter(pk__in=want["vote"]).values_list("pk", "question")),
    }


def _value(key: str, value, names) -> str | None:
    kind = _REFS.get(key) or ("vote" if key == "vote" else None)
    if key == "present":
        return str(_("checked in") if value else _("checked out"))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if kind and isinstance(value, list):
        return "、".join(names[kind].get(v, f"#{v}") for v in value)
    if kind and isinstance(value, int):
        return names[kind].get(value, f"#{value}")
    if isinstance(value, list):
        return _("%(n)s in all") % {"n": len(value)}
    if isinstance(value, str):
        return str(VALUE_WORDS.get(value, value))
    if isinstance(value, (int, float)):
        return str(value)
    return None


def describe_rows(rows) -> list[tuple[AuditEntry, str]]:
    """Each row with what it did in words: a live command from its data (names for ids),
    a page's step by its summary (written in words when it was recorded)."""
    rows = list(rows)
    names = _names([r for r in rows if r.source == AuditEntry.Source.SOCKET])
    out = []
    for r in rows:
        if r.source != AuditEntry.Source.SOCKET:
            out.append((r, r.summary))
            continue
        parts = []
        for key in sorted(r.data or {}):
            if key in HIDDEN_FIELDS or r.data[key] in (None, "", []):
                continue
            text = _value(key, r.data[key], names)
            if text is not None:
                parts.append(f"{FIELD_WORDS.get(key, key)}：{text}")
        out.append((r, "；".join(parts) or "—"))
    return out
