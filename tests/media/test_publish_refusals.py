"""Bad offers and wrong publishers are refused with a precise code and change nothing."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async

from core.models import Sitting
from media import peers
from media.models import Clip, Publisher, Recording
from tests.media.conftest import publish

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.media]


@sync_to_async
def state(sitting_id: int) -> tuple:
    return (
        Sitting.objects.get(pk=sitting_id).event_seq,
        list(Publisher.objects.order_by("pk").values_list("pk", "state", "member_id")),
        Recording.objects.count(),
        Clip.objects.count(),
        sorted(peers.PEERS),
    )


GARBAGE = [
    "hello",
    "v=0\r\nthis is not sdp\r\nm=video garbage\r\n",
    "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=application 9 DTLS/SCTP 5000\r\n",
]


@pytest.mark.parametrize("sdp", GARBAGE)
async def test_garbage_sdp_is_refused_as_bad_sdp(committee, connect, sdp):
    sitting = committee.group_a_sitting
    sock = await connect(committee.members[0].user, sitting.pk)
    before = await state(sitting.pk)
    r = await sock.request("media.publish", {"sdp": sdp})
    assert r["ok"] is False and r["error"]["code"] == "bad_sdp", r
    assert await state(sitting.pk) == before


async def test_bad_offer_does_not_end_a_live_publisher(committee, connect, publishers):
    sitting = committee.group_a_sitting
    sock = await connect(committee.members[0].user, sitting.pk)
    good = await publish(sock, publishers())
    before = await state(sitting.pk)
    r = await sock.request("media.publish", {"sdp": GARBAGE[1]})
    assert r["error"]["code"] == "bad_sdp"
    assert await state(sitting.pk) == before
    assert good["publisher"] in peers.PEERS


async def test_staff_and_display_may_not_publish_a_member_stream(committee, connect, publishers):
    sitting = committee.group_a_sitting
    for login in (committee.clerk.user, committee.display.user):
        sock = await connect(login, sitting.pk)
        before = await state(sitting.pk)
        offer = await publishers().offer()
        r = await sock.request("media.publish", {"sdp": offer, "kind": "member"})
        assert r["ok"] is False and r["error"]["code"] == "not_publisher", r
        assert await state(sitting.pk) == before
    staff = await connect(committee.staff.user, sitting.pk)
    r = await staff.request("media.publish", {"sdp": await publishers().offer()})
    assert r["error"]["code"] == "forbidden"


async def test_member_may_not_publish_for_another(committee, connect, publishers):
    sitting = committee.group_a_sitting
    m1, m3 = committee.members[0], committee.members[2]
    sock = await connect(m1.user, sitting.pk)
    before = await state(sitting.pk)
    offer = await publishers().offer()
    r = await sock.request("media.publish", {"sdp": offer, "member": m3.pk})
    assert r["error"]["code"] == "publish_for_other"
    assert r["error"]["details"] == {"member": m3.pk}
    assert await state(sitting.pk) == before


async def test_plenary_sitting_records_nothing(committee, connect, publishers):
    sock = await connect(committee.members[0].user, committee.plenary.pk)
    before = await state(committee.plenary.pk)
    r = await sock.request("media.publish", {"sdp": await publishers().offer()})
    assert r["error"]["code"] == "not_group_sitting"
    assert await state(committee.plenary.pk) == before


async def test_unknown_field_and_oversized_sdp_are_invalid(committee, connect):
    sock = await connect(committee.members[0].user, committee.group_a_sitting.pk)
    r = await sock.request("media.publish", {"sdp": "v=0", "camera": "front"})
    assert r["error"]["code"] == "invalid"
    r = await sock.request("media.publish", {"sdp": ""})
    assert r["error"]["code"] == "invalid"


async def test_new_offer_replaces_the_earlier_publisher(committee, connect, publishers):
    sitting = committee.group_a_sitting
    sock = await connect(committee.members[0].user, sitting.pk)
    first = await publish(sock, publishers())
    second = await publish(sock, publishers())
    rows = await sync_to_async(lambda: dict(Publisher.objects.values_list("pk", "end_reason")))()
    assert rows == {first["publisher"]: "replaced", second["publisher"]: ""}
    assert first["publisher"] not in peers.PEERS and second["publisher"] in peers.PEERS
