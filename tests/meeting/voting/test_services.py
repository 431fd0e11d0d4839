"""Voting services: lifecycle, casting, counting, refusals that change nothing."""

from __future__ import annotations

import pytest

from core.errors import DomainError
from harness.actors import CLERK
from meeting.rules import DecisionRule
from meeting.services import attendance
from meeting.voting import services
from meeting.voting.models import AuditEntry, Ballot, NamedChoice, Result, Vote
from realtime.models import SittingEvent
from tests.meeting.voting.conftest import line

pytestmark = pytest.mark.django_db


def ballots_state(vote: Vote) -> tuple:
    """Everything a refused ballot could have touched."""
    vote.refresh_from_db()
    return (
        vote.state,
        vote.audit_seq,
        vote.audit_head,
        sorted(Ballot.objects.filter(vote=vote).values_list("member_id", flat=True)),
        sorted(NamedChoice.objects.filter(ballot__vote=vote).values_list("option", flat=True)),
        SittingEvent.objects.count(),
    )


def cast(room, vote, member, option):
    return services.cast(room.plenary.pk, vote.pk, member.pk, {line(vote): option})


def test_full_named_round_counts_against_the_roster(room, open_vote):
    vote = open_vote()
    for m, opt in zip(room.voters, ["yes", "yes", "yes", "yes", "no", "abstain"], strict=False):
        cast(room, vote, m, opt)
    # The 7th present member (m6) did not press: "did not vote", apart from abstain.
    result = services.close_vote(room.plenary.pk, vote.pk, actor=CLERK)
    q = result.questions[0]
    assert q["counts"] == {"yes": 4, "no": 1, "abstain": 1}
    assert (result.roster_size, result.present, result.cast) == (9, 7, 6)
    assert (result.did_not_vote, result.absent) == (1, 2)
    # More than half of 9 component members is 5: 4 yes fails.
    assert q["outcome"]["required"] == 5 and result.passed is False
    assert "yes 4 of 9 component members; more than half requires 5" in q["outcome"]["explanation"]
    assert [n["choices"][line(vote)] for n in result.named] == [
        "yes",
        "yes",
        "yes",
        "yes",
        "no",
        "abstain",
    ]
    vote.refresh_from_db()
    assert vote.state == "closed"
    types = list(SittingEvent.objects.values_list("type", flat=True).order_by("seq"))
    assert types[-3:] == ["vote.prepared", "vote.opened", "vote.closed"]


def test_present_base_passes_where_roster_base_fails(room, open_vote):
    vote = open_vote(rule=DecisionRule("present", 1, 2, True))
    for m in room.voters[:4]:
        cast(room, vote, m, "yes")
    result = services.close_vote(room.plenary.pk, vote.pk, actor=CLERK)
    assert result.questions[0]["outcome"]["required"] == 4 and result.passed


def test_personnel_vote_decides_each_line(room, open_vote):
    vote = open_vote(question="任命案", questions=["任命张三", "任命李四"])
    q1, q2 = [str(q.pk) for q in vote.questions.order_by("order")]
    for m in room.voters[:5]:
        services.cast(room.plenary.pk, vote.pk, m.pk, {q1: "yes", q2: "no"})
    result = services.close_vote(room.plenary.pk, vote.pk, actor=CLERK)
    assert [q["outcome"]["passed"] for q in result.questions] == [True, False]
    assert result.passed is False


def test_open_without_quorum_is_refused_with_the_arithmetic(room, make_vote):
    committee = room
    from tests.meeting.voting.conftest import check_in

    vote = make_vote()
    # room fixture checked in 7; check 3 out → 4 of 9, quorum needs 5
    for m in committee.voters[:3]:
        attendance.check_out(committee.plenary.pk, m)
    with pytest.raises(DomainError) as exc:
        services.open_vote(committee.plenary.pk, vote.pk, actor=CLERK)
    assert exc.value.code == "no_quorum"
    assert exc.value.details == {"roster_size": 9, "present": 4, "required": 5, "reached": False}
    assert "4 of 9 component members present; more than half requires 5" in exc.value.message
    vote.refresh_from_db()
    assert vote.state == "prepared" and vote.audit_seq == 0
    check_in(committee.plenary, committee.voters[:1])
    assert services.open_vote(committee.plenary.pk, vote.pk, actor=CLERK).state == "open"


