"""The process's fan-out hub: one channel-layer subscription per group, one pass per event.

Before, every socket joined the channel-layer groups itself, so one broadcast to the N
sockets of a process was N queue hops, N msgpack decodes (pub/sub layer), N task
wake-ups and N dispatches through Channels — each preceded, since Channels 4.2, by a
thread-sensitive ``aclose_old_connections()`` hop, all through one thread in series.

Now the process subscribes once per group (sitting, role in a sitting, login) on its own
channel, keeps a registry of its local sockets per group (filled in ``connect``, emptied
in ``disconnect``), and writes each pre-encoded event to every local socket of the group
in one pass: Daphne's ``send`` for a socket hands the frame to Twisted without waiting,
so the pass does not yield between sockets. Sockets have no channel of their own
(realtime/consumers.py): nothing is addressed to one socket.

A socket is live for a group only once the group's subscription is effective: the
pub/sub layer's ``group_add`` returns before Redis confirms the SUBSCRIBE, so the first
events after a connect could be lost. ``join`` sends a probe through the group and waits
(bounded) until it comes back on this process's channel.

A group whose last local socket left stays subscribed for ``LINGER_S``: when a room's
Wi-Fi drops, every tablet comes back within seconds to the groups it left (its sitting,
its role, its login), and finds them live at once, without a SUBSCRIBE, a probe and an
UNSUBSCRIBE per login; events to an empty group meanwhile reach no one, as before.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
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

    LINGER_S = 30.0  # an emptied group stays subscribed this long (0: unsubscribe at once)

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
        self.idle_since: dict[str, float] = {}  # emptied groups, lingering (loop time)
        # per group (time.monotonic): since when its subscription is effective, and when
        # its last event was handed out (``quiet_since``)
        self.live_at: dict[str, float] = {}
        self.event_at: dict[str, float] = {}
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
            self.event_at[group] = time.monotonic()
            await self.fan_out(group, message["text"])
        elif kind == PROBE and message.get("hub") == self.channel:
            fut = self.ready.get(group)
            if fut is not None and not fut.done():
                self.live_at[group] = time.monotonic()
                fut.set_result(True)

    def quiet_since(self, groups: Iterable[str], since: float) -> bool:
        """Were ``groups`` all subscribed here before ``since``, no event handed out since?

        Then a socket of these groups has missed nothing since ``since``, whenever it
        joined them: a read of the database begun at ``since`` is as current for it as
        one begun now (realtime/snapshot.py). Callable from a database thread.
        """
        if not self.loop.is_running():
            return False
        for group in groups:
            live = self.live_at.get(group)
            if live is None or live > since or not self._live(group):
                return False
            if self.event_at.get(group, float("-inf")) >= since:
                return False
        return True

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
        groups = list(groups)
        if all(self._live(g) for g in groups):  # the usual case: no lock, no task, no wait
            for g in groups:
                self.local[g].add(sock)
            return
        await self._start()
        await asyncio.gather(*(self._join_one(sock, g) for g in groups))
        try:
            async with asyncio.timeout(timeout):
                await asyncio.gather(*(self._wait_ready(g) for g in groups))
        except TimeoutError:
            await self.leave(sock, groups)
            raise NotLive(f"subscription to {groups} not effective in {timeout} s") from None

    def _live(self, group: str) -> bool:
        """Is ``group`` subscribed here, effectively (its probe came back)?"""
        fut = self.ready.get(group)
        return fut is not None and fut.done() and not fut.cancelled() and group in self.local

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
        """Drop ``sock`` from ``groups``; a group left empty unsubscribes after ``LINGER_S``."""
        for group in groups:
            members = self.local.get(group)
            if members is None:
                continue
            members.discard(sock)
            if members:
                continue
            if self.LINGER_S <= 0 or not self._live(group):  # not live: no one to keep it for
                await self._drop(group)
                continue
            self.idle_since[group] = self.loop.time()
            self.loop.call_later(self.LINGER_S, self._expire, group)

    def _expire(self, group: str) -> None:
        since = self.idle_since.get(group)
        if since is None or self.local.get(group):
            return  # a socket joined again (a later emptying has its own timer)
        if self.loop.time() - since < self.LINGER_S * 0.99:
            return  # emptied again since this timer was set: that one's timer decides
        asyncio.ensure_future(self._drop(group))

    async def _drop(self, group: str) -> None:
        """Unsubscribe ``group`` if it still has no local socket."""
        async with self.locks.setdefault(group, asyncio.Lock()):
            members = self.local.get(group)
            if members is None or members:
                return
            del self.local[group]
            self.idle_since.pop(group, None)
            self.live_at.pop(group, None)
            self.event_at.pop(group, None)
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
