"""Rosters: all component members of a committee, and who belongs to a sitting."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import QuerySet

from core import policy
from core.errors import DomainError
from core.models import (
    COMPONENT_ROLES,
    DeliberationGroup,
    Member,
    Session,
    Sitting,
    Term,
)


def component_members(term: Term | int) -> QuerySet[Member]:
    """All component members (全体组成人员) of the term (or its id): the full roster, not
    who came."""
    return Member.objects.filter(term=term, active=True, role__in=COMPONENT_ROLES)


def sitting_roster(sitting: Sitting) -> QuerySet[Member]:
    """Members who sit in this sitting: everyone at a plenary, the group at a group sitting.

    By the term's and the group's ids: neither row is read to build the query.
    """
    members = component_members(sitting.session.term_id)
    if sitting.kind == Sitting.Kind.GROUP:
        members = members.filter(group_id=sitting.group_id)
    return members


def on_roster(sitting: Sitting, member: Member) -> bool:
    return sitting_roster(sitting).filter(pk=member.pk).exists()


@transaction.atomic
def assign_group(member: Member, group: DeliberationGroup, *, move: bool = False) -> Member:
    """Put a member in a deliberation group; a member sits in one group only.

    Moving a member who already has a group must be explicit (``move=True``), so an
    import or a slip of the clerk's hand cannot silently put someone in two rooms.
    """
    member = Member.objects.select_for_update().get(pk=member.pk)
    if group.term_id != member.term_id:
        raise DomainError("wrong_term", f"{group} belongs to another term than {member}.")
    if member.role not in COMPONENT_ROLES:
        raise DomainError("not_component_member", f"{member} has no seat in a group.")
    if member.group_id and member.group_id != group.pk and not move:
        raise DomainError(
            "already_in_group",
            f"{member} is already in {member.group}; move them explicitly.",
            group=member.group_id,
        )
    member.group = group
    member.save(update_fields=["group"])
    return member


def member_for(user, term: Term) -> Member | None:
    """The user's membership in the term, or None."""
    if not user or not user.is_authenticated:
        return None
    return Member.objects.filter(user=user, term=term).select_related("group").first()


_LOOK_UP = object()


def sitting_role(user, sitting: Sitting, member: Member | None | object = _LOOK_UP) -> str | None:
    """The role a login plays in a sitting, from the database alone.

    Returns ``clerk``, ``chair``, ``member``, ``staff``, ``display`` or None (no access).
    A clerk assigned to a sitting runs only that one; a clerk with no sitting (the
    session clerk) runs all. The committee chair and vice-chairs preside at plenary
    sittings; a group sitting's chair is its convener.
    """
    if member is _LOOK_UP:  # a caller that already has it (the socket's connect) passes it
        member = member_for(user, sitting.session.term)
    superuser = bool(user and user.is_authenticated and user.is_superuser)
    return _role_in(sitting, member, superuser)


@dataclass(frozen=True)
class Standing:
    """Who a login is in a sitting, as one lookup found it: the role and what it rests on.

    ``member_id`` is the login's member row in the sitting's term (None without one),
    ``superuser`` the login's flag.
    """

    role: str | None
    member_id: int | None = None
    superuser: bool = False
    name: str | None = None  # the member's name (the audit trail's actor)
    session_id: int | None = None  # the sitting's session (the audit trail's)


def standing_of(user_id: int, sitting_id: int) -> Standing:
    """``sitting_role`` by ids, in one statement: the socket runner asks it per command.

    A socket's role is not fixed at connect: a chair replaced or a member taken off the
    roster loses the powers with their next command (realtime/runner.py).
    """
    found = standing_and_seq(user_id, sitting_id)
    return found[0] if found else Standing(None)


@dataclass(frozen=True)
class _SittingFacts:
    """The columns of a sitting that decide a role (``_role_in``), read by ``standing_and_seq``."""

    pk: int
    kind: str
    chair_id: int | None
    clerk_id: int | None
    group_id: int | None
    session_id: int


@dataclass(frozen=True)
class _MemberFacts:
    """The columns of a member row that decide a role, with whether it clerks any sitting."""

    pk: int
    role: str
    active: bool
    group_id: int | None
    full_name: str
    clerks_any: bool