@pytest.mark.parametrize(
    "who,setup,code",
    [
        ("outsider_member", None, "not_on_roster"),
        ("absent", None, "not_checked_in"),
        ("voter", "closed", "vote_closed"),
        ("voter", "prepared", "vote_not_open"),
        ("voter", "cancelled", "vote_not_open"),
        ("voter", "bad_option", "unknown_option"),
        ("voter", "bad_line", "unknown_question"),
        ("voter", "empty", "incomplete_ballot"),
        ("voter", "other_sitting", "not_found"),
    ],
)
def test_refused_ballots_change_nothing(room, make_vote, who, setup, code):
    vote = make_vote()
    if setup != "prepared":
        services.open_vote(room.plenary.pk, vote.pk, actor=CLERK)
        cast(room, vote, room.voters[1], "yes")  # one good ballot already in
    if setup == "closed":
        services.close_vote(room.plenary.pk, vote.pk, actor=CLERK)
    if setup == "cancelled":
        services.cancel(room.plenary.pk, vote.pk, "设备故障", actor=CLERK)
    member = {
        "voter": room.voters[0],
        "absent": room.members[7],
        "outsider_member": room.clerk,
    }[who]
    answers = {line(vote): "yes"}
    sitting = room.plenary.pk
    if setup == "bad_option":
        answers = {line(vote): "maybe"}
    elif setup == "bad_line":
        answers = {line(vote): "yes", "999999": "no"}
    elif setup == "empty":
        answers = {}
    elif setup == "other_sitting":
        sitting = room.group_a_sitting.pk
    before = ballots_state(vote)
    with pytest.raises(DomainError) as exc:
        services.cast(sitting, vote.pk, member.pk, answers)
    assert exc.value.code == code
    assert ballots_state(vote) == before


def test_second_ballot_is_refused_and_shows_the_first(room, open_vote):
    vote = open_vote()
    cast(room, vote, room.voters[0], "no")
    before = ballots_state(vote)
    with pytest.raises(DomainError) as exc:
        cast(room, vote, room.voters[0], "yes")
    assert exc.value.code == "already_voted"
    assert exc.value.details["choices"] == {line(vote): "no"}
    assert ballots_state(vote) == before


def test_changing_a_ballot_where_allowed_keeps_one_ballot(room, open_vote):
    vote = open_vote(allow_change=True)
    cast(room, vote, room.voters[0], "no")
    receipt = cast(room, vote, room.voters[0], "yes")
    assert receipt.changed and receipt.choices == {line(vote): "yes"}
    assert Ballot.objects.filter(vote=vote).count() == 1
    result = services.close_vote(room.plenary.pk, vote.pk, actor=CLERK)
    assert result.questions[0]["counts"]["yes"] == 1 and result.questions[0]["counts"]["no"] == 0
    kinds = list(AuditEntry.objects.filter(vote=vote).values_list("kind", flat=True))
    assert kinds == ["open", "ballot", "change", "close"]


def test_ballot_after_countdown_is_refused(room, open_vote):
    import datetime as dt

    vote = open_vote(duration_s=10)
    Vote.objects.filter(pk=vote.pk).update(closes_at=vote.opened_at - dt.timedelta(seconds=1))
    before = ballots_state(vote)
    with pytest.raises(DomainError) as exc:
        cast(room, vote, room.voters[0], "yes")
    assert exc.value.code == "vote_time_up"
    assert ballots_state(vote) == before


def test_second_close_is_refused_and_result_is_kept_once(room, open_vote):
    vote = open_vote()
    cast(room, vote, room.voters[0], "yes")
    first = services.close_vote(room.plenary.pk, vote.pk, actor=CLERK)
    with pytest.raises(DomainError) as exc:
        services.close_vote(room.plenary.pk, vote.pk, actor=CLERK)
    assert exc.value.code == "vote_closed"
    assert Result.objects.filter(vote=vote).count() == 1
    assert Result.objects.get(vote=vote).pk == first.pk


def test_only_one_open_vote_per_sitting(room, open_vote, make_vote):
    first = open_vote()
    second = make_vote(question="第二个")
    with pytest.raises(DomainError) as exc:
        services.open_vote(room.plenary.pk, second.pk, actor=CLERK)
    assert exc.value.code == "vote_already_open" and exc.value.details == {"vote": first.pk}
    second.refresh_from_db()
    assert second.state == "prepared"


