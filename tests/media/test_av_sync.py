"""A/V sync checked, not assumed: a flash and a beep on the same instant must stay together.

Real aiortc peers (a pre-encoded VP8/Opus sender, ``harness/media_sources.py``), the
server's real capture worker and ffmpeg finalisation. The source flashes white and beeps
at 1 kHz on the same instants every two seconds; in the clip the audio onset of each
beep and the video onset of its flash must agree within 40 ms (the budget in DESIGN.md),
also after the sender stalled and then delivered its backlog.
"""

from __future__ import annotations

import asyncio

import pytest

from harness.media_sources import Sender, av_offsets_ms, flash_beep, onsets
from media.services.paths import absolute
from tests.media.conftest import publish, wait_for
from tests.media.helpers import finished_clip, grant, release

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.media]
BUDGET_MS = 40


@pytest.fixture
async def sender():
    made: list[Sender] = []

    def make(**kw) -> Sender:
        s = Sender(flash_beep(30), **kw)
        made.append(s)
        return s

    yield make
    for s in made:
        await s.close()
    from media import peers

    for pid in list(peers.PEERS):
        await peers.close_peer(pid, reason="test_end")


async def _speech(committee, connect, snd: Sender, entry: int, during) -> object:
    sitting, m1 = committee.group_a_sitting, committee.members[0]
    sock = await connect(m1.user, sitting.pk)
    await publish(sock, snd)
    await asyncio.sleep(1.0)  # pre-roll filling, clocks settled
    started = await grant(sitting, m1, entry)
    await during()
    await release(sitting, m1, entry, started)
    return await wait_for(lambda: finished_clip(entry), timeout=40)


async def test_flash_and_beep_agree_in_the_clip(committee, connect, sender):
    snd = sender()
    clip = await _speech(committee, connect, snd, 301, lambda: asyncio.sleep(6.5))
    offsets = av_offsets_ms(absolute(clip.path))
    assert len(offsets) >= 3, onsets(absolute(clip.path))
    assert all(abs(o) <= BUDGET_MS for o in offsets), offsets
    # the backlog arrived late but complete: filed at its media time, the clip has no hole
    assert clip.quality["max_gap_ms"]["video"] < 200, clip.quality
    assert clip.quality["clock_reanchored"] == 0
    assert clip.quality["received"]["video"] > 0 and clip.quality["gaps"] == []


async def test_flash_and_beep_agree_after_a_stalled_sender_recovers(committee, connect, sender):
    snd = sender()

    async def stall_midway() -> None:
        await asyncio.sleep(2.2)
        snd.stall(1.5, hold=True)  # nothing leaves for 1.5 s, then the backlog at once
        await asyncio.sleep(6.0)

    clip = await _speech(committee, connect, snd, 302, stall_midway)
    video, _ = onsets(absolute(clip.path))
    offsets = av_offsets_ms(absolute(clip.path))
    assert len(offsets) >= 4 and len(video) >= 4, onsets(absolute(clip.path))
    assert all(abs(o) <= BUDGET_MS for o in offsets), offsets
    # the backlog arrived late but complete: filed at its media time, the clip has no hole
    assert clip.quality["max_gap_ms"]["video"] < 200, clip.quality
    assert clip.quality["clock_reanchored"] == 0
