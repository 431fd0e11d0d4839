"""The committee's domain model: who sits, when, on what.

Rules over these models (quorum, attendance, agenda order, group assignment) live in
``meeting/services``; the models only hold the data and the database constraints that
make the rules impossible to break by accident.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.roles import COMPONENT_ROLES, Role  # noqa: F401  (re-exported)


class Committee(models.Model):
    """The body, e.g. a provincial people's congress standing committee (常务委员会)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("committee")
        verbose_name_plural = _("committees")

    def __str__(self) -> str:
        return self.name


class Term(models.Model):
    """A term of office (届); the deputy record is kept per member per term."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="terms")
    name = models.CharField(_("name"), max_length=100)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    is_current = models.BooleanField(_("current"), default=False)

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        constraints = [
            models.UniqueConstraint(fields=["committee", "name"], name="term_unique_name"),
            models.UniqueConstraint(
                fields=["committee"],
                condition=Q(is_current=True),
                name="term_one_current_per_committee",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.committee.short_name or self.committee.name} {self.name}"


class DeliberationGroup(models.Model):
    """A deliberation group (审议小组); group sittings run one per group in parallel."""

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("deliberation group")
        verbose_name_plural = _("deliberation groups")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["term", "name"], name="group_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


# The roles live in core/roles.py (importable before Django's apps, for the protocol
# and core/policy.py); they are re-exported here where every caller looks for them.


class Member(models.Model):
    """A person's place in a committee for one term, linked to their login.

    "All component members" (全体组成人员) are the active members whose role is member,
    chair or vice-chair; clerks, staff and wall displays have logins but no seat.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="members")
    full_name = models.CharField(_("full name"), max_length=100)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    seat = models.CharField(_("seat"), max_length=20, blank=True)
    # 代表证卡号: the number on the member's card, typed or read at check-in (optional).
    card_number = models.CharField(_("card number"), max_length=32, blank=True)
    group = models.ForeignKey(
        DeliberationGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("deliberation group"),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["seat", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "term"], name="member_one_per_user_term"),
            models.UniqueConstraint(
                fields=["term", "seat"], condition=~Q(seat=""), name="member_unique_seat"
            ),
            models.UniqueConstraint(
                fields=["term", "card_number"],
                condition=~Q(card_number=""),
                name="member_unique_card_number",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.seat})" if self.seat else self.full_name

    @property
    def is_component_member(self) -> bool:
        return self.active and self.role in COMPONENT_ROLES


class Session(models.Model):
    """One meeting of the committee (第N次会议), made of sittings."""

    class State(models.TextChoices):
        PLANNED = "planned", _("planned")
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="sessions")
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PLANNED)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["-starts_on", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["term", "number"], name="session_unique_number"),
        ]

    def __str__(self) -> str:
        return self.title


