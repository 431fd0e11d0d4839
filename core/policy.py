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

Two definitions everything else uses:

- **live roles** (``LIVE_ROLES``): the chair and the clerk run a sitting live (agenda,
  floor, votes, presenter, attendance). A member's tablet never does.
- **clerk** (``is_clerk``): the role ``clerk`` in a sitting (a clerk member assigned to
  it, the session clerk, or a superuser: ``role_in_sitting``). For what belongs to a
  session or the term as a whole, ``role_in_session``. Django's ``is_staff`` flag is
  *not* a role: it only lets a login into the admin site.

Which role a login plays is decided here too (``role_in_sitting``, ``role_in_session``,
``landing``): no other module compares role values (tests/core/test_no_role_compare.py).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from core.errors import DomainError
from core.roles import COMPONENT_ROLES, Role

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


COMMAND = "command"  # a socket command (realtime/protocol): the runner asks before it runs
PAGE = "page"  # a page or a download (a URL): its view asks
CONDITION = "condition"  # a finer decision inside a command or a page


@dataclass(frozen=True)
class Rule:
    action: str
    roles: frozenset[Role]
    says: str  # who, in words, with any condition on the target (for docs/policy.md)
    kind: str = COMMAND


RULES: dict[str, Rule] = {}


def _rule(action: str, roles, says: str, kind: str = COMMAND) -> None:
    if action in RULES:
        raise ValueError(f"rule {action!r} defined twice")
    RULES[action] = Rule(action, frozenset(Role(r) for r in roles), says, kind)


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
# 会务通知 and 呼叫服务 (meeting/notices)
_rule(
    "notice.send",
    LIVE_ROLES,
    "the clerk or the chair: a notice to every seat of the sitting, or to one member on its roster",
)
_rule("notice.dismiss", TABLET_ROLES, "a seated member, a notice addressed to them")
_rule(
    "notice.inbox",
    TABLET_ROLES | LIVE_ROLES,
    "a seated member their unread notices and own calls; the chair or the clerk every "
    "call and the notices sent",
)
_rule("service.call", TABLET_ROLES, "a seated member, for themself (one call of a kind at a time)")
_rule("service.withdraw", TABLET_ROLES, "the member who called, their own call")
_rule("service.take", {Role.CLERK}, "the clerk (会务人员) takes a waiting call (受理)")
_rule("service.done", {Role.CLERK}, "the clerk marks a call done")

# -- conditions inside commands ---------------------------------------------------------------
_rule(
    "floor.take_any_mode",
    {Role.CHAIR},
    "the chair takes the floor in every mode and past the floor's limits; a member only "
    "when the floor's rules let tablets take it (not in request mode)",
    CONDITION,
)
_rule(
    "vote.see_named",
    LIVE_ROLES,
    "each member's choice in a closed round whose choices are shown to the clerk; a round "
    "shown to all shows them to every reader, a secret ballot to no one",
    CONDITION,
)
_rule(
    "vote.follow_progress",
    LIVE_ROLES,
    "while a round is open: how many have cast, who present has not, a named vote's "
    "running tally (the console)",
    CONDITION,
)
_rule(
    "vote.wall_count",
    {Role.DISPLAY},
    "while a round is open, the wall: how many have cast, and the running counts only "
    "when the round shows them to the room",
    CONDITION,
)
_rule(
    "vote.history",
    LIVE_ROLES | {Role.STAFF},
    "every round of the sitting in the snapshot, with a closed round's named list where "
    "the round shows it (consoles, staff); tablets fetch that list when they open it",
    CONDITION,
)
_rule(
    "sitting.be_clerk",
    {Role.CLERK},
    "named the clerk of a sitting: a login whose role in the term is clerk",
    CONDITION,
)
_rule(
    "admin.enter",
    {Role.CLERK},
    "a clerk's login is made able to enter the admin site (Django is_staff); a technical "
    "flag, not a role: it decides nothing here",
    CONDITION,
)

