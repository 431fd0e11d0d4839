"""Preparing a vote (准备表决) and starting a new round of one (重新表决).

A vote is prepared by the clerk on an agenda item of the sitting; everything that
decides it (questions, options, rule, visibility) is fixed here, before anyone votes,
and never changes afterwards: a revote is a new round with its own row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import transaction

from core import policy
from core.errors import DomainError
from core.events import emit
from core.models import AgendaItem, Sitting
from meeting.rules import MAJORITY_OF_ROSTER, DecisionRule
from meeting.voting.models import DEFAULT_OPTIONS, Question, Vote
from meeting.voting.services.common import vote_in_sitting
from meeting.voting.services.payloads import vote_payload

OPTION_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_QUESTIONS = 200
MAX_OPTIONS = 10

# What each kind of vote allows; ``prepare`` refuses anything else, and the consoles'
# prepare form offers these (the votes snapshot's ``kinds``). A secret ballot shows no
# choices, no running counts, and cannot be changed (changing needs the choice known).
KIND_OPTIONS: dict[str, dict] = {
    Vote.Kind.NAMED.value: {
        "allow_change": True,
        "show_running": True,
        "choices_visible": [Vote.Visibility.ALL.value, Vote.Visibility.CLERK.value],
    },
    Vote.Kind.SECRET.value: {
        "allow_change": False,
        "show_running": False,
        "choices_visible": [Vote.Visibility.NOBODY.value],
    },
}


@dataclass
class VoteSpec:
    """What the clerk fills in; validated by ``prepare``."""

    item_id: int
    question: str
    kind: str = Vote.Kind.NAMED
    questions: list[str] = field(default_factory=list)
    options: list[dict] = field(default_factory=lambda: [dict(o) for o in DEFAULT_OPTIONS])
    rule: DecisionRule = MAJORITY_OF_ROSTER
    duration_s: int | None = None
    allow_change: bool = False
    show_running: bool = False
    choices_visible: str | None = None


def _bad(message: str, **details) -> DomainError:
    return DomainError("bad_vote", message, **details)


def _check_options(options: list[dict]) -> None:
    keys = [o.get("key") for o in options]
    if not 2 <= len(options) <= MAX_OPTIONS:
        raise _bad(f"A ballot needs 2 to {MAX_OPTIONS} options.")
    if any(not isinstance(k, str) or not OPTION_KEY.match(k) for k in keys):
        raise _bad("Option keys are lower-case words (a-z, 0-9, _).", options=keys)
    if len(set(keys)) != len(keys):
        raise _bad("Option keys must differ.", options=keys)
    if "yes" not in keys:
        raise _bad("A decided vote needs a 'yes' option: the rule counts yes votes.")
    if any(not str(o.get("label", "")).strip() for o in options):
        raise _bad("Every option needs a label shown on the tablet.")


def _check_spec(spec: VoteSpec) -> str:
    """Validate; returns the effective visibility of individual choices."""
    if not spec.question.strip():
        raise _bad("The question is empty.")
    if spec.kind not in Vote.Kind.values:
        raise _bad(f"Unknown kind {spec.kind!r}.")
    if len(spec.questions) > MAX_QUESTIONS or any(not q.strip() for q in spec.questions):
        raise _bad(f"Ballot lines must be non-empty, at most {MAX_QUESTIONS}.")
    _check_options(spec.options)
    if spec.duration_s is not None and not 10 <= spec.duration_s <= 3600:
        raise _bad("A countdown runs from 10 seconds to one hour.")
    visible = spec.choices_visible or (
        Vote.Visibility.NOBODY if spec.kind == Vote.Kind.SECRET else Vote.Visibility.ALL
    )
    if visible not in Vote.Visibility.values:
        raise _bad(f"Unknown visibility {visible!r}.")
    allowed = KIND_OPTIONS[spec.kind]
    if (
        visible not in allowed["choices_visible"]
        or (spec.show_running and not allowed["show_running"])
        or (spec.allow_change and not allowed["allow_change"])
    ):
        if spec.kind == Vote.Kind.SECRET:
            raise _bad(
                "A secret ballot shows no choices, no running counts, and cannot be changed "
                "(changing would need to know what was chosen)."
            )
        raise _bad("A named vote records choices; show them to all or to the clerk.")
    return visible


@transaction.atomic
def prepare(
    sitting_id: int, spec: VoteSpec, *, actor: policy.Actor, by_user_id: int | None = None
) -> Vote:
    """Create a vote in the ``prepared`` state on an item of this sitting."""
    policy.require(actor, "vote.prepare")
    sitting = Sitting.objects.select_for_update().get(pk=sitting_id)
    if sitting.state == Sitting.State.ENDED:
        raise DomainError("sitting_ended", f"{sitting} has ended.")
    if not AgendaItem.objects.filter(pk=spec.item_id, sitting=sitting).exists():
        raise DomainError("not_found", f"Agenda item {spec.item_id} is not on this agenda.")
    visible = _check_spec(spec)
    vote = Vote.objects.create(
        sitting=sitting,
        item_id=spec.item_id,
        question=spec.question.strip(),
        kind=spec.kind,
        options=[{"key": o["key"], "label": str(o["label"]).strip()} for o in spec.options],
        rule_base=spec.rule.base,
        rule_numerator=spec.rule.numerator,
        rule_denominator=spec.rule.denominator,
        rule_strict=spec.rule.strict,
        duration_s=spec.duration_s,
        allow_change=spec.allow_change,
        show_running=spec.show_running,
        choices_visible=visible,
        created_by_id=by_user_id,
    )
    lines = [q.strip() for q in spec.questions] or [vote.question]
    Question.objects.bulk_create(
        Question(vote=vote, order=n, text=t) for n, t in enumerate(lines, start=1)
    )
    emit(sitting.pk, "vote.prepared", {"vote": vote_payload(vote)})
    return vote


_COPIED = [
    "sitting_id",
    "item_id",
    "question",
    "kind",
    "options",
    "rule_base",
    "rule_numerator",
    "rule_denominator",
    "rule_strict",
    "duration_s",
    "allow_change",
    "show_running",
    "choices_visible",
]


@transaction.atomic
def revote(
    sitting_id: int, vote_id: int, *, actor: policy.Actor, by_user_id: int | None = None
) -> Vote:
    """A new round of a closed, announced or cancelled vote; the earlier round stays."""
    policy.require(actor, "vote.revote")
    old = vote_in_sitting(sitting_id, vote_id, lock=True)
    if old.state in (Vote.State.PREPARED, Vote.State.OPEN):
        raise DomainError("vote_not_closed", "Close or cancel this round before a new one.")
    if Vote.objects.filter(previous=old).exists():
        raise DomainError("conflict", "A new round of this vote already exists.")
    fields = {name: getattr(old, name) for name in _COPIED}
    vote = Vote.objects.create(
        **fields, round=old.round + 1, previous=old, created_by_id=by_user_id
    )
    Question.objects.bulk_create(
        Question(vote=vote, order=q.order, text=q.text) for q in old.questions.all()
    )
    emit(sitting_id, "vote.prepared", {"vote": vote_payload(vote)})
    return vote
