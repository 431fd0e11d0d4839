"""Handlers of the voting commands: decode → one voting service → reply."""

from __future__ import annotations

from core import policy
from core.errors import DomainError
from meeting.rules import DecisionRule
from meeting.voting import services
from meeting.voting.models import DEFAULT_OPTIONS
from meeting.voting.services import audit
from meeting.voting.services.common import vote_in_sitting
from meeting.voting.services.definition import KIND_OPTIONS
from meeting.voting.services.payloads import result_payload, vote_payload
from meeting.voting.services.views_data import votes_shared, with_mine
from realtime.context import Context
from realtime.handlers import handles
from realtime.snapshot import Split


@handles("vote.prepare")
def handle_prepare(ctx: Context, cmd) -> dict:
    try:
        rule = DecisionRule(**cmd.rule.model_dump())
    except ValueError as exc:
        raise DomainError("bad_vote", str(exc)) from None
    spec = services.VoteSpec(
        item_id=cmd.item,
        question=cmd.question,
        kind=cmd.kind,
        questions=list(cmd.questions),
        options=[o.model_dump() for o in cmd.options] if cmd.options else DEFAULT_OPTIONS,
        rule=rule,
        duration_s=cmd.duration_s,
        allow_change=cmd.allow_change,
        show_running=cmd.show_running,
        choices_visible=cmd.choices_visible,
    )
    vote = services.prepare(ctx.sitting_id, spec, actor=ctx, by_user_id=ctx.user_id)
    return {"vote": vote_payload(vote)}


@handles("vote.open")
def handle_open(ctx: Context, cmd) -> dict:
    return {"vote": vote_payload(services.open_vote(ctx.sitting_id, cmd.vote, actor=ctx))}


@handles("vote.close")
def handle_close(ctx: Context, cmd) -> dict:
    result = services.close_vote(ctx.sitting_id, cmd.vote, actor=ctx)
    return {"result": result_payload(result, with_named=True)}


@handles("vote.announce")
def handle_announce(ctx: Context, cmd) -> dict:
    return {"vote": vote_payload(services.announce(ctx.sitting_id, cmd.vote, actor=ctx))}


@handles("vote.cancel")
def handle_cancel(ctx: Context, cmd) -> dict:
    return {"vote": vote_payload(services.cancel(ctx.sitting_id, cmd.vote, cmd.reason, actor=ctx))}


@handles("vote.revote")
def handle_revote(ctx: Context, cmd) -> dict:
    return {
        "vote": vote_payload(
            services.revote(ctx.sitting_id, cmd.vote, actor=ctx, by_user_id=ctx.user_id)
        )
    }


@handles("vote.cast")
def handle_cast(ctx: Context, cmd) -> dict:
    if ctx.member_id is None:
        raise DomainError("not_component_member", "This login has no seat in the committee.")
    receipt = services.cast(ctx.sitting_id, cmd.vote, ctx.member_id, cmd.choices, choice=cmd.choice)
    return receipt.as_dict()


@handles("vote.audit")
def handle_audit(ctx: Context, cmd) -> dict:
    vote = vote_in_sitting(ctx.sitting_id, cmd.vote)
    out: dict = {"chain": audit.verify(vote).as_dict()}
    if ctx.member_id is not None:
        out["mine"] = audit.member_entries(vote, ctx.member_id)
    return out


def _votes_view(data: tuple, ctx: Context) -> dict:
    shared, rounds = data
    out = with_mine(shared, rounds, ctx.member_id)  # reads the own ballot, if any round
    if policy.may(ctx.role, "vote.prepare"):  # the prepare form offers what each kind allows
        out = {**out, "kinds": KIND_OPTIONS}
    return out


# the votes read once per role; the reader's own ballot added per socket (when a round is
# open or just closed); without one every socket of the role sees the same part
votes_part = Split(
    lambda sitting, ctx: votes_shared(sitting, ctx.role),
    _votes_view,
    key=lambda data, ctx: "same" if not data[1] or ctx.member_id is None else None,
)
