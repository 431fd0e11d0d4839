"""Handlers of the media commands: signalling for the aiortc peers this process holds.

Handlers run in a database thread; the peer must live in this process's event loop,
so the offer is answered there with ``async_to_sync`` (the socket that negotiated the
peer owns it). Rules of who may publish are in ``media.services.publishing``.

``media.runtime`` (and with it aiortc and the capture threads' PyAV) is imported by the
handlers that need a peer, not by this module: the handler table is installed in every
process at start (``manage.py check``, ``migrate``, the job worker), and only a process
serving WebRTC should pay for loading aiortc (a test checks a fresh ``manage.py check``).
"""

from __future__ import annotations

from asgiref.sync import async_to_sync
from django.db import transaction

from core.errors import DomainError
from core.process import SERVER_ID
from media.services import publishing
from realtime.context import Context
from realtime.handlers import handles


@handles("media.publish", own_transaction=True)
def handle_publish(ctx: Context, cmd) -> dict:
    """Negotiate outside any transaction (ICE/DTLS take a second; SQLite's write lock
    must not wait on them): reserve the row, negotiate, then go live in a short one."""
    from media import runtime  # aiortc: loaded where a peer is negotiated, not at start

    member = publishing.check_may_publish(ctx, cmd.kind, cmd.member)
    if not runtime.looks_like_sdp(cmd.sdp):
        raise DomainError("bad_sdp", "The offer is not SDP (it must start with 'v=0').")
    pub = publishing.reserve(ctx, member, cmd.kind, SERVER_ID)
    try:
        answer = async_to_sync(runtime.open_publisher)(pub.pk, cmd.kind, cmd.sdp)
    except runtime.UnrecordedCodec as exc:
        raise DomainError("codec_not_recorded", str(exc)) from None
    except runtime.BadOffer as exc:
        publishing.discard(pub.pk)
        raise DomainError("bad_sdp", str(exc)) from None
    except BaseException:
        publishing.discard(pub.pk)
        raise
    try:
        earlier = publishing.go_live(pub.pk)
    except BaseException:
        async_to_sync(runtime.close_local)(pub.pk)
        publishing.discard(pub.pk)
        raise
    runtime.close_replaced(earlier)
    return {"publisher": pub.pk, "sdp": answer}


@handles("media.unpublish")
def handle_unpublish(ctx: Context, cmd) -> dict:
    ended = []
    for pub in publishing.own_live(ctx):
        publishing.ended(pub.pk, "unpublished")
        ended.append(pub.pk)
        transaction.on_commit(lambda p=pub: _close_remote(p))
    return {"ended": ended}


def _close_remote(pub) -> None:
    from media import runtime  # the peer may live in this process (then aiortc is loaded)

    runtime.close_remote(pub)


@handles("media.status")
def handle_status(ctx: Context, cmd) -> dict:
    return publishing.status(ctx.sitting_id)


def media_part(sitting, ctx: Context) -> dict:
    return publishing.status(sitting.pk)