def test_revote_keeps_the_earlier_round(room, open_vote):
    vote = open_vote()
    cast(room, vote, room.voters[0], "yes")
    services.close_vote(room.plenary.pk, vote.pk, actor=CLERK)
    again = services.revote(room.plenary.pk, vote.pk, actor=CLERK)
    assert (again.round, again.previous_id, again.state) == (2, vote.pk, "prepared")
    assert [q.text for q in again.questions.all()] == [q.text for q in vote.questions.all()]
    services.open_vote(room.plenary.pk, again.pk, actor=CLERK)
    cast(room, again, room.voters[0], "no")  # a new round: the same member votes again
    assert Result.objects.filter(vote=vote).exists()
    with pytest.raises(DomainError) as exc:
        services.revote(room.plenary.pk, vote.pk, actor=CLERK)
    assert exc.value.code == "conflict"


@pytest.mark.parametrize(
    "fields,fragment",
    [
        ({"kind": "secret", "choices_visible": "all"}, "secret ballot"),
        ({"kind": "secret", "show_running": True}, "secret ballot"),
        ({"kind": "secret", "allow_change": True}, "secret ballot"),
        ({"options": [{"key": "for", "label": "赞成"}, {"key": "no", "label": "反对"}]}, "'yes'"),
        ({"options": [{"key": "yes", "label": "赞成"}]}, "2 to"),
        ({"options": [{"key": "Yes!", "label": "x"}, {"key": "no", "label": "y"}]}, "lower-case"),
        ({"question": "  "}, "empty"),
        ({"duration_s": 3}, "countdown"),
        ({"choices_visible": "nobody"}, "named vote"),
    ],
)
def test_bad_vote_definitions_are_refused(room, make_vote, fields, fragment):
    events = SittingEvent.objects.count()
    with pytest.raises(DomainError) as exc:
        make_vote(**fields)
    assert exc.value.code == "bad_vote" and fragment in exc.value.message
    assert Vote.objects.count() == 0 and SittingEvent.objects.count() == events


def test_cancel_keeps_ballots_uncounted_and_needs_a_reason(room, open_vote):
    vote = open_vote()
    cast(room, vote, room.voters[0], "yes")
    before = ballots_state(vote)
    with pytest.raises(DomainError) as exc:
        services.cancel(room.plenary.pk, vote.pk, "  ", actor=CLERK)
    assert exc.value.code == "bad_vote" and ballots_state(vote) == before
    services.cancel(room.plenary.pk, vote.pk, "表决器故障", actor=CLERK)
    vote.refresh_from_db()
    assert (vote.state, vote.cancel_reason) == ("cancelled", "表决器故障")
    assert Ballot.objects.filter(vote=vote).count() == 1
    assert not Result.objects.filter(vote=vote).exists()
    assert list(AuditEntry.objects.filter(vote=vote).values_list("kind", flat=True)) == [
        "open",
        "ballot",
        "cancel",
    ]


def test_announce_only_after_close(room, open_vote):
    vote = open_vote()
    before = ballots_state(vote)
    with pytest.raises(DomainError) as exc:
        services.announce(room.plenary.pk, vote.pk, actor=CLERK)
    assert exc.value.code == "bad_state" and ballots_state(vote) == before
    services.close_vote(room.plenary.pk, vote.pk, actor=CLERK)
    assert services.announce(room.plenary.pk, vote.pk, actor=CLERK).state == "announced"
    with pytest.raises(DomainError) as exc:
        services.announce(room.plenary.pk, vote.pk, actor=CLERK)
    assert exc.value.code == "bad_state"


def test_member_who_voted_then_left_was_present_for_it(room, open_vote):
    vote = open_vote()
    cast(room, vote, room.voters[0], "yes")
    attendance.check_out(room.plenary.pk, room.voters[0])
    result = services.close_vote(room.plenary.pk, vote.pk, actor=CLERK)
    # 6 still checked in + the one who voted and left
    assert (result.present, result.cast, result.did_not_vote, result.absent) == (7, 1, 6, 2)


def test_checked_out_member_cannot_vote(room, open_vote):
    vote = open_vote()
    attendance.check_out(room.plenary.pk, room.voters[3])
    before = ballots_state(vote)
    with pytest.raises(DomainError) as exc:
        cast(room, vote, room.voters[3], "yes")
    assert exc.value.code == "not_checked_in" and ballots_state(vote) == before
