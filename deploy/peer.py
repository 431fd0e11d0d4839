"""The socket's peer address, kept apart from what a proxy says about the client.

Daphne's own ``--proxy-headers`` overwrites the ASGI ``client`` with the first
``X-Forwarded-For`` entry, which the client itself wrote: anyone could claim to be
``127.0.0.1``. This middleware runs instead. It keeps the socket's peer in
``scope["yiting.peer"]`` (what ``/metrics`` trusts as loopback) and, only when
``settings.BEHIND_PROXY`` is true and the peer is the proxy on loopback, takes the
client address from the *last* ``X-Forwarded-For`` entry — the one nginx appended.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings

PEER_KEY = "yiting.peer"


def _loopback(host: str | None) -> bool:
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def forwarded_client(headers: list[tuple[bytes, bytes]]) -> str | None:
    """The address nginx appended to ``X-Forwarded-For`` (its last entry), if any."""
    for name, value in headers:
        if name.lower() == b"x-forwarded-for":
            last = value.decode("latin-1").split(",")[-1].strip()
            return last or None
    return None


class PeerAddressMiddleware:
    """ASGI middleware: ``scope["yiting.peer"]`` is the socket peer, never a header."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket"):
            client = scope.get("client") or (None, None)
            scope = {**scope, PEER_KEY: client[0]}
            if settings.BEHIND_PROXY and _loopback(client[0]):
                forwarded = forwarded_client(scope.get("headers", []))
                if forwarded:
                    scope["client"] = (forwarded, 0)
        return await self.app(scope, receive, send)


def socket_peer(request) -> str:
    """The address of the socket the request came on (ASGI), or WSGI's REMOTE_ADDR."""
    scope = getattr(request, "scope", None)
    if scope is not None:
        if PEER_KEY in scope:
            return scope[PEER_KEY] or ""
        return (scope.get("client") or ("",))[0] or ""
    return request.META.get("REMOTE_ADDR", "")


def peer_is_loopback(request) -> bool:
    return _loopback(socket_peer(request))
