"""Rosters: all component members of a committee, and who belongs to a sitting."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet

from meeting.models import COMPONENT_ROLES, DeliberationGroup, Member, Role, Sitting, Term
from meeting.services.errors import DomainError


def component_members(term: Term) -> QuerySet[Member]:
    """All component members (全体组成人员) of the term: the full roster, not who came."""
    return Member.objects.filter(term=term, active=True, role__in=COMPONENT_ROLES)


def sitting_roster(sitting: Sitting) -> QuerySet[Member]:
    """Members who sit in this sitting: everyone at a plenary, the group at a group sitting."""
    members = component_members(sitting.session.term)
    if sitting.kind == Sitting.Kind.GROUP:
        members = members.filter(group=sitting.group)
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

    ``member_role``/``member_active`` are the login's member row in the sitting's term
    (None/False without one); ``superuser`` the login's flag. The documents' access
    filter of a snapshot reads these instead of looking the login up again.
    """

    role: str | None
    member_id: int | None = None
    member_role: str | None = None
    member_active: bool = False
    superuser: bool = False
    name: str | None = None  # the member's name (the audit trail's actor)
    session_id: int | None = None  # the sitting's session (the audit trail's)


def standing_of(user_id: int, sitting_id: int) -> Standing:
    """``sitting_role`` by ids, in two queries: the socket runner asks it per command.

    A socket's role is not fixed at connect: a chair replaced or a member taken off the
    roster loses the powers with their next command (realtime/runner.py). The member is
    read with its login (one join), so the login's superuser flag comes with it.
    """
    sitting = Sitting.objects.select_related("session").filter(pk=sitting_id).first()
    if sitting is None:
        return Standing(None)
    member = (
        Member.objects.filter(user_id=user_id, term_id=sitting.session.term_id)
        .select_related("user")
        # a clerk assigned to sittings runs only those: asked in the same query
        .annotate(clerks_any=Exists(Sitting.objects.filter(clerk_id=OuterRef("pk"))))
        .first()
    )
    if member is not None:
        superuser = member.user.is_superuser
    else:
        from django.contrib.auth import get_user_model

        superuser = get_user_model().objects.filter(pk=user_id, is_superuser=True).exists()
    return standing(sitting, member, superuser)


def standing(sitting: Sitting, member: Member | None, superuser: bool) -> Standing:
    """The ``Standing`` of a login whose member row (or None) and flag are at hand."""
    return Standing(
        role=_role_in(sitting, member, superuser),
        member_id=member.pk if member else None,
        member_role=str(member.role) if member else None,
        member_active=bool(member and member.active),
        superuser=superuser,
        name=member.full_name if member else None,
        session_id=sitting.session_id,
    )


def role_of(user_id: int, sitting_id: int) -> str | None:
    """The role part of ``standing_of``."""
    return standing_of(user_id, sitting_id).role


def _role_in(sitting: Sitting, member: Member | None, superuser: bool) -> str | None:
    if member is None or not member.active:
        return Role.CLERK.value if superuser else None
    if member.role == Role.CLERK:
        if sitting.clerk_id == member.pk:
            return Role.CLERK.value
        clerked = getattr(member, "clerks_any", None)  # standing_of reads it with the member
        if clerked is None:
            clerked = member.clerked_sittings.exists()
        return None if clerked else Role.CLERK.value
    if member.role in (Role.STAFF, Role.DISPLAY):
        return str(member.role)
    if sitting.chair_id == member.pk:
        return Role.CHAIR.value
    if sitting.kind == Sitting.Kind.PLENARY and member.role in (Role.CHAIR, Role.VICE_CHAIR):
        return Role.CHAIR.value
    if _seated(sitting, member):
        return Role.MEMBER.value
    return None


def _seated(sitting: Sitting, member: Member) -> bool:
    """``on_roster`` without a query: the member row and the sitting row say it."""
    if not member.active or member.role not in COMPONENT_ROLES:
        return False
    return sitting.kind != Sitting.Kind.GROUP or member.group_id == sitting.group_id