# -- the pages ------------------------------------------------------------------------------
_rule("page.tablet", TABLET_ROLES | {Role.CLERK}, "a seat (member, chair); the clerk", PAGE)
_rule("page.console", LIVE_ROLES, "the chair or the clerk of the sitting", PAGE)
_rule(
    "page.display",
    {Role.DISPLAY, Role.CLERK, Role.CHAIR, Role.STAFF},
    "the wall display; the clerk, the chair and staff reviewers to look at it",
    PAGE,
)
_rule(
    "page.console_index",
    LIVE_ROLES,
    "the chair or the clerk of at least one sitting not closed (the page lists those)",
    PAGE,
)
_rule(
    "page.review",
    REVIEWER_ROLES,
    "staff reviewers (and superusers): the speech archive's review page",
    PAGE,
)
_rule("vote.result", SITTING_ROLES, "everyone in the sitting: a closed round's sheet", PAGE)
_rule(
    "leave.record",
    {Role.CLERK},
    "the clerk of the sitting (or the session clerk): enter, change and withdraw a member's "
    "leave (请假) from the sitting, never while the member is checked in",
    PAGE,
)
_rule(
    "floor.totals",
    {Role.CLERK, Role.STAFF},
    "a member's speaking totals: the session clerk and staff reviewers any member's; "
    "a member their own",
    PAGE,
)
_rule(
    "sessions.prepare",
    {Role.CLERK},
    "the session clerk (a clerk assigned to no single sitting) and superusers: sessions, "
    "sittings, agendas, votes prepared ahead, the roster import, closing a session",
    PAGE,
)
_rule(
    "record.read",
    {Role.CLERK, Role.STAFF},
    "the minutes and the audit trail: staff reviewers; the session clerk; a session's "
    "minutes also the clerk of one of its sittings",
    PAGE,
)
_rule(
    "accounts.reset_password",
    {Role.CLERK},
    "the session clerk (and superusers): a one-time code for the login of a member of the "
    "term they are clerk of, which the member must change at the next login; never a "
    "superuser's login nor their own (that is 修改密码, every login's own)",
    PAGE,
)
_rule(
    "documents.read.public",
    SITTING_ROLES,
    "a public paper: everyone with a role where it is read (its sitting, or for a "
    "session-wide paper the session)",
    PAGE,
)
_rule(
    "documents.read.committee",
    SITTING_ROLES - {Role.DISPLAY},
    "a committee paper: everyone but the wall display",
    PAGE,
)
_rule(
    "documents.read.confidential",
    TABLET_ROLES | {Role.CLERK},
    "a confidential paper: the clerk whole; a seated member as watermarked page images, "
    "never the PDF",
    PAGE,
)
_rule(
    "documents.manage",
    {Role.CLERK},
    "upload, new versions; read in every state (drafts, recalled), every version, the "
    "record and confidential papers whole: the clerk of the paper's sitting (or of a "
    "sitting it is placed on, documents.place); for a session-wide paper the clerk of one "
    "of the session's sittings or the session clerk",
    PAGE,
)
_rule(
    "documents.place",
    {Role.CLERK},
    "place a paper of one sitting's agenda item on another sitting's item of the same "
    "session too (同时列入), or take it off: who may upload there, the clerk of one of the "
    "session's sittings or the session clerk. The paper keeps its state, access level and "
    "versions; that sitting's roles read it as its own papers",
    PAGE,
)
_rule(
    "documents.annotate",
    TABLET_ROLES,
    "a seated member's own notes and ink (private to them)",
    CONDITION,
)
_rule(
    "documents.read_receipt",
    TABLET_ROLES,
    "a seated member's reading is recorded (阅读记录); others' reading is not a deputy duty",
    CONDITION,
)
_rule(
    "clips.review",
    REVIEWER_ROLES,
    "staff reviewers (and superusers): every clip; a member sees only their own",
    PAGE,
)
_rule(
    "clips.delete",
    REVIEWER_ROLES,
    "staff reviewers (and superusers), saying why. Not the clerk, even when the clerk's "
    "login may enter the admin site (Django is_staff): a clip is a member's personal "
    "archive (个人档案), kept for the term; its custodian is the reviewing office, not "
    "the people who run the sitting, and is_staff is a technical flag, not a role",
    PAGE,
)
_rule(
    "clips.play_cited",
    {Role.CHAIR, Role.CLERK, Role.MEMBER, Role.STAFF},
    "whoever may read a released brief (简报) may play the clips it cites, at the quoted "
    "second (the brief's links and QR codes); staff reviewers every clip, a member their "
    "own; no one else (an uncited clip stays the speaker's and the reviewers')",
    PAGE,
)
_rule("summaries.write", REVIEWER_ROLES, "staff reviewers write the points of speeches", PAGE)
_rule("briefs.compile", REVIEWER_ROLES, "staff reviewers compile and revise briefs", PAGE)
_rule(
    "briefs.check",
    REVIEWER_ROLES,
    "a second staff reviewer: any reviewer but the brief's compiler",
    PAGE,
)
_rule(
    "briefs.release",
    REVIEWER_ROLES,
    "a staff reviewer, once a second staff member has checked the brief; the release "
    "itself distributes the brief (简报) as a session document, without the clerk",
    PAGE,
)
_rule(
    "briefs.read_draft",
    REVIEWER_ROLES,
    "drafts and checked briefs are staff work; others read only the released document",
    PAGE,
)
_rule(
    "books.read",
    REVIEWER_ROLES | {Role.MEMBER, Role.CHAIR},
    "一人一册: staff reviewers every member's book, a member their own",
    PAGE,
)
_rule("books.read_term", REVIEWER_ROLES, "一届一本 holds every member: staff reviewers", PAGE)
# 审议意见 (meeting/opinions): a member's opinions on a draft's articles
_rule(
    "opinions.write",
    TABLET_ROLES,
    "a seat in the sitting (member, chair): an opinion (审议意见) on an article of a paper "
    "of that sitting they may read, theirs alone until they submit it; on a recalled paper "
    "no new opinion, those written stay with their author and staff",
    PAGE,
)
_rule(
    "opinions.edit",
    TABLET_ROLES,
    "the author alone edits, submits or deletes an opinion, and only while it is a draft: "
    "a submitted opinion has reached staff and is final",
    CONDITION,
)
_rule(
    "opinions.read_submitted",
    REVIEWER_ROLES,
    "staff reviewers read the submitted opinions (审议意见) of every draft, by article, and "
    "export them for the drafters; an opinion not yet submitted is its author's alone",
    PAGE,
)
_rule(
    "opinions.tie_speech",
    REVIEWER_ROLES,
    "staff reviewers tie a recorded speech, or a stretch of it, to articles of its agenda "
    "item's draft, and untie it (in review, beside the speech's clip)",
    PAGE,
)
# 修改对照 (docs_store/drafts): a draft's version compared with an earlier one
_rule(
    "drafts.compare",
    {Role.CLERK},
    'mark a document version "compare with" another version of the session (修改对照), '
    "or take the mark off: the clerk who manages the paper (documents.manage); the table "
    "itself is read by whoever may read the paper",
    PAGE,
)


