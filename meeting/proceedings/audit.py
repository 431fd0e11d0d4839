"""Reading the audit trail (操作日志): filters, and each row put into words with names.

Rows are written by ``core.audit`` (live commands and web steps alike) and keep their
command code (``floor.grant``); people read the action in words (``ACTION_WORDS``, the
code stays in the cell's tooltip and in the CSV) and what it did with names for the ids
(the member who was given the floor, not "发言申请：1").
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

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


# -- the action, in words ----------------------------------------------------------------
# Every action any code records (live commands and the pages' steps) has its words here;
# tests/meeting/proceedings/test_audit_words.py finds the codes in the source and checks.
ACTION_WORDS = {
    "agenda.open": pgettext_lazy("audit action", "open an agenda item"),
    "agenda.step": pgettext_lazy("audit action", "next / previous agenda item"),
    "agenda.add": pgettext_lazy("audit action", "add an agenda item"),
    "agenda.remove": pgettext_lazy("audit action", "remove an agenda item"),
    "agenda.update": pgettext_lazy("audit action", "change an agenda item"),
    "attendance.check_in": pgettext_lazy("audit action", "check in"),
    "attendance.check_out": pgettext_lazy("audit action", "check out"),
    "attendance.record": pgettext_lazy("audit action", "check in / out by the clerk"),
    "seating.save": pgettext_lazy("audit action", "change the seat layout"),
    "documents.distribute": pgettext_lazy("audit action", "distribute documents"),
    "documents.recall": pgettext_lazy("audit action", "recall documents"),
    "documents.placed": pgettext_lazy("audit action", "place a document under an item"),
    "documents.unplaced": pgettext_lazy("audit action", "take a document off an item"),
    "documents.annotations_removed": pgettext_lazy(
        "audit action", "remove the annotations of recalled documents"
    ),
    "presenter.open": pgettext_lazy("audit action", "present a document"),
    "presenter.flip": pgettext_lazy("audit action", "turn the presenter's page"),
    "presenter.close": pgettext_lazy("audit action", "stop presenting"),
    "floor.request": pgettext_lazy("audit action", "request the floor"),
    "floor.enter": pgettext_lazy("audit action", "enter a written request"),
    "floor.grant": pgettext_lazy("audit action", "grant the floor"),
    "floor.refuse": pgettext_lazy("audit action", "refuse a request"),
    "floor.end": pgettext_lazy("audit action", "end a floor"),
    "floor.extend": pgettext_lazy("audit action", "extend a floor"),
    "floor.priority": pgettext_lazy("audit action", "give priority"),
    "floor.reorder": pgettext_lazy("audit action", "reorder the queue"),
    "floor.rules": pgettext_lazy("audit action", "change the floor rules"),
    "floor.take": pgettext_lazy("audit action", "take the floor"),
    "floor.withdraw": pgettext_lazy("audit action", "withdraw a request"),
    "floor.yield": pgettext_lazy("audit action", "finish speaking"),
    "vote.prepare": pgettext_lazy("audit action", "prepare a vote"),
    "vote.open": pgettext_lazy("audit action", "open a vote"),
    "vote.close": pgettext_lazy("audit action", "close a vote"),
    "vote.announce": pgettext_lazy("audit action", "announce a result"),
    "vote.cancel": pgettext_lazy("audit action", "cancel a vote"),
    "vote.revote": pgettext_lazy("audit action", "new voting round"),
    "media.publish": pgettext_lazy("audit action", "camera on"),
    "media.unpublish": pgettext_lazy("audit action", "camera off"),
    "notice.send": pgettext_lazy("audit action", "send a notice"),
    "notice.dismiss": pgettext_lazy("audit action", "dismiss a notice"),
    "notice.inbox": pgettext_lazy("audit action", "read the notices"),
    "service.call": pgettext_lazy("audit action", "call for service"),
    "service.take": pgettext_lazy("audit action", "take a service call"),
    "service.done": pgettext_lazy("audit action", "finish a service call"),
    "service.withdraw": pgettext_lazy("audit action", "withdraw a service call"),
    "session.create": pgettext_lazy("audit action", "create a session"),
    "session.copy": pgettext_lazy("audit action", "copy a session"),
    "session.close": pgettext_lazy("audit action", "close the session"),
    "sitting.add": pgettext_lazy("audit action", "add a sitting"),
    "sitting.update": pgettext_lazy("audit action", "change a sitting"),
    "roster.import": pgettext_lazy("audit action", "import members"),
    "account.password_reset": pgettext_lazy("audit action", "reset a password"),
    "minutes.request": pgettext_lazy("audit action", "generate the minutes"),
    "summary.save": pgettext_lazy("audit action", "save a speech summary"),
    "brief.create": pgettext_lazy("audit action", "compile a brief"),
    "brief.check": pgettext_lazy("audit action", "check a brief"),
    "brief.release": pgettext_lazy("audit action", "release a brief"),
    "brief.revise": pgettext_lazy("audit action", "revise a brief"),
    "brief.reprint": pgettext_lazy("audit action", "reprint a brief"),
    "brief.arrange": pgettext_lazy("audit action", "arrange a brief by articles"),
    "leave.enter": pgettext_lazy("audit action", "enter leave"),
    "leave.change": pgettext_lazy("audit action", "change leave"),
    "leave.withdraw": pgettext_lazy("audit action", "withdraw leave"),
    "drafts.compare": pgettext_lazy("audit action", "compare versions of a draft"),
    "drafts.uncompare": pgettext_lazy("audit action", "stop comparing versions of a draft"),
    "speech.tie": pgettext_lazy("audit action", "tie a speech to an article"),
    "speech.untie": pgettext_lazy("audit action", "untie a speech from an article"),
}
# the action filter offers these families (a code starts with one) and their actions
ACTION_GROUPS = {
    "agenda.": pgettext_lazy("audit actions", "agenda"),
    "attendance.": pgettext_lazy("audit actions", "attendance"),
    "floor.": pgettext_lazy("audit actions", "floor"),
    "vote.": pgettext_lazy("audit actions", "votes"),
    "documents.": pgettext_lazy("audit actions", "documents"),
    "presenter.": pgettext_lazy("audit actions", "presenting"),
    "media.": pgettext_lazy("audit actions", "cameras"),
    "notice.": pgettext_lazy("audit actions", "notices"),
    "service.": pgettext_lazy("audit actions", "service calls"),
    "seating.": pgettext_lazy("audit actions", "seating"),
    "session.": pgettext_lazy("audit actions", "sessions"),
    "sitting.": pgettext_lazy("audit actions", "sittings"),
    "roster.": pgettext_lazy("audit actions", "roster"),
    "minutes.": pgettext_lazy("audit actions", "minutes"),
    "summary.": pgettext_lazy("audit actions", "speech summaries"),
    "brief.": pgettext_lazy("audit actions", "briefs"),
    "leave.": pgettext_lazy("audit actions", "leave"),
    "drafts.": pgettext_lazy("audit actions", "draft comparison"),
    "speech.": pgettext_lazy("audit actions", "speeches and articles"),
    "account.": pgettext_lazy("audit actions", "accounts"),
}
SYSTEM = pgettext_lazy("audit role", "system")


def action_words(code: str) -> str:
    """The action as people read it; the code itself for one nobody has named yet."""
    return str(ACTION_WORDS.get(code, code))


def action_choices() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(prefix, family, [(code, words)]) for the filter's grouped list."""
    return [
        (prefix, str(word), [(c, str(w)) for c, w in ACTION_WORDS.items() if c.startswith(prefix)])
        for prefix, word in ACTION_GROUPS.items()
    ]


