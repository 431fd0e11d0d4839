"""Broadcasts handed from database threads to the server's event loop, sent in order.

A command's broadcasts are sent after its commit, from the database thread that ran it.
They used to wait there, each, until the loop had sent them to the channel layer
(``run_coroutine_threadsafe(...).result()``): in a storm of 3,000 ballots, two notices
per ballot, the database threads spent 59 % of their time waiting for a loop busy with
3,000 sockets (py-spy, issue 27), and ballots queued behind threads that were only
waiting. Now a thread puts the broadcast in this process's outbox and goes on; one task
on the loop sends them one after another, in the order they were put, so two notices
of one socket's commands (or a notice and the event after it) never swap.

A sequenced event's thread still waits for its own send (``wait=True``): a flip's reply
then follows its broadcast, as before. A notice is not waited for: it is not replayed
on reconnect, and whatever it says is also in the snapshot. A send that fails is
logged; the journal has every sequenced event, and tablets resync from it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

SEND_TIMEOUT_S = 10.0  # one send's bound; then it is logged and the next one goes
Send = Callable[[], Awaitable[None]]

_queues: dict[asyncio.AbstractEventLoop, asyncio.Queue] = {}


def put(loop: asyncio.AbstractEventLoop, send: Send, label: str) -> concurrent.futures.Future:
    """From any thread but the loop's: queue ``send`` on ``loop``; a future of its end."""
    done: concurrent.futures.Future = concurrent.futures.Future()
    loop.call_soon_threadsafe(_enqueue, loop, send, label, done)
    return done


def _enqueue(loop, send: Send, label: str, done: concurrent.futures.Future) -> None:
    queue = _queues.get(loop)
    if queue is None:
        queue = _queues[loop] = asyncio.Queue()
        loop.create_task(_drain(queue), name="yiting-outbox")
    queue.put_nowait((send, label, done))


async def _drain(queue: asyncio.Queue) -> None:
    """The loop's one sender: each broadcast in turn, each bounded."""
    while True:
        send, label, done = await queue.get()
        try:
            async with asyncio.timeout(SEND_TIMEOUT_S):
                await send()
        except Exception as exc:  # noqa: BLE001 (every failure is logged and told)
            log.error(
                "broadcast to %s failed; clients resync from the journal", label, exc_info=exc
            )
            if not done.done():
                done.set_exception(exc)
        else:
            if not done.done():
                done.set_result(None)


def pending(loop: asyncio.AbstractEventLoop) -> int:
    """Broadcasts queued on ``loop`` and not yet sent (for tests and metrics)."""
    queue = _queues.get(loop)
    return queue.qsize() if queue is not None else 0