# -- asking -----------------------------------------------------------------------------------
def rule(action: str) -> Rule:
    try:
        return RULES[action]
    except KeyError:
        raise LookupError(f"no rule for {action!r} in core/policy.py") from None


def roles_for(action: str) -> frozenset[str]:
    """The roles allowed to ``action``, as the strings sockets carry (the protocol's lists)."""
    return frozenset(str(r.value) for r in rule(action).roles)


def _role(actor: Actor | str | None) -> str | None:
    return actor if isinstance(actor, str) or actor is None else actor.role


def may(actor: Actor | str | None, action: str) -> bool:
    """Whether the actor's role allows ``action`` (conditions on the target come after)."""
    role = _role(actor)
    return role is not None and role in rule(action).roles


def require(actor: Actor | str | None, action: str) -> None:
    """Return when allowed; raise ``DomainError('forbidden')`` naming who may."""
    if not may(actor, action):
        raise DomainError(
            "forbidden",
            f"The {_role(actor)} role may not {action}.",
            allowed=sorted(roles_for(action)),
        )


def is_clerk(actor: Actor | str | None) -> bool:
    """The one definition of "clerk": the clerk role in the sitting at hand."""
    return _role(actor) == Role.CLERK


def is_live(actor: Actor | str | None) -> bool:
    """The chair or the clerk (``LIVE_ROLES``)."""
    return _role(actor) in LIVE_ROLES


