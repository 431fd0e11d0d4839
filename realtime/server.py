"""How Daphne is started: its WebSocket limits come from the protocol's settings.

Daphne's defaults cap a message at 1 MiB and, like autobahn, *drop the TCP connection*
on a protocol violation (``failByDrop``). A client then learns nothing. Here:

* messages up to ``YITING_WS_HARD_CAP`` reach the consumer, whose decoder answers
  ``frame_too_large`` for anything above ``YITING_WS_MAX_FRAME`` and keeps the socket;
* a message above the hard cap is refused by autobahn with close code 1009
  (message too big), and a text frame that is not valid UTF-8 with close code 1007
  (invalid payload): a close frame with a reason, not a dropped connection.
"""

from __future__ import annotations

from django.conf import settings

CLOSE_TOO_BIG = 1009
CLOSE_INVALID_PAYLOAD = 1007


def install_close_not_drop() -> None:
    """Make Daphne's WebSocket factory send close frames instead of dropping TCP."""
    from daphne import server as daphne_server
    from daphne.ws_protocol import WebSocketFactory

    if getattr(daphne_server.WebSocketFactory, "yiting_closes", False):
        return

    class ClosingWebSocketFactory(WebSocketFactory):
        yiting_closes = True

        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.setProtocolOptions(failByDrop=False)

    daphne_server.WebSocketFactory = ClosingWebSocketFactory
    _defer_config_dump()


class _Deferred:
    """``pformat(obj)`` computed only if a log line is actually written."""

    __slots__ = ("obj",)

    def __init__(self, obj) -> None:
        self.obj = obj

    def __str__(self) -> str:
        import pprint

        return pprint.pformat(self.obj)


def _defer_config_dump() -> None:
    """autobahn pretty-prints its 40 protocol options for a debug line on every handshake.

    The line is written only at debug level, but the ``pformat`` runs for every socket
    (≈ 2 % of a worker's CPU in a reconnect storm, py-spy); deferred, it runs only
    when the debug line is emitted.
    """
    from autobahn.websocket import protocol

    protocol.pformat = _Deferred


def listen_endpoint(host: str, port: int, backlog: int) -> str:
    """Twisted's endpoint string for the listening socket, with its accept backlog.

    Daphne's ``-b``/``-p`` give Twisted's default backlog of 50; a reconnect storm of a
    whole room overflowed it (``TcpExtListenOverflows``) and every dropped SYN cost its
    tablet a kernel retransmit of a second or more.
    """
    interface = host.strip("[]").replace(":", r"\:")  # an IPv6 address's colons escaped
    return f"tcp:port={port}:interface={interface}:backlog={backlog}"


def daphne_argv(host: str, port: int, connect_timeout: int) -> list[str]:
    """The Daphne command line: listen backlog, message and frame caps from the settings."""
    cap = str(settings.YITING_WS_HARD_CAP)
    argv = [
        "daphne",
        "-e",
        listen_endpoint(host, port, settings.YITING_LISTEN_BACKLOG),
        "--websocket_connect_timeout",
        str(connect_timeout),
        "--websocket-max-message-size",
        cap,
        "--websocket-max-frame-size",
        cap,
        "deploy.asgi:application",
    ]
    return argv  # proxy headers: deploy/peer.py (Daphne's own trusts any X-Forwarded-For)