def role_words(role: str) -> str:
    from core.models import Role

    return str(dict(Role.choices).get(role) or (SYSTEM if role == "system" else role))


# -- what an entry did, as people read it ------------------------------------------------
# A live command is stored as its data (``agenda.open item=3``); the trail shows it in
# words, with names for the ids (the member, the item, the document, the vote, the
# request and the speech). Every field of every audited command has a word here
# (tests/meeting/proceedings/test_audit.py). A page's step whose summary is only its code
# and data (``brief.release brief=1 …``) is put into words from its data the same way.
FIELD_WORDS = {
    "member": gettext_lazy("member"),
    "speaker": pgettext_lazy("audit field", "speaker"),
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
    # the data of the pages' steps (briefs, summaries, recalls, closing)
    "brief": pgettext_lazy("audit field", "brief"),
    "revision": pgettext_lazy("audit field", "draft"),
    "version": pgettext_lazy("audit field", "version"),
    "chars": pgettext_lazy("audit field", "characters"),
    "access": pgettext_lazy("audit field", "who may read it"),
    "strokes": pgettext_lazy("audit field", "ink strokes"),
    "notes": pgettext_lazy("audit field", "notes"),
    "floors_ended": pgettext_lazy("audit field", "floors ended"),
    "documents_recalled": pgettext_lazy("audit field", "documents recalled"),
}
HIDDEN_FIELDS = frozenset({"sdp", "options", "rule", "choices", "choice", "number", "source"})
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
    "member": pgettext_lazy("camera", "the member's tablet camera"),
    "all": gettext_lazy("everyone"),
    "clerk": gettext_lazy("the clerk"),
    "nobody": gettext_lazy("nobody"),
}
_REFS = {
    "member": "member",
    "item": "item",
    "document": "document",
    "documents": "document",
    "vote": "vote",
    "request": "request",
    "speech": "speech",
    "call": "call",
    "notice": "notice",
    "brief": "brief",
}
# the actions a clerk or chair takes for themself: the row names them (no "—")
SELF_ACTIONS = {
    "floor.take": "speaker",
    "floor.yield": "speaker",
    "floor.request": "member",
    "floor.withdraw": "member",
    "attendance.check_in": "member",
    "attendance.check_out": "member",
}
GRANT_WINDOW = dt.timedelta(seconds=5)  # the speech a grant started began within it


