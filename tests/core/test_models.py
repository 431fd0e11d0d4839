"""Database constraints that make bad states impossible."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from core.models import Member, Sitting, Term


def test_group_sitting_needs_a_group_and_plenary_none(committee):
    start = dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC)
    with pytest.raises(IntegrityError), transaction.atomic():
        Sitting.objects.create(session=committee.session, kind="group", title="x", starts_at=start)
    with pytest.raises(IntegrityError), transaction.atomic():
        Sitting.objects.create(
            session=committee.session,
            kind="plenary",
            group=committee.group_a,
            title="x",
            starts_at=start,
        )


def test_one_group_sitting_per_group_per_session(committee):
    start = dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC)
    with pytest.raises(IntegrityError), transaction.atomic():
        Sitting.objects.create(
            session=committee.session,
            kind="group",
            group=committee.group_a,
            title="again",
            starts_at=start,
        )


def test_seats_are_unique_within_a_term(committee):
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.filter(pk=committee.members[1].pk).update(seat=committee.members[0].seat)


def test_one_current_term(committee):
    with pytest.raises(IntegrityError), transaction.atomic():
        Term.objects.create(
            committee=committee.committee,
            name="第二届",
            starts_on=dt.date(2030, 1, 1),
            is_current=True,
        )
