"""WebRTC on a closed network: no ICE servers unless configured; negotiation holds no lock."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from django.db import connection

from media import peers, runtime
from media.models import Publisher
from tests.media.conftest import publish

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.media]


def test_no_ice_servers_by_default_and_configured_ones_are_passed(settings):
    assert peers.rtc_configuration().iceServers == []  # never aiortc's public STUN default
    settings.ICE_SERVERS = ["stun:stun.internal:3478", "turn:turn.internal:3478"]
    settings.ICE_USERNAME, settings.ICE_CREDENTIAL = "yiting", "s3cret"
    stun, turn = peers.rtc_configuration().iceServers
    assert (stun.urls, stun.username) == ("stun:stun.internal:3478", None)
    assert (turn.urls, turn.username, turn.credential) == (
        "turn:turn.internal:3478",
        "yiting",
        "s3cret",
    )


async def test_publishing_works_with_no_ice_servers(committee, connect, publishers):
    sock = await connect(committee.members[0].user, committee.group_a_sitting.pk)
    data = await publish(sock, publishers())  # connected: host candidates suffice
    pc = peers.PEERS[data["publisher"]].pc
    assert pc._RTCPeerConnection__configuration.iceServers == []  # aiortc keeps it private
    assert "typ srflx" not in data["sdp"]  # no server-reflexive candidate: no STUN asked
    row = await sync_to_async(Publisher.objects.get)(pk=data["publisher"])
    assert row.state == Publisher.State.LIVE and row.end_reason == ""


async def test_the_peer_is_negotiated_outside_the_transaction(
    committee, connect, publishers, monkeypatch
):
    seen: list[bool] = []
    real = runtime.open_publisher

    async def spy(publisher_id, kind, sdp):
        # open_publisher runs on the event loop via async_to_sync from the DB thread;
        # the thread's connection must not be inside an atomic block at that moment.
        seen.append(await sync_to_async(lambda: connection.in_atomic_block)())
        state = await sync_to_async(
            lambda: Publisher.objects.values_list("state", "end_reason").get(pk=publisher_id)
        )()
        assert state == (Publisher.State.ENDED, "negotiating")  # reserved, not yet live
        return await real(publisher_id, kind, sdp)

    monkeypatch.setattr(runtime, "open_publisher", spy)
    sock = await connect(committee.members[0].user, committee.group_a_sitting.pk)
    await publish(sock, publishers())
    assert seen == [False]