def sits(actor: Actor | str | None) -> bool:
    """A seat in the sitting: a member on its roster or its chair (``TABLET_ROLES``)."""
    return _role(actor) in TABLET_ROLES


def may_present(actor: Actor | str, *, member_id: int | None, presenter_id: int | None) -> bool:
    """presenter.*: the chair and the clerk always; a member only as the item's presenter."""
    if is_live(actor):
        return True
    return _role(actor) == Role.MEMBER and member_id is not None and member_id == presenter_id


def may_see_named(role: str | None, visible_to: str) -> bool:
    """vote.see_named: a closed round's choices, by its visibility (all, clerk, nobody)."""
    if visible_to == "all":
        return True
    return visible_to == "clerk" and may(role, "vote.see_named")


_BEYOND_A_SITTING = (
    "accounts.reset_password",
    "documents.manage",
    "floor.totals",
    "record.read",
    "sessions.prepare",
)


def answers(role: str | None, *, pages: bool = False) -> dict[str, bool]:
    """What a login playing ``role`` in a sitting may do there: the actions allowed, each ``True``.

    The snapshot's ``you.may``: the socket's commands and the conditions inside them; a
    tablet, console or wall shows its controls by these and re-derives no rule; an action
    left out is not allowed. ``pages`` adds the pages' rules (the sitting pages' ``may``)
    but those about a session or the term, which a sitting's role does not answer.
    """
    return {
        action: True
        for action, r in sorted(RULES.items())
        if (r.kind != PAGE or (pages and action not in _BEYOND_A_SITTING)) and may(role, action)
    }


def for_templates(answered: dict[str, bool]) -> dict[str, bool]:
    """``answers`` with keys a template can name (``may.seating_save``)."""
    return {action.replace(".", "_"): ok for action, ok in answered.items()}


# -- who a login is -------------------------------------------------------------------------------
COMPONENT = frozenset(COMPONENT_ROLES)


def role_in_sitting(sitting, member, superuser: bool, clerks_any: Callable[[], bool]) -> str | None:
    """The role a login plays in a sitting (``core.roster.sitting_role`` asks this).

    ``member`` is the login's member row in the sitting's term (or None), ``clerks_any``
    answers whether that member is the clerk of any sitting (asked only of a clerk).
    A clerk assigned to a sitting is the clerk of that one only; a clerk assigned to
    none (the session clerk) of every sitting; a superuser is a clerk everywhere. The
    committee chair and vice-chairs preside at plenary sittings; a group's convener
    (the sitting's chair) at the group's.
    """
    if member is None or not member.active:
        return Role.CLERK.value if superuser else None
    if member.role == Role.CLERK:
        if sitting.clerk_id == member.pk:
            return Role.CLERK.value
        return None if clerks_any() else Role.CLERK.value
    if member.role in (Role.STAFF, Role.DISPLAY):
        return str(member.role)
    if sitting.chair_id == member.pk:
        return Role.CHAIR.value
    if sitting.kind == "plenary" and member.role in (Role.CHAIR, Role.VICE_CHAIR):
        return Role.CHAIR.value
    if seated(sitting, member):
        return Role.MEMBER.value
    return None


def is_component_member(role: str | None) -> bool:
    """A component member of the committee (组成人员): a role that has a seat somewhere."""
    return role in COMPONENT


def seated(sitting, member) -> bool:
    """On the sitting's roster: an active component member (of the group, at a group sitting)."""
    if not member.active or member.role not in COMPONENT:
        return False
    return sitting.kind != "group" or member.group_id == sitting.group_id


