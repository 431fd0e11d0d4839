"""Votes (表决), ballots, results and their audit chain.

The shape of the tables is itself part of the secrecy of a secret ballot (无记名投票):

- ``Ballot`` says *that* a member took part in a round. It exists for named and secret
  votes alike, and its unique ``(vote, member)`` is what makes "one ballot per member
  per round" a rule of the database rather than of the code.
- ``NamedChoice`` says *what* a member chose, and exists only for named votes.
- ``SecretTally`` holds, for a secret vote, counters per question and option and
  nothing else: no member, no timestamp, no row per ballot, so neither a column nor
  an ordering nor an insertion time can tie a member to a choice. Each option's count
  is split over ``TALLY_SHARDS`` rows, a ballot adding to one chosen at random (never
  by member), so 3,000 ballots in five seconds do not queue on one counter's row lock.

A revote (new round) is a new ``Vote`` row pointing at the one it repeats; the earlier
round, its ballots and its result stay on record.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from meeting.rules import BASES, DecisionRule

DEFAULT_OPTIONS = [
    {"key": "yes", "label": "赞成"},
    {"key": "no", "label": "反对"},
    {"key": "abstain", "label": "弃权"},
]


class Vote(models.Model):
    """One round of a vote on an agenda item: question(s), options, rule, visibility, state."""

    class Kind(models.TextChoices):
        NAMED = "named", _("named (roll-call)")
        SECRET = "secret", _("secret")

    class State(models.TextChoices):
        PREPARED = "prepared", _("prepared")
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")
        ANNOUNCED = "announced", _("announced")
        CANCELLED = "cancelled", _("cancelled")

    class Visibility(models.TextChoices):
        ALL = "all", _("shown to all")
        CLERK = "clerk", _("clerk only")
        NOBODY = "nobody", _("nobody")

    sitting = models.ForeignKey("meeting.Sitting", on_delete=models.CASCADE, related_name="votes")
    item = models.ForeignKey("meeting.AgendaItem", on_delete=models.PROTECT, related_name="votes")
    question = models.CharField(_("question"), max_length=500)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    options = models.JSONField(_("options"), default=list)
    rule_base = models.CharField(max_length=10, choices=[(b, b) for b in BASES])
    rule_numerator = models.PositiveSmallIntegerField(default=1)
    rule_denominator = models.PositiveSmallIntegerField(default=2)
    rule_strict = models.BooleanField(default=True)
    duration_s = models.PositiveIntegerField(_("countdown (s)"), null=True, blank=True)
    allow_change = models.BooleanField(_("ballot may be changed before the close"), default=False)
    show_running = models.BooleanField(_("running counts shown"), default=False)
    choices_visible = models.CharField(
        _("individual choices shown to"), max_length=10, choices=Visibility.choices
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.PREPARED)
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next_round"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    announced_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)
    audit_seq = models.PositiveIntegerField(default=0, editable=False)
    audit_head = models.CharField(max_length=64, default="0" * 64, editable=False)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["sitting", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["sitting"], condition=Q(state="open"), name="vote_one_open_per_sitting"
            ),
            models.CheckConstraint(
                condition=Q(kind="named")
                | (Q(choices_visible="nobody") & Q(show_running=False) & Q(allow_change=False)),
                name="vote_secret_shows_nothing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question} (round {self.round})" if self.round > 1 else self.question

    @property
    def rule(self) -> DecisionRule:
        return DecisionRule(
            self.rule_base, self.rule_numerator, self.rule_denominator, self.rule_strict
        )

    @property
    def option_keys(self) -> list[str]:
        return [o["key"] for o in self.options]

    @property
    def is_secret(self) -> bool:
        return self.kind == self.Kind.SECRET

    @property
    def cast_count(self) -> int:
        """How many members have cast a ballot in this round, counted from the ballots.

        Not a counter on this row: every ballot would update the row and so queue on its
        lock, one after another (2,000 ballots answered in 22 s; issue 27).
        """
        return Ballot.objects.filter(vote_id=self.pk).count()


class Question(models.Model):
    """One line of the ballot; a personnel vote has one per appointee, others just one."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=500)

    class Meta:
        ordering = ["vote", "order"]
        constraints = [
            models.UniqueConstraint(fields=["vote", "order"], name="question_unique_order"),
        ]


class Ballot(models.Model):
    """That a member took part in a round (参与): never what they chose."""

    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="ballots")
    member = models.ForeignKey("meeting.Member", on_delete=models.PROTECT, related_name="+")
    cast_at = models.DateTimeField()
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["vote", "member"], name="ballot_one_per_member"),
        ]


class NamedChoice(models.Model):
    """What a member chose on one question of a named (记名) vote."""

    ballot = models.ForeignKey(Ballot, on_delete=models.PROTECT, related_name="choices")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    option = models.CharField(max_length=40)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ballot", "question"], name="choice_one_per_question"),
        ]


TALLY_SHARDS = 16  # rows per question and option of a secret vote's tally


class SecretTally(models.Model):
    """Counters per question and option of a secret vote; created at the open, all zero.

    An option's count is the sum over its ``TALLY_SHARDS`` rows (``shard``); a ballot
    adds one to a shard drawn at random, which says nothing of who cast it.
    """

    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="tallies")
    option = models.CharField(max_length=40)
    shard = models.PositiveSmallIntegerField(default=0)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["question", "option", "shard"], name="tally_unique_option_shard"
            ),
        ]


class Result(models.Model):
    """The counted result of a closed round, kept with the session for good."""

    vote = models.OneToOneField(Vote, on_delete=models.PROTECT, related_name="result")
    roster_size = models.PositiveIntegerField()
    present = models.PositiveIntegerField()
    cast = models.PositiveIntegerField()
    did_not_vote = models.PositiveIntegerField()
    absent = models.PositiveIntegerField()
    passed = models.BooleanField()
    questions = models.JSONField(help_text="Per question: text, counts, outcome.")
    named = models.JSONField(null=True, blank=True, help_text="Named votes: each member's choice.")
    # Who took no part, as it stood at the close (the result sheet prints it a year later):
    # {"did_not_vote": [{id, name, seat}], "absent": [...]}. Participation only, never a
    # choice, so a secret round keeps it too (docs/voting.md). Null for older results.
    people = models.JSONField(null=True, blank=True, help_text="Non-voters and absentees.")
    closed_at = models.DateTimeField()


class AuditEntry(models.Model):
    """Append-only record of a round (open, each ballot, close…), sealed by SHA-256.

    The round's steps (open, close, announce, cancel) are a chain: ``seq`` numbers them
    and ``hash`` covers the previous entry's hash and this entry's content. A ballot (or
    a change of one) is a leaf: no ``seq``, no ``prev_hash``, its ``hash`` over its own
    content; the close entry seals a digest of every leaf, so after the close editing,
    adding or removing any entry is detected (``services.audit.verify``). Ballots are
    leaves so that they need not take turns for the next number (issue 27). Rounds
    recorded before kept their ballots in the chain; both verify. For a secret vote a
    ballot entry records participation only.
    """

    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="audit")
    seq = models.PositiveIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=20)
    member = models.ForeignKey(
        "meeting.Member", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    body = models.JSONField(default=dict)
    at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["vote", "at", "id"]  # as they happened (a ballot leaf has no seq)
        constraints = [
            models.UniqueConstraint(fields=["vote", "seq"], name="audit_unique_seq"),
        ]
