"""Leave on the consoles' sockets: the seat plan's 假 arrives after the commit, and a
leave refused (or rolled back) tells nobody."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from django.db import transaction

from core.errors import DomainError
from core.policy import Acting
from meeting.briefs.services import leave
from tests.realtime.conftest import connect  # noqa: F401  (the socket fixture)

pytestmark = pytest.mark.django_db(transaction=True)


async def test_the_consoles_see_the_leave_at_once_and_a_rollback_tells_nobody(
    committee,
    connect,  # noqa: F811  (the socket fixture, imported above)
):
    chair = await connect(committee.chair.user, committee.plenary.pk)
    snap = (await chair.request("sync", {"last_seq": 0}))["data"]["snapshot"]
    assert snap["seating"]["leave"] == []
    member, other = committee.members[3], committee.members[5]
    clerk = Acting("clerk")

    @sync_to_async
    def enter_then_fail():
        with transaction.atomic():
            leave.enter(
                committee.plenary.pk, other.pk, "因病", actor=clerk, by=committee.clerk.user
            )
            raise DomainError("conflict", "rolled back on purpose")

    with pytest.raises(DomainError):
        await enter_then_fail()
    await sync_to_async(leave.enter)(
        committee.plenary.pk, member.pk, "因公出差", actor=clerk, by=committee.clerk.user
    )
    ev = await chair.event("seating.plan")  # the first the console hears
    assert ev["data"]["leave"] == [member.pk]  # the committed leave; the rolled-back one never
    tablet = await connect(member.user, committee.plenary.pk)
    snap = (await tablet.request("sync", {"last_seq": 0}))["data"]["snapshot"]
    assert snap["seating"] == {}  # a tablet is not told who is on leave
