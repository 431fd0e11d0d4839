"""Hostile values at the socket decoder: lone surrogates, huge integers, garbage floods.

Each class is refused with ``invalid`` (or ``rate_limited``), in Chinese, changes
nothing, and leaves the socket answering.
"""

from __future__ import annotations

import json
import re

import pytest
from asgiref.sync import sync_to_async

from core.models import Sitting
from realtime.protocol import ProtocolError, decode

pytestmark = pytest.mark.django_db(transaction=True)

CJK = re.compile(r"[\u4e00-\u9fff]")


def _seq(sitting_id: int) -> int:
    return Sitting.objects.get(pk=sitting_id).event_seq


aseq = sync_to_async(_seq)


@pytest.mark.parametrize(
    "frame",
    [
        '{"type": "ping", "id": "\\ud800"}',
        '{"type": "floor.enter", "id": "a", "data": {"member": 1, "note": "x\\udfff"}}',
        '{"type": "vote.cast", "id": "a", "key": "k", "data": {"vote": 1, "choices": {"\\ud800": "yes"}}}',
    ],
)
async def test_lone_surrogate_is_invalid_and_socket_stays(committee, connect, frame):
    s = await connect(committee.clerk.user, committee.plenary.pk)
    r = await s.send_raw(frame)
    assert r["ok"] is False and r["error"]["code"] == "invalid"
    # a valid id is echoed to match the reply; one that cannot be encoded is not
    assert r["id"] == (None if '\\ud800"}' in frame else "a")
    assert CJK.search(r["error"]["message"]), r["error"]["message"]
    assert (await s.request("ping"))["ok"]
    assert await aseq(committee.plenary.pk) == 0


def test_paired_surrogates_are_a_normal_character():
    cmd = decode('{"type": "ping", "id": "\\ud83d\\ude00"}', 65536)
    assert cmd.id == "😀"


@pytest.mark.parametrize(
    "value", ["99999999999999999999999", "-9007199254740992", "9007199254740992"]
)
async def test_integers_beyond_what_clients_represent_are_invalid(committee, connect, value):
    s = await connect(committee.clerk.user, committee.plenary.pk)
    r = await s.send_raw('{"type": "agenda.open", "id": "n", "data": {"item": ' + value + "}}")
    assert r["error"]["code"] == "invalid" and r["id"] == "n"
    assert (await s.request("ping"))["ok"]


def test_a_frame_at_the_integer_bound_decodes():
    cmd = decode(json.dumps({"type": "agenda.open", "data": {"item": 2**53 - 1}}), 65536)
    assert cmd.data.item == 2**53 - 1


@pytest.mark.parametrize("frame", ["not json", "[1]", '{"type": 5}', "\x00" * 10])
async def test_malformed_frames_count_against_the_rate_limit(committee, connect, settings, frame):
    settings.YITING_WS_RATE = 1
    settings.YITING_WS_BURST = 5
    s = await connect(committee.clerk.user, committee.plenary.pk)
    codes = [(await s.send_raw(frame))["error"]["code"] for _ in range(12)]
    assert "rate_limited" in codes, codes
    assert codes.index("rate_limited") <= 6, codes
    assert await aseq(committee.plenary.pk) == 0


def test_decoder_messages_are_chinese():
    with pytest.raises(ProtocolError) as exc:
        decode("{", 65536)
    assert exc.value.code == "bad_json" and CJK.search(exc.value.message)
    with pytest.raises(ProtocolError) as exc:
        decode("x" * 100, 10)
    assert exc.value.code == "frame_too_large" and CJK.search(exc.value.message)
