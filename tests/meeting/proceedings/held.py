"""A plenary sitting that happened: attendance, two speeches, a named and a secret vote."""

from __future__ import annotations

from harness.actors import CLERK
from meeting.floor.services import floor
from meeting.rules import MAJORITY_OF_ROSTER
from meeting.services import agenda, attendance
from meeting.voting.services.casting import cast
from meeting.voting.services.definition import VoteSpec, prepare
from meeting.voting.services.lifecycle import announce, close_vote, open_vote


def ballot(vote, option: str) -> dict[str, str]:
    return {str(q.pk): option for q in vote.questions.all()}


def run_vote(sitting, item, question, kind, choices: dict) -> object:
    v = prepare(
        sitting.pk,
        VoteSpec(item_id=item.pk, question=question, kind=kind, rule=MAJORITY_OF_ROSTER),
        actor=CLERK,
    )
    open_vote(sitting.pk, v.pk, actor=CLERK)
    for member, option in choices.items():
        cast(sitting.pk, v.pk, member.pk, ballot(v, option))
    close_vote(sitting.pk, v.pk, actor=CLERK)
    announce(sitting.pk, v.pk, actor=CLERK)
    v.refresh_from_db()
    return v


def hold_plenary(c) -> dict:
    """Everyone but m8 checks in; m1 and m2 speak on item 1; two votes on item 1."""
    s = c.plenary
    everyone = [c.chair, *c.members]
    for m in everyone[:-1]:
        attendance.check_in(s.pk, m, method="tablet", by_user_id=m.user_id)
    item = s.agenda_items.get(order=1)
    agenda.open_item(s.pk, item.pk, actor=CLERK)
    for m in c.members[:2]:
        sp = floor.grant(s.pk, role="clerk", by_user_id=c.clerk.user_id, member_id=m.pk)
        floor.end(s.pk, role="clerk", speech_id=sp.pk)
    m = c.members
    named = run_vote(
        s,
        item,
        "通过《数据条例（草案）》",
        "named",
        {
            c.chair: "yes",
            m[0]: "yes",
            m[1]: "yes",
            m[2]: "yes",
            m[3]: "yes",
            m[4]: "no",
            m[5]: "abstain",
        },
    )  # 5 yes of 9 component members: more than half passes; m6 present, did not vote
    secret = run_vote(
        s,
        item,
        "任命某某为副主任",
        "secret",
        {c.chair: "yes", m[0]: "yes", m[1]: "no", m[2]: "no", m[3]: "abstain", m[4]: "yes"},
    )  # 3 yes of 9: fails
    return {"item": item, "named": named, "secret": secret}
