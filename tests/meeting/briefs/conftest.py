"""A group sitting with finished speeches and clips, and a second staff reviewer."""

from __future__ import annotations

import datetime as dt

import pytest

from core.models import Member, Role
from meeting.briefs.history import file_speech


@pytest.fixture
def archive(committee):
    """Group A: 委员1 and 委员3 on item 1, 委员5 on item 2 (30 s clips), 委员7 without a clip."""
    from django.contrib.auth import get_user_model

    ns = committee
    user = get_user_model().objects.create_user("staff2", password="pw-staff2")
    ns.staff2 = Member.objects.create(
        user=user, term=ns.term, full_name="审查员二", role=Role.STAFF
    )
    s = ns.group_a_sitting
    items = list(s.agenda_items.order_by("order"))
    t0 = dt.datetime(2026, 11, 24, 14, 0, tzinfo=dt.UTC)
    m = {x.full_name: x for x in ns.members}
    ns.sp1 = file_speech(s, m["委员1"], items[0], t0, 30)
    ns.sp3 = file_speech(s, m["委员3"], items[0], t0 + dt.timedelta(minutes=5), 30)
    ns.sp5 = file_speech(s, m["委员5"], items[1], t0 + dt.timedelta(minutes=10), 30)
    ns.sp7 = file_speech(
        s, m["委员7"], items[1], t0 + dt.timedelta(minutes=15), 20, with_clip=False
    )
    ns.items = items
    for sitting in (ns.plenary, ns.group_a_sitting, ns.group_b_sitting):
        sitting.state = "ended"
        sitting.save(update_fields=["state"])
    return ns
