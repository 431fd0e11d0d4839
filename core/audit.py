"""The audit trail's writer (操作日志): who did what, when, in which sitting.

Live commands are recorded by ``record_command``, called by ``realtime.runner`` inside
the command's own transaction, so an action and its audit row commit or roll back
together: there is no action without its row and no row for a refused action.
Preparation and closing steps on the web pages call ``record`` from their services.
The trail is read, filtered and put into words by ``meeting.proceedings.audit``.
"""

from __future__ import annotations

from typing import Protocol

from django.contrib.auth import get_user_model

from core import policy
from core.models import AuditEntry, Member, Session, Sitting


class SocketActor(Protocol):
    """A socket's identity (``realtime.context.Context``), as far as the trail needs it."""

    user_id: int
    sitting_id: int
    role: str
    member_id: int | None


AUDITED_ROLES = policy.LIVE_ROLES  # every action of the people who run the sitting
# Commands that only read or keep the socket alive are not actions. A ballot
# (vote.cast) is recorded by the vote's own hash-chained record (meeting.voting), which
# keeps a secret ballot's choice apart from the member; this trail must never hold it.
READS = frozenset({"sync", "ping", "presence.list", "floor.log", "media.status", "vote.audit"})
NOT_ACTIONS = READS | {"vote.cast"}


def _actor_name(user_id: int | None, member_id: int | None) -> str:
    if member_id is not None:
        name = Member.objects.filter(pk=member_id).values_list("full_name", flat=True).first()
        if name:
            return name
    if user_id is None:
        return "—"
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return f"user {user_id}"
    return user.get_full_name() or user.get_username()  # the login only when no name


MAX_VALUE = 300  # an SDP offer is not something a reviewer reads


def _compact(value):
    """The command's data as recorded: long strings are replaced by their length."""
    if isinstance(value, str) and len(value) > MAX_VALUE:
        return f"<{len(value)} characters>"
    if isinstance(value, dict):
        return {k: _compact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_compact(v) for v in value]
    return value


def _summary(action: str, data: dict) -> str:
    """A one-line reading of the command, e.g. ``agenda.open item=3``."""
    parts = [f"{k}={v}" for k, v in sorted(data.items()) if not isinstance(v, (dict, list))]
    return (action + " " + " ".join(parts)).strip()[:300]


def record_command(ctx: SocketActor, action: str, data: dict) -> AuditEntry | None:
    """Record a successful live command of a clerk or chair; others are not audited."""
    entry = command_entry(ctx, action, data)
    if entry is not None:
        entry.save(force_insert=True)
    return entry


def command_entry(ctx: SocketActor, action: str, data: dict) -> AuditEntry | None:
    """``record_command``'s row, not saved (the socket runner has it written with the
    command's first event, in the same transaction); None when the command is not audited.
    Made when it is written: ``at`` is then, after the command's changes."""
    if ctx.role not in AUDITED_ROLES or action in NOT_ACTIONS:
        return None
    # the command's own authority check looked up the member and the sitting's session
    found = getattr(ctx, "standing", None)
    if found is not None and found.member_id == ctx.member_id and found.session_id:
        session_id = found.session_id
        actor = found.name or _actor_name(ctx.user_id, None)
    else:
        session_id = (
            Sitting.objects.filter(pk=ctx.sitting_id).values_list("session_id", flat=True).first()
        )
        actor = _actor_name(ctx.user_id, ctx.member_id)
    data = _compact(data)
    return AuditEntry(
        user_id=ctx.user_id,
        actor=actor,
        role=ctx.role,
        session_id=session_id,
        sitting_id=ctx.sitting_id,
        action=action,
        source=AuditEntry.Source.SOCKET,
        summary=_summary(action, data),
        data=data,
    )


def record(
    user,
    action: str,
    *,
    session: Session | None = None,
    sitting: Sitting | None = None,
    summary: str = "",
    data: dict | None = None,
    role: str = "clerk",
) -> AuditEntry:
    """Record a preparation or closing step taken on the web pages."""
    member_id = None
    term_id = session.term_id if session else (sitting.session.term_id if sitting else None)
    if user is not None and term_id is not None:
        member_id = (
            Member.objects.filter(user=user, term_id=term_id).values_list("pk", flat=True).first()
        )
    return AuditEntry.objects.create(
        user=user,
        actor=_actor_name(user.pk if user else None, member_id),
        role=role,
        session=session or (sitting.session if sitting else None),
        sitting=sitting,
        action=action,
        source=AuditEntry.Source.WEB,
        summary=(summary or _summary(action, data or {}))[:300],
        data=data or {},
    )