class Sitting(models.Model):
    """A plenary sitting (全体会议) or a group sitting (分组会议) of a session.

    Group sittings of one session run in parallel; each has its own roster (its group's
    members), presenter, speaking queue and recorder. ``event_seq`` is the last
    sequence number given to an event of this sitting (see ``realtime.events``).
    """

    class Kind(models.TextChoices):
        PLENARY = "plenary", _("plenary sitting")
        GROUP = "group", _("group sitting")

    class State(models.TextChoices):
        PLANNED = "planned", _("planned")
        LIVE = "live", _("live")
        ENDED = "ended", _("ended")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="sittings")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    group = models.ForeignKey(
        DeliberationGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="sittings"
    )
    title = models.CharField(_("title"), max_length=200)
    room = models.CharField(_("room"), max_length=100, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    state = models.CharField(max_length=10, choices=State.choices, default=State.PLANNED)
    chair = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="chaired_sittings",
        help_text=_("Presides (group convener in a group sitting)."),
    )
    clerk = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="clerked_sittings",
        help_text=_("The clerk of this sitting; a clerk with no sitting runs them all."),
    )
    event_seq = models.BigIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("sitting")
        verbose_name_plural = _("sittings")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="group") & Q(group__isnull=False))
                | (Q(kind="plenary") & Q(group__isnull=True)),
                name="sitting_group_iff_group_kind",
            ),
            models.UniqueConstraint(
                fields=["session", "group"],
                condition=Q(kind="group"),
                name="sitting_one_per_group_per_session",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class AgendaItem(models.Model):
    """What a sitting deals with (议程), in order; exactly one may be current."""

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        CURRENT = "current", _("current")
        DONE = "done", _("done")

    class OnTimeUp(models.TextChoices):
        WARN = "warn", _("warn only")
        END = "end", _("end the floor")

    sitting = models.ForeignKey(Sitting, on_delete=models.CASCADE, related_name="agenda_items")
    order = models.PositiveIntegerField(_("order"))
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    presenter = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="presented_items",
        help_text=_("A member allowed to flip pages for this item."),
    )
    first_speech_limit_s = models.PositiveIntegerField(_("first speech limit (s)"), default=600)
    second_speech_limit_s = models.PositiveIntegerField(_("second speech limit (s)"), default=480)
    on_time_up = models.CharField(max_length=10, choices=OnTimeUp.choices, default=OnTimeUp.WARN)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["sitting", "order"]
        constraints = [
            models.UniqueConstraint(fields=["sitting", "order"], name="agenda_unique_order"),
            models.UniqueConstraint(
                fields=["sitting"], condition=Q(state="current"), name="agenda_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"


class Attendance(models.Model):
    """A member's presence at a sitting (签到): checked in, possibly checked out."""

    class Method(models.TextChoices):
        TABLET = "tablet", _("tablet")
        CLERK = "clerk", _("clerk")

    sitting = models.ForeignKey(Sitting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="attendance")
    checked_in_at = models.DateTimeField(_("checked in at"))
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    method = models.CharField(max_length=10, choices=Method.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["sitting", "member"], name="attendance_once"),
        ]

    @property
    def present(self) -> bool:
        return self.checked_out_at is None


class SeatLayout(models.Model):
    """A meeting room's seats as rows facing the chair's table (座位图), per term.

    ``rows`` lists the rows front first (nearest the chair's table), each a list of seat
    numbers left to right as the chair sees them; ``""`` is a gap (an aisle). A sitting
    draws the layout of its room (``Sitting.room``); a room without one gets rows made
    from its roster's seat numbers (``meeting.services.seating``).
    """

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="seat_layouts")
    room = models.CharField(_("room"), max_length=100, blank=True)
    rows = models.JSONField(_("rows"), default=list)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("seat layout")
        verbose_name_plural = _("seat layouts")
        constraints = [
            models.UniqueConstraint(fields=["term", "room"], name="seat_layout_one_per_room"),
        ]

    def __str__(self) -> str:
        return f"{self.term} · {self.room or '—'}"


class AuditEntry(models.Model):
    """One action of a clerk or chair (or a preparation step on the web pages).

    The audit trail (操作日志) is append-only: a row says who did what, when, in which
    session and sitting, with the command's data as sent.
    """

    class Source(models.TextChoices):
        SOCKET = "socket", _("live console")
        WEB = "web", _("preparation pages")

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor = models.CharField(_("who"), max_length=150, help_text=_("Name at the time."))
    role = models.CharField(_("role"), max_length=20)
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, null=True, blank=True, related_name="audit"
    )
    sitting = models.ForeignKey(
        Sitting, on_delete=models.CASCADE, null=True, blank=True, related_name="audit"
    )
    action = models.CharField(_("action"), max_length=60, db_index=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.SOCKET)
    summary = models.CharField(_("what"), max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        db_table = "proceedings_auditentry"  # the table it had when proceedings held it
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["session", "at"], name="audit_session_at"),
            models.Index(fields=["sitting", "at"], name="audit_sitting_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor} {self.action}"
