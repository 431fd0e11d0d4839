"""Protocol messages of electronic voting (电子表决).

Members and the chair cast with ``vote.cast``, which must carry an idempotency ``key``:
a tablet that lost its connection sends the same frame with the same key again and
gets the first answer back (``"repeat": true``), never a second ballot. Clerks and
chairs prepare, open, close, announce, cancel and repeat votes.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from realtime.protocol.base import CommandData, command, event

ERRORS: dict[str, str] = {  # installed by realtime.registration
    "bad_vote": "The vote's definition is not acceptable (options, rule, visibility, countdown).",
    "no_quorum": "A vote cannot open without a quorum of the roster present; details say why.",
    "vote_already_open": "Another vote of this sitting is open; close it first.",
    "vote_not_prepared": "Only a prepared round can be opened.",
    "vote_not_open": "The vote is not open (prepared or cancelled); the ballot was not counted.",
    "vote_closed": "The vote has closed; the ballot or action was not taken.",
    "vote_time_up": "The vote's countdown has run out; the ballot was not counted.",
    "vote_not_closed": "Close or cancel the round before starting a new one.",
    "bad_state": "The vote is not in a state that allows this action.",
    "unknown_option": "The ballot names an option the vote does not have.",
    "unknown_question": "The ballot answers a line the vote does not have.",
    "incomplete_ballot": "Every line of the ballot must be answered.",
    "already_voted": "This member has voted in this round; details carry the ballot "
    "(named votes) so the tablet can show it.",
}


class Rule(CommandData):
    base: Literal["roster", "present", "cast", "decisive"] = "roster"
    numerator: int = Field(default=1, ge=1, le=100)
    denominator: int = Field(default=2, ge=1, le=100)
    strict: bool = True


class Option(CommandData):
    key: str = Field(min_length=1, max_length=40)
    label: str = Field(min_length=1, max_length=40)


@command(
    "vote.prepare",
    idempotent=True,
    example={
        "item": 3,
        "question": "关于《数据条例（草案）》的表决",
        "kind": "named",
        "rule": {"base": "roster", "numerator": 1, "denominator": 2, "strict": True},
        "duration_s": 60,
    },
)
class PrepareVote(CommandData):
    """Prepare a vote on an agenda item. ``questions`` gives one ballot line each
    (personnel votes); empty means one line, the question itself. ``options`` default to
    yes / no / abstain (赞成 / 反对 / 弃权). ``choices_visible`` defaults to ``all`` for a
    named vote and is ``nobody`` for a secret one. Answer: ``{"vote": {...}}``."""

    item: int
    question: str = Field(min_length=1, max_length=500)
    kind: Literal["named", "secret"] = "named"
    questions: list[str] = Field(default_factory=list, max_length=200)
    options: list[Option] | None = None
    rule: Rule = Field(default_factory=Rule)
    duration_s: int | None = Field(default=None, ge=10, le=3600)
    allow_change: bool = False
    show_running: bool = False
    choices_visible: Literal["all", "clerk", "nobody"] | None = None


@command("vote.open", example={"vote": 7})
class OpenVote(CommandData):
    """Open a prepared round. Refused with ``no_quorum`` (details: roster_size, present,
    required) when fewer than a quorum are checked in."""

    vote: int


@command("vote.close", example={"vote": 7})
class CloseVote(CommandData):
    """Close an open round and count it. Answer: ``{"result": {...}}``; a second close
    gets ``vote_closed``."""

    vote: int


@command("vote.announce", example={"vote": 7})
class AnnounceVote(CommandData):
    """Announce a closed round's result (宣布)."""

    vote: int


@command("vote.cancel", example={"vote": 7, "reason": "表决器故障"})
class CancelVote(CommandData):
    """Cancel a prepared or open round; ballots already cast stay on record, uncounted."""

    vote: int
    reason: str = Field(min_length=1, max_length=300)


@command("vote.revote", idempotent=True, example={"vote": 7})
class Revote(CommandData):
    """Prepare a new round of a closed or cancelled vote (重新表决); the old one stays."""

    vote: int


@command(
    "vote.cast",
    idempotent=True,
    example={"vote": 7, "choice": "yes"},
)
class CastBallot(CommandData):
    """Cast the tablet's own member's ballot. One-line votes send ``choice``; several
    lines send ``choices`` as ``{"<question id>": "<option>"}``. Needs a ``key``.
    Answer: ``{"vote", "round", "cast_at", "receipt", "changed", "choices"?}`` —
    ``choices`` is absent for a secret vote; ``receipt`` is the ballot's audit hash."""

    vote: int
    choice: str | None = Field(default=None, max_length=40)
    choices: dict[str, str] | None = Field(default=None, max_length=200)


