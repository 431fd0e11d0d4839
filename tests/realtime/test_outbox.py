"""The outbox: a database thread hands a broadcast to the loop and goes on; order kept.

Before, every notice's thread waited for the loop to send it; in a 3,000-ballot storm
the database threads spent most of their time waiting for a busy loop (issue 27).
"""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from realtime import outbox


@pytest.fixture
def loop():
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield loop
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    loop.close()


def test_a_thread_does_not_wait_and_the_sends_keep_their_order(loop):
    gate = asyncio.Event()
    sent: list[int] = []

    def send(n: int):
        async def _send() -> None:
            if n == 0:
                await gate.wait()  # the loop's first send is slow
            sent.append(n)

        return _send

    t0 = time.monotonic()
    futures = [outbox.put(loop, send(n), f"g{n}") for n in range(50)]
    handed_over = time.monotonic() - t0
    assert not any(f.done() for f in futures)  # all queued behind the slow first send
    assert handed_over < 5  # a bound, not a timing: the thread never waited for a send
    loop.call_soon_threadsafe(gate.set)
    for f in futures:
        f.result(5)
    assert sent == list(range(50))
    assert outbox.pending(loop) == 0


def test_a_failed_send_is_told_to_its_waiter_and_the_next_still_goes(loop, caplog):
    async def fails() -> None:
        raise ConnectionError("redis away")

    sent: list[str] = []

    async def works() -> None:
        sent.append("next")

    bad = outbox.put(loop, fails, "sitting-1")
    good = outbox.put(loop, works, "sitting-1")
    with pytest.raises(ConnectionError):
        bad.result(5)
    good.result(5)
    assert sent == ["next"]
    assert "broadcast to sitting-1 failed" in caplog.text
