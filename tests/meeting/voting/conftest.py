"""Voting fixtures: a plenary with members checked in, and a helper to prepare votes."""

from __future__ import annotations

import pytest

from harness.actors import CLERK
from meeting.services import attendance
from meeting.voting import services
from meeting.voting.models import Vote


def check_in(sitting, members) -> None:
    for m in members:
        attendance.check_in(sitting.pk, m, method="clerk")


@pytest.fixture
def room(committee):
    """The plenary with the chair and m1..m6 checked in (7 of 9 present: quorum is 5)."""
    committee.voters = [committee.chair, *committee.members[:6]]
    check_in(committee.plenary, committee.voters)
    committee.item = committee.plenary.agenda_items.order_by("order").first()
    return committee


@pytest.fixture
def make_vote(room):
    def _make(**fields) -> Vote:
        spec = services.VoteSpec(
            item_id=fields.pop("item_id", room.item.pk),
            question=fields.pop("question", "关于《数据条例（草案）》的表决"),
            **fields,
        )
        return services.prepare(room.plenary.pk, spec, by_user_id=room.clerk.user_id, actor=CLERK)

    return _make


@pytest.fixture
def open_vote(room, make_vote):
    def _open(**fields) -> Vote:
        vote = make_vote(**fields)
        return services.open_vote(room.plenary.pk, vote.pk, actor=CLERK)

    return _open


def line(vote: Vote) -> str:
    """The id of the only ballot line of a one-question vote, as the protocol sends it."""
    return str(vote.questions.get().pk)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The committee fixture makes a dozen logins; a cheap hasher keeps setup short."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
