"""The rulebook: who may do what, in one place (议事权限).

Every decision of authority is a rule here, named by its action (the protocol's command
type where there is one). Services ask ``require(actor, action)`` before they change
anything, the socket runner asks ``may`` before it runs a command, the protocol's role
lists are ``roles_for(action)``, and the pages ask the same functions. ``docs/policy.md``
is generated from ``RULES`` (``python -m core.policy docs/policy.md``); a test fails
when it is out of step.

An *actor* is anything with a ``role`` (the ``Role`` a login plays in one sitting, from
``core.roster.sitting_role``): a socket's ``Context``, or an ``Acting``.
Roles are the ``Role`` enum; its values are the strings sockets carry, so both compare.

Two definitions that used to be repeated:

- **live roles** (``LIVE_ROLES``): the chair and the clerk run a sitting live (agenda,
  floor, votes, presenter, attendance). A member's tablet never does.
- **clerk** (``is_clerk``): the role ``clerk`` in a sitting (a clerk member assigned to
  it, the session clerk, or a superuser). Django's ``is_staff`` flag is *not* a role: it
  only lets a login into the admin site.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from core.errors import DomainError
from core.roles import Role

LIVE_ROLES = frozenset({Role.CHAIR, Role.CLERK})
TABLET_ROLES = frozenset({Role.MEMBER, Role.CHAIR})  # a seat: they vote, speak, check in
SITTING_ROLES = frozenset({Role.MEMBER, Role.CHAIR, Role.CLERK, Role.STAFF, Role.DISPLAY})
REVIEWER_ROLES = frozenset({Role.STAFF})  # 机关工作人员: the speech archive


class Actor(Protocol):
    role: str


@dataclass(frozen=True)
class Acting:
    """An actor outside a socket: a page, a management command, a test."""

    role: str
    user_id: int | None = None
    member_id: int | None = None


@dataclass(frozen=True)
class Rule:
    action: str
    roles: frozenset[Role]
    says: str  # who, in words, with any condition on the target (for docs/policy.md)


RULES: dict[str, Rule] = {}


def _rule(action: str, roles, says: str) -> None:
    if action in RULES:
        raise ValueError(f"rule {action!r} defined twice")
    RULES[action] = Rule(action, frozenset(Role(r) for r in roles), says)


# -- the sitting socket (realtime/protocol) ---------------------------------------------
_rule("sync", SITTING_ROLES, "everyone in the sitting (their own view of it)")
_rule("ping", SITTING_ROLES, "everyone in the sitting")
_rule("attendance.check_in", TABLET_ROLES, "a seated member, for themself")
_rule("attendance.check_out", TABLET_ROLES, "a seated member, for themself")
_rule("attendance.record", LIVE_ROLES, "the chair or the clerk, for any member on the roster")
_rule(
    "seating.save",
    {Role.CLERK},
    "the clerk: the seat layout of the sitting's room, for every sitting held there",
)
_rule("agenda.open", LIVE_ROLES, "the chair or the clerk")
_rule("agenda.step", LIVE_ROLES, "the chair or the clerk")
_rule("presence.list", LIVE_ROLES, "the chair or the clerk")
_rule(
    "presenter.open",
    LIVE_ROLES | {Role.MEMBER},
    "the chair or the clerk; a member only as the presenter of the current item",
)
_rule("presenter.flip", LIVE_ROLES | {Role.MEMBER}, "as presenter.open")
_rule("presenter.close", LIVE_ROLES | {Role.MEMBER}, "as presenter.open")
_rule("documents.distribute", {Role.CLERK}, "the clerk")
_rule("documents.recall", {Role.CLERK}, "the clerk")
_rule("floor.request", TABLET_ROLES, "a seated member, for themself")
_rule("floor.withdraw", TABLET_ROLES, "a seated member, their own request")
_rule("floor.take", TABLET_ROLES, "a seated member, when the rules let them take the floor")
_rule("floor.yield", TABLET_ROLES, "the member who holds the floor")
_rule("floor.enter", LIVE_ROLES, "the chair or the clerk")
_rule("floor.reorder", LIVE_ROLES, "the chair or the clerk")
_rule("floor.grant", LIVE_ROLES, "the chair or the clerk")
_rule("floor.refuse", LIVE_ROLES, "the chair or the clerk")
_rule("floor.end", LIVE_ROLES, "the chair or the clerk (the speaker ends their own by yielding)")
_rule("floor.extend", LIVE_ROLES, "the chair or the clerk")
_rule("floor.rules", LIVE_ROLES, "the chair or the clerk")
_rule("floor.priority", {Role.CHAIR}, "the chair alone (the chair's own priority floor)")
_rule("floor.log", SITTING_ROLES - {Role.DISPLAY}, "everyone but the wall display")
_rule("vote.prepare", LIVE_ROLES, "the chair or the clerk")
_rule("vote.open", LIVE_ROLES, "the chair or the clerk (with a quorum present)")
_rule("vote.close", LIVE_ROLES, "the chair or the clerk")
_rule("vote.announce", LIVE_ROLES, "the chair or the clerk")
_rule("vote.cancel", LIVE_ROLES, "the chair or the clerk, saying why")
_rule("vote.revote", LIVE_ROLES, "the chair or the clerk")
_rule("vote.cast", TABLET_ROLES, "a seated member on the roster, their own ballot")
_rule("vote.audit", SITTING_ROLES - {Role.DISPLAY}, "everyone but the wall display")
_rule(
    "media.publish",
    TABLET_ROLES | {Role.CLERK, Role.DISPLAY},
    "a seated member their own camera (group sittings); the clerk or the room device the room camera",
)
_rule("media.unpublish", TABLET_ROLES | {Role.CLERK, Role.DISPLAY}, "who published, their own")
_rule("media.status", SITTING_ROLES, "everyone in the sitting")

# -- the pages ------------------------------------------------------------------------------
_rule(
    "clips.review",
    REVIEWER_ROLES,
    "staff reviewers (and superusers): every clip; a member sees only their own",
)
_rule(
    "clips.delete",
    REVIEWER_ROLES,
    "staff reviewers (and superusers), saying why. Not the clerk, even when the clerk's "
    "login may enter the admin site (Django is_staff): a clip is a member's personal "
    "archive (个人档案), kept for the term; its custodian is the reviewing office, not "
    "the people who run the sitting, and is_staff is a technical flag, not a role",
)
_rule(
    "clips.play_cited",
    {Role.CHAIR, Role.CLERK, Role.MEMBER, Role.STAFF},
    "whoever may read a released brief (简报) may play the clips it cites, at the quoted "
    "second (the brief's links and QR codes); staff reviewers every clip, a member their "
    "own; no one else (an uncited clip stays the speaker's and the reviewers')",
)
_rule(
    "briefs.release",
    REVIEWER_ROLES,
    "a staff reviewer, once a second staff member has checked the brief; the release "
    "itself distributes the brief (简报) as a session document, without the clerk",
)


# -- asking -----------------------------------------------------------------------------------
def rule(action: str) -> Rule:
    try:
        return RULES[action]
    except KeyError:
        raise LookupError(f"no rule for {action!r} in meeting/policy.py") from None


def roles_for(action: str) -> frozenset[str]:
    """The roles allowed to ``action``, as the strings sockets carry (the protocol's lists)."""
    return frozenset(str(r.value) for r in rule(action).roles)


def may(actor: Actor | str | None, action: str) -> bool:
    """Whether the actor's role allows ``action`` (conditions on the target come after)."""
    role = actor if isinstance(actor, str) or actor is None else actor.role
    return role is not None and role in rule(action).roles


def require(actor: Actor | str | None, action: str) -> None:
    """Return when allowed; raise ``DomainError('forbidden')`` naming who may."""
    if not may(actor, action):
        role = actor if isinstance(actor, str) or actor is None else actor.role
        raise DomainError(
            "forbidden",
            f"The {role} role may not {action}.",
            allowed=sorted(roles_for(action)),
        )


def is_clerk(actor: Actor | str | None) -> bool:
    """The one definition of "clerk": the clerk role in the sitting at hand."""
    role = actor if isinstance(actor, str) or actor is None else actor.role
    return role == Role.CLERK


def is_live(actor: Actor | str | None) -> bool:
    """The chair or the clerk (``LIVE_ROLES``)."""
    role = actor if isinstance(actor, str) or actor is None else actor.role
    return role in LIVE_ROLES


def may_present(actor: Actor | str, *, member_id: int | None, presenter_id: int | None) -> bool:
    """presenter.*: the chair and the clerk always; a member only as the item's presenter."""
    if is_live(actor):
        return True
    role = actor if isinstance(actor, str) else actor.role
    return role == Role.MEMBER and member_id is not None and member_id == presenter_id


def may_review_clips(user) -> bool:
    """clips.review / clips.delete: a staff reviewer's login (any term) or a superuser."""
    from core.models import Member

    if not user or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    roles = Member.objects.filter(user=user, active=True).values_list("role", flat=True)
    return any(may(r, "clips.review") for r in roles)


def may_play_cited_clip(
    user, *, speaker_user_id: int | None, cited_in_readable_brief: Callable[[], bool]
) -> bool:
    """clips.play_cited: a reviewer any clip, the speaker their own, a brief's reader its clips.

    ``cited_in_readable_brief`` answers whether a released brief citing the clip is one
    this login may read (``meeting.briefs.services.citations``); it is asked last, as it
    reads the briefs, and only for a login that is neither reviewer nor speaker.
    """
    if may_review_clips(user):
        return True
    if not user or not user.is_authenticated:
        return False
    if speaker_user_id is not None and speaker_user_id == user.pk:
        return True
    return bool(cited_in_readable_brief())


# -- docs/policy.md ---------------------------------------------------------------------------
_ROLE_ORDER = [Role.CHAIR, Role.CLERK, Role.MEMBER, Role.STAFF, Role.DISPLAY]


def table_markdown() -> str:
    """docs/policy.md: every action and who may do it, generated from ``RULES``."""
    head = "| action | " + " | ".join(str(r.value) for r in _ROLE_ORDER) + " | who, in words |"
    rows = [
        head,
        "|---|" + "---|" * len(_ROLE_ORDER) + "---|",
    ]
    for action in sorted(RULES):
        r = RULES[action]
        marks = " | ".join("✓" if role in r.roles else "" for role in _ROLE_ORDER)
        rows.append(f"| `{action}` | {marks} | {r.says} |")
    return (
        "# Who may do what (议事权限)\n\n"
        "Generated from `meeting/policy.py` by `python -m core.policy docs/policy.md`;\n"
        "a test fails when this file is out of step. Roles are the role a login plays in\n"
        "one sitting (`core.roster.sitting_role`): the clerk of the sitting (or\n"
        "the session clerk), its chair (a group's convener, the committee chair and\n"
        "vice-chairs at a plenary), a member on its roster, a staff reviewer, the wall\n"
        "display. Socket commands are checked per command against the role the login has\n"
        "*now* (a chair replaced mid-sitting loses the powers at once, and the socket is\n"
        "closed so it reconnects with its new role). Services check again with the same\n"
        "rule, so a page or an admin path into a service cannot bypass it.\n\n"
        + "\n".join(rows)
        + "\n"
    )


if __name__ == "__main__":  # pragma: no cover - a developer's command
    import django

    django.setup()
    out = table_markdown()
    if len(sys.argv) > 1:
        with open(sys.argv[1], "w", encoding="utf-8") as fh:
            fh.write(out)
    else:
        sys.stdout.write(out)
