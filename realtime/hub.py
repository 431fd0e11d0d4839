"""The process's fan-out hub: one channel-layer subscription per group, one pass per event.

Before, every socket joined the channel-layer groups itself, so one broadcast to the N
sockets of a process was N queue hops, N msgpack decodes (pub/sub layer), N task
wake-ups and N dispatches through Channels — each preceded, since Channels 4.2, by a
thread-sensitive ``aclose_old_connections()`` hop, all through one thread in series.

Now the process subscribes once per group (sitting, role in a sitting, login) on its own
channel, keeps a registry of its local sockets per group (filled in ``connect``, emptied
in ``disconnect``), and writes each pre-encoded event to every local socket of the group
in one pass: Daphne's ``send`` for a socket hands the frame to Twisted without waiting,
so the pass does not yield between sockets. Each socket keeps its own channel for what
is addressed to it alone (media peers).

A socket is live for a group only once the group's subscription is effective: the
pub/sub layer's ``group_add`` returns before Redis confirms the SUBSCRIBE, so the first
events after a connect could be lost. ``join`` sends a probe through the group and waits
(bounded) until it comes back on this process's channel.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Iterable
from typing import Protocol

from channels.layers import get_channel_layer

from realtime.transport import text_frame

log = logging.getLogger(__name__)

EVENT = "event.text"
PROBE = "hub.probe"
PROBE_EVERY_S = 0.5  # resend a probe that did not come back (a lost message, Redis restart)


class NotLive(Exception):
    """The group's subscription did not become effective within the bound."""


class Receiver(Protocol):
    """What the hub needs of a socket: deliver one pre-encoded frame.

    ``deliver`` is a coroutine that must not suspend (Daphne's ``send`` does not), so one
    pass over the sockets runs without a trip through the event loop per socket.
    ``frame`` is ``text`` framed once for all (``realtime.transport.text_frame``), for
    sockets that can write it to their transport as is.
    """

    async def deliver(self, text: str, frame: bytes | None = None) -> None: ...


class Hub:
    """One per event loop and channel layer (a Daphne process has one of each)."""

    def __init__(self, layer, loop: asyncio.AbstractEventLoop) -> None:
        self.layer = layer
        self.loop = loop
        self.channel: str | None = None
        self.local: dict[str, set[Receiver]] = {}
        self.ready: dict[str, asyncio.Future] = {}
        self.locks: dict[str, asyncio.Lock] = {}
        self.probers: dict[str, asyncio.Task] = {}
        self._nonce = itertools.count(1)
        self._task: asyncio.Task | None = None
        self._start_lock = asyncio.Lock()
        self.delivered = 0  # frames handed to sockets (for tests and metrics)

    async def _start(self) -> None:
        async with self._start_lock:
            if self._task is None:
                # the default prefix: the core Redis layer pops every local channel of a process
                # under one name, so a second prefix would starve the sockets' own channels
                self.channel = await self.layer.new_channel()
                self._task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        while True:
            try:
                message = await self.layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:  # the layer is down: sockets resync from the journal
                log.warning("hub receive failed; retrying", exc_info=True)
                await asyncio.sleep(1)
                continue
            await self._handle(message)

    async def _handle(self, message: dict) -> None:
        kind, group = message.get("type"), message.get("group")
        if kind == EVENT and group is not None:
            await self.fan_out(group, message["text"])
        elif kind == PROBE and message.get("hub") == self.channel:
            fut = self.ready.get(group)
            if fut is not None and not fut.done():
                fut.set_result(True)

    async def fan_out(self, group: str, text: str) -> int:
        """Hand ``text`` to every local socket of ``group``, in one pass."""
        sockets = self.local.get(group)
        if not sockets:
            return 0
        n = 0
        frame = text_frame(text)  # framed once, written as is where the socket can
        for sock in tuple(sockets):
            try:
                await sock.deliver(text, frame)
                n += 1
            except Exception:  # one broken socket must not stop the others
                log.warning("delivery to a socket failed", exc_info=True)
        self.delivered += n
        return n

    async def join(self, sock: Receiver, groups: Iterable[str], timeout: float) -> None:
        """Register ``sock`` in ``groups``; return once every subscription is effective."""
        await self._start()
        groups = list(groups)
        await asyncio.gather(*(self._join_one(sock, g) for g in groups))
        try:
            async with asyncio.timeout(timeout):
                await asyncio.gather(*(self._wait_ready(g) for g in groups))
        except TimeoutError:
            await self.leave(sock, groups)
            raise NotLive(f"subscription to {groups} not effective in {timeout} s") from None

    async def _join_one(self, sock: Receiver, group: str) -> None:
        async with self.locks.setdefault(group, asyncio.Lock()):
            members = self.local.get(group)
            if members is None:
                self.local[group] = members = set()
                self.ready[group] = self.loop.create_future()
                await self.layer.group_add(group, self.channel)
            members.add(sock)

    async def _wait_ready(self, group: str) -> None:
        fut = self.ready[group]
        if fut.done():
            return
        prober = self.probers.get(group)
        if prober is None or prober.done():  # one prober per group, however many wait
            prober = self.probers[group] = asyncio.ensure_future(self._probe(group, fut))
        try:
            await asyncio.shield(fut)
        except asyncio.CancelledError:
            if not fut.cancelled():  # this waiter was cancelled (its bound), not the group
                raise

    async def _probe(self, group: str, fut: asyncio.Future) -> None:
        try:
            while not fut.done():
                await self.layer.group_send(
                    group,
                    {"type": PROBE, "group": group, "hub": self.channel, "n": next(self._nonce)},
                )
                await asyncio.wait({fut}, timeout=PROBE_EVERY_S)
        except Exception:  # the layer is down: the waiters' bound closes them (4503)
            log.warning("probe of %s failed", group, exc_info=True)
        finally:
            if self.probers.get(group) is asyncio.current_task():
                del self.probers[group]

    async def leave(self, sock: Receiver, groups: Iterable[str]) -> None:
        """Drop ``sock`` from ``groups``; the last local socket of a group unsubscribes."""
        for group in groups:
            async with self.locks.setdefault(group, asyncio.Lock()):
                members = self.local.get(group)
                if members is None:
                    continue
                members.discard(sock)
                if members:
                    continue
                del self.local[group]
                fut = self.ready.pop(group, None)
                if fut is not None and not fut.done():
                    fut.cancel()
                try:
                    await self.layer.group_discard(group, self.channel)
                except Exception:
                    log.warning("could not leave %s", group, exc_info=True)

    def count(self, group: str) -> int:
        return len(self.local.get(group, ()))


_hub: Hub | None = None


def get_hub() -> Hub:
    """This process's hub (a new one when the loop or the channel layer changed: tests)."""
    global _hub
    loop = asyncio.get_running_loop()
    layer = get_channel_layer()
    if _hub is None or _hub.loop is not loop or _hub.layer is not layer:
        _hub = Hub(layer, loop)
    return _hub


def current_hub() -> Hub | None:
    return _hub