@functools.cache
def _standing_sql() -> str:
    """One statement: the sitting, the login's member row in its term, the login's flag.

    Written as SQL because the ORM spent ≈ 1 ms of Python compiling each of the two
    queries it replaces, and a reconnect storm asks this once per socket per command
    (docs/deploy.md). Table and column names come from the models; built once.
    """
    from django.contrib.auth import get_user_model

    q = connection.ops.quote_name
    sit, ses = q(Sitting._meta.db_table), q(Session._meta.db_table)
    mem, usr = q(Member._meta.db_table), q(get_user_model()._meta.db_table)
    return (
        "SELECT s.id, s.kind, s.chair_id, s.clerk_id, s.group_id, s.session_id, s.event_seq,"
        " m.id, m.role, m.active, m.group_id, m.full_name,"
        f" EXISTS (SELECT 1 FROM {sit} c WHERE c.clerk_id = m.id),"
        f" (SELECT u.is_superuser FROM {usr} u WHERE u.id = %s)"
        f" FROM {sit} s JOIN {ses} se ON se.id = s.session_id"
        f" LEFT JOIN {mem} m ON m.term_id = se.term_id AND m.user_id = %s"
        " WHERE s.id = %s"
    )


def standing_and_seq(user_id: int, sitting_id: int) -> tuple[Standing, int] | None:
    """The login's ``Standing`` in the sitting and the sitting's event seq; None: no sitting.

    What a socket's connect needs (realtime/consumers.py), and ``standing_of`` per
    command. The rule itself is ``_role_in``, the same as for model rows.
    """
    with connection.cursor() as cur:
        cur.execute(_standing_sql(), [user_id, user_id, sitting_id])
        row = cur.fetchone()
    if row is None:
        return None
    sitting = _SittingFacts(*row[:6])
    member = None
    if row[7] is not None:
        member = _MemberFacts(row[7], row[8], bool(row[9]), row[10], row[11], bool(row[12]))
    return standing(sitting, member, bool(row[13])), int(row[6])


def standing(
    sitting: Sitting | _SittingFacts, member: Member | _MemberFacts | None, superuser: bool
) -> Standing:
    """The ``Standing`` of a login whose member row (or None) and flag are at hand."""
    return Standing(
        role=_role_in(sitting, member, superuser),
        member_id=member.pk if member else None,
        superuser=superuser,
        name=member.full_name if member else None,
        session_id=sitting.session_id,
    )


def _role_in(
    sitting: Sitting | _SittingFacts, member: Member | _MemberFacts | None, superuser: bool
) -> str | None:
    """``policy.role_in_sitting`` with the member's clerkships read when it asks."""

    def clerks_any() -> bool:
        clerked = getattr(member, "clerks_any", None)  # standing_of reads it with the member
        return member.clerked_sittings.exists() if clerked is None else clerked

    return policy.role_in_sitting(sitting, member, superuser, clerks_any)


def session_role(user, session: Session, member: Member | None | object = _LOOK_UP) -> str | None:
    """The role a login plays for a session as a whole (``policy.role_in_session``).

    Its session-wide papers and its minutes: the clerk is the session clerk or the clerk
    of one of its sittings. Two queries at most (the member row, the clerkships).
    """
    if member is _LOOK_UP:
        member = member_for(user, session.term)
    superuser = bool(user and user.is_authenticated and user.is_superuser)
    clerked = _clerkships(member)
    return policy.role_in_session(
        member,
        superuser,
        clerks_any=bool(clerked),
        clerks_in_session=session.pk in clerked,
    )


def term_role(user, term: Term, member: Member | None | object = _LOOK_UP) -> str | None:
    """The role a login plays for the term as a whole: the clerk is the session clerk alone."""
    if member is _LOOK_UP:
        member = member_for(user, term)
    superuser = bool(user and user.is_authenticated and user.is_superuser)
    return policy.role_in_session(
        member, superuser, clerks_any=bool(_clerkships(member)), clerks_in_session=False
    )


def _clerkships(member: Member | None) -> set[int]:
    """The sessions whose sittings this member is assigned to clerk (a clerk only)."""
    if member is None or not policy.may(member.role, "sitting.be_clerk"):
        return set()
    return set(member.clerked_sittings.values_list("session_id", flat=True))