def role_in_session(
    member, superuser: bool, *, clerks_any: bool, clerks_in_session: bool
) -> str | None:
    """The role a login plays for a session as a whole (its session-wide papers, minutes).

    The clerk: the session clerk (assigned to no single sitting), the clerk of one of
    the session's sittings, a superuser. Asked with ``clerks_in_session=False`` it is
    the role for the term as a whole (the audit trail, members' totals): the session
    clerk alone. Staff and the display are themselves; a component member is a member.
    """
    if member is None or not member.active:
        return Role.CLERK.value if superuser else None
    if member.role == Role.CLERK:
        return Role.CLERK.value if clerks_in_session or not clerks_any else None
    if member.role in (Role.STAFF, Role.DISPLAY):
        return str(member.role)
    return Role.MEMBER.value if member.role in COMPONENT else None


def landing(member_role: str) -> str:
    """The page a login of this term role opens first (``frontend.views.home``)."""
    if member_role == Role.STAFF:
        return "review"
    if member_role == Role.CLERK:
        return "console-index"
    if member_role == Role.DISPLAY:
        return "display"
    return "tablet"


def may_review_clips(user) -> bool:
    """clips.review / clips.delete: a staff reviewer's login (any term) or a superuser."""
    from core.models import Member

    if not user or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    roles = Member.objects.filter(user=user, active=True).values_list("role", flat=True)
    return any(may(r, "clips.review") for r in roles)


def reviewer_may(user, action: str) -> bool:
    """A rule of the staff reviewers' office (summaries, briefs, books) for a login."""
    return may(Role.STAFF, action) and may_review_clips(user)


def may_check_brief(user, brief) -> bool:
    """briefs.check: a second reviewer, never the brief's compiler."""
    return reviewer_may(user, "briefs.check") and user.pk != brief.compiled_by_id


def may_read_book(user, member) -> bool:
    """books.read (一人一册): a reviewer every book, a member their own."""
    if reviewer_may(user, "books.read"):
        return True
    return bool(user and user.is_authenticated and member.user_id == user.pk)


def require_that(allowed: bool, action: str, message: str) -> None:
    """``require`` for a decision already made with a condition (``may_check_brief`` …)."""
    if not allowed:
        raise DomainError("forbidden", message, allowed=sorted(roles_for(action)))


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


def can_reset_password(term_role: str | None, *, own: bool, target_superuser: bool) -> bool:
    """accounts.reset_password: the term's clerk, for another login that is no superuser's."""
    return may(term_role, "accounts.reset_password") and not own and not target_superuser


def check_reset_password(term_role: str | None, *, own: bool, target_superuser: bool) -> None:
    """``can_reset_password`` or the precise refusal: the role, one's own, a superuser's.

    ``term_role`` is the login's role in the member's term (``core.roster.term_role``): a
    clerk of another term has none there, so a clerk resets only the members they serve.
    """
    require(term_role, "accounts.reset_password")
    if own:
        raise DomainError(
            "own_login", "Your own password is changed on the password change page, not reset."
        )
    if target_superuser:
        raise DomainError(
            "protected_login",
            "A superuser's password is not reset here (manage.py changepassword).",
        )


def check_write_opinion(role: str | None, *, in_sitting: bool) -> None:
    """opinions.write: a seat in the sitting, on a paper of that sitting, or the refusal.

    ``in_sitting``: the paper is one of the sitting's (its item's, placed on one of its
    items, or session-wide); an opinion belongs to the sitting it was written in.
    """
    from django.utils.translation import gettext as _

    if not may(role, "opinions.write"):
        raise DomainError(
            "forbidden",
            _("Only members seated in this sitting write opinions on its drafts."),
            allowed=sorted(roles_for("opinions.write")),
        )
    if not in_sitting:
        raise DomainError(
            "not_in_sitting",
            _(
                "This document is not one of this sitting's papers; write the opinion in its sitting."
            ),
        )


def can_edit_opinion(*, member_id: int | None, author_id: int, submitted: bool) -> bool:
    """opinions.edit: the author, while the opinion is a draft."""
    return member_id is not None and member_id == author_id and not submitted