def _floor_names(want: dict[str, set[int]]) -> dict[str, dict[int, str]]:
    from meeting.floor.models import Kind, SpeakingRequest, Speech

    kinds = dict(Kind.choices)
    requests = SpeakingRequest.objects.filter(pk__in=want["request"]).select_related("member")
    speeches = Speech.objects.filter(pk__in=want["speech"]).select_related("member")
    return {
        "request": {
            r.pk: _("%(name)s (%(kind)s)") % {"name": r.member.full_name, "kind": kinds[r.kind]}
            for r in requests
        },
        "speech": {sp.pk: _speech_words(sp, kinds) for sp in speeches},
    }


def _speech_words(sp, kinds: dict) -> str:
    from core.exports import local_time

    return _("%(name)s (%(kind)s, from %(at)s)") % {
        "name": sp.member.full_name,
        "kind": kinds.get(sp.kind, sp.kind),
        "at": local_time(sp.started_at, "%H:%M:%S"),
    }


def _desk_names(want: dict[str, set[int]]) -> dict[str, dict[int, str]]:
    from meeting.notices.models import Notice, ServiceCall, ServiceKind

    kinds = dict(ServiceKind.choices)
    calls = ServiceCall.objects.filter(pk__in=want["call"]).select_related("member")
    return {
        "call": {
            c.pk: _("%(name)s (%(kind)s)") % {"name": c.member.full_name, "kind": kinds[c.kind]}
            for c in calls
        },
        "notice": dict(Notice.objects.filter(pk__in=want["notice"]).values_list("pk", "text")),
    }


def _names(rows) -> dict[str, dict[int, str]]:
    """The names behind the ids the rows' data mention, in one query per kind."""
    from core.models import AgendaItem
    from docs_store.models import Document
    from meeting.briefs.models import Brief
    from meeting.voting.models import Vote

    want: dict[str, set[int]] = {k: set() for k in set(_REFS.values())}
    for r in rows:
        for key, value in (r.data or {}).items():
            kind = _REFS.get(key)
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
        "brief": {
            pk: _("no. %(number)s") % {"number": n}
            for pk, n in Brief.objects.filter(pk__in=want["brief"]).values_list("pk", "number")
        },
        **_floor_names(want),
        **_desk_names(want),
    }


def _granted(rows) -> dict[int, str]:
    """Audit row id → who a grant of "the next in the queue" gave the floor to.

    Such a grant carries no id (the server picked the head of the queue); the speech it
    started was granted by the same login in the same sitting a moment before the row."""
    from meeting.floor.models import Kind, Speech

    grants = [r for r in rows if r.action == "floor.grant" and not _REFS.keys() & _set(r.data)]
    if not grants:
        return {}
    speeches = Speech.objects.filter(
        sitting_id__in={r.sitting_id for r in grants},
        granted_by_id__in={r.user_id for r in grants},
        started_at__gte=min(r.at for r in grants) - GRANT_WINDOW,
        started_at__lte=max(r.at for r in grants),
    ).select_related("member")
    kinds = dict(Kind.choices)
    out = {}
    for r in grants:
        found = [
            sp
            for sp in speeches
            if sp.sitting_id == r.sitting_id
            and sp.granted_by_id == r.user_id
            and r.at - GRANT_WINDOW <= sp.started_at <= r.at
        ]
        if found:
            out[r.pk] = _speech_words(max(found, key=lambda sp: sp.started_at), kinds)
    return out


