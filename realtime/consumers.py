"""The sitting socket ``/ws/sittings/<id>/``: thin by rule.

Authenticate, resolve the role from the database, decode and validate each frame,
run one command in a database thread, answer. Events arrive already serialised through
the process's hub (``realtime.hub``), which writes them to the socket as they are.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import time
import uuid
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils.translation import gettext as _

from core import audit, policy
from core.roster import standing_and_seq
from realtime import metrics, presence
from realtime.context import Context
from realtime.dbthreads import in_db_thread, in_live_db_thread
from realtime.events import remember_server_loop
from realtime.hub import NotLive, get_hub
from realtime.journal import resync_ready
from realtime.protocol import VERSION, ProtocolError, decode, reply_error
from realtime.protocol.codec import valid_unicode
from realtime.protocol.errors import (
    CLOSE_NO_ACCESS,
    CLOSE_NO_SUCH_SITTING,
    CLOSE_NOT_LIVE,
    CLOSE_ROLE_CHANGED,
    CLOSE_SLOW_READER,
    CLOSE_UNAUTHENTICATED,
)
from realtime.ratelimit import TokenBucket
from realtime.runner import FRESH_FOR_SYNC_S, run_command
from realtime.snapshot import encode_reply
from realtime.transport import fast_writer, pending_probe
from realtime.wsauth import resolve_user

log = logging.getLogger(__name__)


def resolve(user, sitting_id: int) -> tuple[int | None, dict | None]:
    """(close code, identity) for this login in this sitting: one statement (pinned)."""
    found = standing_and_seq(user.pk, sitting_id)
    if found is None:
        return CLOSE_NO_SUCH_SITTING, None
    standing, seq = found
    if standing.role is None:
        return CLOSE_NO_ACCESS, None
    return None, {
        "role": standing.role,
        "member_id": standing.member_id,
        "seq": seq,
        "standing": standing,
    }


def arrive(
    user, sitting_id: int, channel_name: str, secure: bool = True
) -> tuple[int | None, Context | None, int]:
    """(close code, context, the sitting's seq for the welcome): ``resolve`` as a context."""
    code, ident = resolve(user, sitting_id)
    if code is not None:
        return code, None, 0
    ctx = Context(
        user_id=user.pk,
        sitting_id=sitting_id,
        role=ident["role"],
        member_id=ident["member_id"],
        channel_name=channel_name,
        secure=secure,
        standing=ident["standing"],
        standing_at=time.monotonic(),
    )
    return None, ctx, ident["seq"]


def arrive_from_scope(scope, sitting_id: int, channel_name: str):
    """``arrive`` for the socket's session: the login and its role in one database call."""
    user = resolve_user(scope)
    if user is None or not user.is_authenticated:
        return CLOSE_UNAUTHENTICATED, None, 0
    return arrive(user, sitting_id, channel_name, secure=reported_secure(scope))


def reported_secure(scope) -> bool:
    """The page's ``isSecureContext`` as its client reported it (``?secure=0`` when not).

    Only counted for the console (how many tablets cannot record or read offline);
    nothing is allowed or refused by it, so a client saying otherwise gains nothing.
    """
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    return query.get("secure", ["1"])[-1] != "0"


def answer_at_once(ctx: Context, cmd) -> dict | None:
    """A ``sync`` the process's shared reads already answer, on the event loop; else None.

    In a reconnect storm every tablet's first sync asks what the process has just read
    for the others (realtime/journal.py, realtime/snapshot.py): answered here it costs no
    trip to a database thread and back. Only what ``run_command`` would answer without
    the database: the login looked up by the connect moments ago (``FRESH_FOR_SYNC_S``),
    the role unchanged and allowed to sync, nothing to audit; otherwise (and for every
    other command) None, and the runner answers in a database thread as always.
    """
    if cmd.spec.type != "sync" or ctx.standing is None or ctx.standing_at is None:
        return None
    if time.monotonic() - ctx.standing_at >= FRESH_FOR_SYNC_S:
        return None
    if ctx.standing.role != ctx.role or not policy.may(ctx, "sync"):
        return None
    if ctx.role in audit.AUDITED_ROLES and "sync" not in audit.NOT_ACTIONS:
        return None
    data = resync_ready(ctx, cmd.data.last_seq)
    return None if data is None else {"ok": True, "data": data}


_arrive = in_db_thread(arrive_from_scope)
_run = in_db_thread(run_command)
_run_live = in_live_db_thread(run_command)  # the chair's and clerk's lane


class SittingConsumer(AsyncWebsocketConsumer):
    """A tablet's, console's or wall's socket.

    It has no channel of its own on the channel layer: every event reaches it through the
    process's hub (its groups), and nothing is addressed to one socket (media commands go
    to the process's channel, media/peers.py). Channels' own ``__call__`` gave each socket
    a channel anyway, which on the Redis pub/sub layer is a SUBSCRIBE at connect and an
    UNSUBSCRIBE at disconnect, and a second task per socket waiting on it: in a reconnect
    storm two Redis commands and a task per tablet, for nothing. ``channel_name`` is only
    the socket's name (presence rows, media publishers), unique like the layer's.
    """

    ctx: Context | None = None
    _joined: list[str] = []
    _closing = False
    _pending = None
    _write = None  # the fan-out's fast lane (realtime/transport.py)
    _held: list[str] | None = None  # events that arrived before the welcome went out

    async def __call__(self, scope, receive, send) -> None:
        """Channels' ``AsyncConsumer.__call__`` without a channel-layer channel (see above)."""
        self.scope = scope
        self.channel_layer = None
        self.channel_name = f"ws.{uuid.uuid4().hex}"
        self.base_send = send
        try:
            while True:  # one source of messages: no task per message to wait on several
                await self.dispatch(await receive())
        except StopConsumer:
            pass

    async def dispatch(self, message: dict) -> None:
        """Channels' dispatch without its ``aclose_old_connections()`` before every message.

        That hop is a thread-sensitive ``sync_to_async`` (one thread per process, in
        series), so a reconnect storm's connects and disconnects queued behind it. This
        consumer never uses that thread's connection: its database work runs in
        ``in_db_thread``, which closes stale connections around each call itself.
        """
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self) -> None:
        await self.accept()
        sitting_id = int(self.scope["url_route"]["kwargs"]["sitting_id"])
        code, ctx, seq = await _arrive(self.scope, sitting_id, self.channel_name)
        if code is not None:
            await self.close(code=code)
            return
        self.ctx = ctx
        remember_server_loop(asyncio.get_running_loop())
        metrics.socket_opened(sitting_id)  # paired with socket_closed in disconnect
        self.bucket = TokenBucket(settings.YITING_WS_RATE, settings.YITING_WS_BURST)
        self._pending = pending_probe(self.base_send)
        self._write = fast_writer(self.base_send)
        self._held = []
        try:  # live only once the subscriptions are: no event after `welcome` is missed
            await get_hub().join(self, self._groups(), settings.YITING_WS_LIVE_TIMEOUT)
        except NotLive:
            log.warning("socket not live in %s s; closing", settings.YITING_WS_LIVE_TIMEOUT)
            await self.close(code=CLOSE_NOT_LIVE)
            return
        self._joined = self._groups()
        await presence.arrived(self.ctx)  # with the other sockets arriving now (group commit)
        # a snapshot read begun from now on may be shared with this socket (realtime/snapshot.py)
        self.ctx = dataclasses.replace(self.ctx, live_since=time.monotonic())
        welcome = {
            "type": "welcome",
            "seq": None,
            "sitting": sitting_id,
            "data": {
                "protocol": VERSION,
                "role": self.ctx.role,
                "member": self.ctx.member_id,
                "user": self.ctx.user_id,
                "seq": seq,
                "server": presence.SERVER_ID,
                "max_frame": settings.YITING_WS_MAX_FRAME,
            },
        }
        await self.send(text_data=json.dumps(welcome, ensure_ascii=False))
        held, self._held = self._held, None  # the welcome is always the first frame
        for text in held:
            await self.deliver(text)

    def _groups(self) -> list[str]:
        assert self.ctx is not None
        return self.ctx.groups()

    async def websocket_disconnect(self, message: dict) -> None:
        """Channels' own, without its ``aclose_old_connections()`` hop (see ``dispatch``)."""
        await self.disconnect(message["code"])
        raise StopConsumer()

    async def disconnect(self, code: int) -> None:
        if self.ctx is None:
            return
        metrics.socket_closed(self.ctx.sitting_id)
        if self._joined:
            await get_hub().leave(self, self._joined)
            self._joined = []
        try:
            await presence.left(self.ctx)
        except Exception:  # the row goes stale by itself
            log.warning("could not record disconnect of %s", self.channel_name, exc_info=True)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.ctx is None:
            return
        frame = text_data if text_data is not None else bytes_data
        # Every frame costs a token, malformed ones too: a flood of garbage is slowed
        # like a flood of commands, before any decoding work is spent on it.
        if not self.bucket.take():
            err = ProtocolError("rate_limited", _("Too many commands; wait a moment."))
            await self.send(text_data=reply_error(_peek_id(frame), err.as_dict()))
            return
        try:
            cmd = decode(frame, settings.YITING_WS_MAX_FRAME)
        except ProtocolError as exc:
            await self.send(text_data=reply_error(_peek_id(frame), exc.as_dict()))
            return
        result = answer_at_once(self.ctx, cmd)
        if result is None:
            result = await (_run_live if self.ctx.is_live_role else _run)(self.ctx, cmd)
        result.update({"type": "reply", "id": cmd.id})
        await self.send(text_data=encode_reply(result))  # a snapshot spliced in as encoded
        if cmd.spec.type == "sync" and result["ok"] and self.ctx.live_since is not None:
            # A read begun since the connect may serve only the socket's first sync: the
            # socket has applied events since, and an older shared read would undo them.
            self.ctx = dataclasses.replace(self.ctx, live_since=None)
        if not result["ok"] and result["error"]["code"] == "role_changed":
            # Its groups (role events) belong to the old role: reconnect with the new one.
            await self.close(code=CLOSE_ROLE_CHANGED)

    async def deliver(self, text: str, frame: bytes | None = None) -> None:
        """The hub hands this socket a pre-serialised event: write it unless it is behind.

        Does not suspend (Daphne's send queues the frame in Twisted), so the hub's pass
        over a sitting's sockets takes no event-loop trip per socket. ``frame``, the
        event already framed, goes straight to the transport where it can
        (``realtime.transport.fast_writer``). A socket with more than
        ``YITING_WS_MAX_PENDING`` bytes not yet acknowledged (Twisted's queue and the
        kernel's) is closed (4408) instead: one tablet that stopped reading must not grow
        the server's memory; it resyncs.
        """
        if self._closing:
            return
        if self._held is not None:
            self._held.append(text)
            return
        if self._pending is not None and self._pending() > settings.YITING_WS_MAX_PENDING:
            self._closing = True
            log.info(
                "closing slow reader %s (%d bytes pending)", self.channel_name, self._pending()
            )
            await self.base_send({"type": "websocket.close", "code": CLOSE_SLOW_READER})
            return
        if frame is not None and self._write is not None and self._write(frame):
            metrics.frames["fast"] += 1
            return
        metrics.frames["send"] += 1
        await self.base_send({"type": "websocket.send", "text": text})


def _peek_id(frame: object) -> str | None:
    """The request id of a refused frame, when it can be read safely, to match replies."""
    if not isinstance(frame, str) or len(frame) > settings.YITING_WS_MAX_FRAME:
        return None
    try:
        obj = json.loads(frame)
    except (ValueError, RecursionError):
        return None
    rid = obj.get("id") if isinstance(obj, dict) else None
    if not isinstance(rid, str) or len(rid) > 64 or not valid_unicode(rid):
        return None  # a lone surrogate could not even be echoed back
    return rid