def check_edit_opinion(*, member_id: int | None, author_id: int, submitted: bool) -> None:
    """``can_edit_opinion`` or the precise refusal: another member's, or already submitted."""
    from django.utils.translation import gettext as _

    if member_id is None or member_id != author_id:
        raise DomainError(
            "not_your_opinion",
            _("This opinion is another member's: only its author edits, submits or deletes it."),
        )
    if submitted:
        raise DomainError(
            "opinion_submitted",
            _("This opinion was submitted to staff and can no longer be changed or deleted."),
        )


def check_staff_opinions(user, action: str) -> None:
    """opinions.read_submitted / opinions.tie_speech: a staff reviewer's login, or the
    precise refusal (``forbidden``, naming what only staff do)."""
    from django.utils.translation import gettext as _

    if reviewer_may(user, action):
        return
    message = (
        _("Only staff reviewers tie speeches to the articles of a draft.")
        if action == "opinions.tie_speech"
        else _("Only staff reviewers read the opinions members submitted.")
    )
    raise DomainError("forbidden", message, allowed=sorted(roles_for(action)))


# -- docs/policy.md ---------------------------------------------------------------------------
_ROLE_ORDER = [Role.CHAIR, Role.CLERK, Role.MEMBER, Role.STAFF, Role.DISPLAY]
_SECTIONS = (
    (COMMAND, "Socket commands", "Checked by the socket runner before the command runs."),
    (PAGE, "Pages and downloads", "Checked by the page's view (a URL) before it answers."),
    (CONDITION, "Conditions", "Finer decisions inside a command or a page."),
)


def _table(kind: str) -> list[str]:
    head = "| action | " + " | ".join(str(r.value) for r in _ROLE_ORDER) + " | who, in words |"
    rows = [head, "|---|" + "---|" * len(_ROLE_ORDER) + "---|"]
    for action in sorted(a for a, r in RULES.items() if r.kind == kind):
        r = RULES[action]
        marks = " | ".join("✓" if role in r.roles else "" for role in _ROLE_ORDER)
        rows.append(f"| `{action}` | {marks} | {r.says} |")
    return rows


def table_markdown() -> str:
    """docs/policy.md: every action and who may do it, generated from ``RULES``."""
    sections = []
    for kind, title, intro in _SECTIONS:
        sections.append(f"## {title}\n\n{intro}\n\n" + "\n".join(_table(kind)) + "\n")
    return (
        "# Who may do what (议事权限)\n\n"
        "Generated from `core/policy.py` by `python -m core.policy docs/policy.md`;\n"
        "a test fails when this file is out of step. Roles are the role a login plays in\n"
        "one sitting (`core.roster.sitting_role`): the clerk of the sitting (or\n"
        "the session clerk), its chair (a group's convener, the committee chair and\n"
        "vice-chairs at a plenary), a member on its roster, a staff reviewer, the wall\n"
        "display. Socket commands are checked per command against the role the login has\n"
        "*now* (a chair replaced mid-sitting loses the powers at once, and the socket is\n"
        "closed so it reconnects with its new role). Services check again with the same\n"
        "rule, so a page or an admin path into a service cannot bypass it. A socket's\n"
        "snapshot tells the login what it may do (`sitting.you.may`, the allowed actions of\n"
        "its role); the pages' JavaScript shows controls by it and derives no rule.\n\n"
        "## Who is the clerk\n\n"
        "One definition: **the clerk of a sitting**. A login whose role in the term is\n"
        "clerk is the clerk of the sittings it is assigned to (`Sitting.clerk`) and of no\n"
        "other; a clerk assigned to no sitting is the *session clerk*, the clerk of every\n"
        "sitting of the term; a superuser is a clerk everywhere. So a clerk assigned to\n"
        "one sitting reads that sitting's papers in every state (drafts, confidential\n"
        "papers whole) and the session-wide papers of its session, but not the drafts or\n"
        "confidential papers of another sitting: there it has no role at all. What belongs\n"
        "to a session or the term as a whole is decided by `role_in_session`: a session's\n"
        "papers and minutes are the session clerk's and its sittings' clerks'; preparing\n"
        "and closing sessions, the term's audit trail and members' totals are the session\n"
        "clerk's. Django's `is_staff` flag is not a role: it only lets a login into the\n"
        "admin site.\n\n" + "\n".join(sections)
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