@command("vote.audit", example={"vote": 7})
class AuditVote(CommandData):
    """Check a round's audit chain; a member also gets their own entries (to see that
    their named ballot is in the record). Answer: ``{"chain": {...}, "mine": [...]}``."""

    vote: int


_VOTE = {
    "id": 7,
    "item": 3,
    "question": "关于《数据条例（草案）》的表决",
    "kind": "named",
    "options": [
        {"key": "yes", "label": "赞成"},
        {"key": "no", "label": "反对"},
        {"key": "abstain", "label": "弃权"},
    ],
    "questions": [{"id": 11, "order": 1, "text": "关于《数据条例（草案）》的表决"}],
    "rule": {
        "base": "roster",
        "numerator": 1,
        "denominator": 2,
        "strict": True,
        "words": "more than half",
        "words_zh": "过半数",
        "label": "more than half of component members",
        "label_zh": "全体组成人员的过半数",
    },
    "duration_s": 60,
    "allow_change": False,
    "show_running": False,
    "choices_visible": "all",
    "state": "open",
    "round": 1,
    "previous": None,
    "opened_at": "2026-11-24T09:30:00+08:00",
    "closes_at": "2026-11-24T09:31:00+08:00",
    "closed_at": None,
    "announced_at": None,
    "cancel_reason": "",
}
_RESULT = {
    "vote": 7,
    "roster_size": 65,
    "present": 55,
    "cast": 53,
    "did_not_vote": 2,
    "absent": 10,
    "passed": True,
    "questions": [
        {
            "id": 11,
            "text": "关于《数据条例（草案）》的表决",
            "counts": {"yes": 40, "no": 8, "abstain": 5},
            "outcome": {
                "passed": True,
                "required": 33,
                "base_size": 65,
                "yes": 40,
                "explanation": "yes 40 of 65 component members; more than half requires 33: passed",
                "explanation_zh": "赞成40票，全体组成人员65名，过半数需33票：通过",
            },
        }
    ],
    "closed_at": "2026-11-24T09:31:00+08:00",
    "named": [{"member": 12, "name": "委员1", "seat": "002", "choices": {"11": "yes"}}],
}

VOTE_PREPARED = event("vote.prepared", "A vote (or a new round) was prepared.", {"vote": _VOTE})
VOTE_OPENED = event(
    "vote.opened",
    "A round opened: tablets show the ballot and the countdown.",
    {"vote": _VOTE, "quorum": {"roster_size": 65, "present": 55, "required": 33, "reached": True}},
)
_PUBLIC_RESULT = {k: v for k, v in _RESULT.items() if k != "named"} | {"named_available": True}
VOTE_CLOSED = event(
    "vote.closed",
    "A round closed and was counted: counts, outcome, who did not vote, absentees. The "
    "per-member list of a named vote is not in it (150 kB at 2,000 members): "
    "`named_available` says whether this audience may load it from "
    "`/votes/<id>/result.json`; consoles get it as `vote.named_result`.",
    {"vote": _VOTE, "result": _PUBLIC_RESULT},
)
VOTE_ANNOUNCED = event(
    "vote.announced", "The chair announced the result.", {"vote": _VOTE, "passed": True}
)
VOTE_CANCELLED = event("vote.cancelled", "A round was cancelled.", {"vote": _VOTE})
VOTE_PROGRESS = event(
    "vote.progress",
    "The open round's progress as the server counts it: `cast` (the server's count) and "
    "running `counts` only when the vote shows them (never for a secret ballot). After "
    "a ballot, at once: `cast`, and for a named vote `member` whose ballot it was; in a "
    "burst (on PostgreSQL) at most one such notice per 0.1 s from each server process, "
    "the later one with the highest `cast` and no `member` when it stands for several. "
    "Then, for clerks and chairs, a progress with `not_voted` — everyone present who has "
    "not cast, in seat order (for a secret ballot too: it says who took part, never a "
    "choice) — read after the commit and coalesced over a burst of ballots (one for "
    "many, at most one a second; the last one after the last ballot). `not_voted` also comes when the round "
    "opens and after each check-in or check-out; for a named vote it carries the running "
    "`counts` too (the clerk's tally; never for a secret ballot). A progress with a lower "
    "`cast` than one already seen is older: ignore it. The wall gets `cast` after every "
    'ballot, named or secret (it shows "已表决 N / 应到 M"), and `counts` only when the '
    "vote shows them.",
    {
        "vote": 7,
        "cast": 41,
        "member": 12,
        "not_voted": [{"id": 13, "name": "委员2", "seat": "003"}],
    },
    sequenced=False,
    audience="clerks and chairs of the sitting, and the wall display",
)
VOTE_NAMED_RESULT = event(
    "vote.named_result",
    "Each member's choice of a closed named vote, for the consoles.",
    {"vote": 7, "named": _RESULT["named"]},
    sequenced=False,
    audience="clerks and chairs of the sitting",
)