def _set(data) -> set[str]:
    return {k for k, v in (data or {}).items() if v not in (None, "", [])}


def _value(key: str, value, names, action: str = "") -> str | None:
    kind = _REFS.get(key)
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
        return _string(key, value, action)
    if isinstance(value, (int, float)):
        return str(value)
    return None


def _string(key: str, value: str, action: str) -> str:
    if key == "access":
        from docs_store.models import Access

        return str(dict(Access.choices).get(value, value))
    if key == "kind" and action.startswith("service."):
        from meeting.notices.models import ServiceKind

        return str(dict(ServiceKind.choices).get(value, value))
    return str(VALUE_WORDS.get(value, value))


def _data_words(r: AuditEntry, names) -> str:
    parts = []
    for key in sorted(r.data or {}):
        if key in HIDDEN_FIELDS or r.data[key] in (None, "", []):
            continue
        text = _value(key, r.data[key], names, r.action)
        if text is not None:
            parts.append(f"{FIELD_WORDS.get(key, key)}：{text}")
    return "；".join(parts)


CODE_SUMMARY = re.compile(r"^[a-z_]+\.[a-z_]+(\s|$)")
TEMPLATE_NOTE = re.compile(r" \((\w+)\)$")


def _web_words(r: AuditEntry, names) -> str:
    """A page's step: its summary (written in words when it was recorded), or, where the
    summary is only the code and the data, the data in words."""
    if CODE_SUMMARY.match(r.summary or "") or not r.summary:
        return _data_words(r, names) or r.summary or "—"
    if r.action == "session.create":  # "title (standing)": the template by its name
        from meeting.proceedings.preparation import TEMPLATES

        m = TEMPLATE_NOTE.search(r.summary)
        if m and m.group(1) in TEMPLATES:
            return f"{r.summary[: m.start()]}（{TEMPLATES[m.group(1)][0]}）"
    return r.summary


def describe_rows(rows) -> list[tuple[AuditEntry, str]]:
    """Each row with what it did in words: a live command from its data (names for ids),
    a page's step by its summary (written in words when it was recorded)."""
    rows = list(rows)
    names = _names(rows)
    granted = _granted([r for r in rows if r.source == AuditEntry.Source.SOCKET])
    out = []
    for r in rows:
        if r.source != AuditEntry.Source.SOCKET:
            out.append((r, _web_words(r, names)))
            continue
        text = _data_words(r, names)
        if r.pk in granted:
            text = f"{FIELD_WORDS['speaker']}：{granted[r.pk]}"
        elif r.action == "floor.grant" and not text:
            text = f"{FIELD_WORDS['speaker']}：{_('the first in the queue')}"
        elif r.action in SELF_ACTIONS and r.actor:
            who = f"{FIELD_WORDS[SELF_ACTIONS[r.action]]}：{r.actor}"
            text = "；".join(t for t in (who, text) if t)
        out.append((r, text or "—"))
    return out


@dataclass(frozen=True)
class TrailRow:
    """One row of the trail as the page and the CSV show it."""

    entry: AuditEntry
    action: str  # in words; the code is entry.action
    what: str
    role: str


def trail_rows(rows) -> list[TrailRow]:
    return [
        TrailRow(r, action_words(r.action), what, role_words(r.role))
        for r, what in describe_rows(rows)
    ]


CSV_CHUNK = 500


def csv_rows(rows: QuerySet[AuditEntry]) -> Iterator[list]:
    """The trail for a spreadsheet: words, and the code and the raw record for checking."""
    yield [
        _("When"),
        _("Who"),
        _("Role"),
        _("Session"),
        _("Sitting"),
        _("Action"),
        _("What"),
        pgettext("audit csv", "Action code"),
        pgettext("audit csv", "As recorded"),
    ]
    chunk: list[AuditEntry] = []
    for r in rows.select_related("session", "sitting").iterator(chunk_size=CSV_CHUNK):
        chunk.append(r)
        if len(chunk) == CSV_CHUNK:
            yield from _csv_chunk(chunk)
            chunk = []
    yield from _csv_chunk(chunk)


def _csv_chunk(chunk: list[AuditEntry]) -> Iterator[list]:
    for row in trail_rows(chunk):
        r = row.entry
        yield [
            r.at,
            r.actor,
            row.role,
            r.session.title if r.session else "",
            r.sitting.title if r.sitting else "",
            row.action,
            row.what,
            r.action,
            r.summary,
        ]
