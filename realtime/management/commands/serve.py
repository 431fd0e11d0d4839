"""``manage.py serve``: the whole system in one process (Daphne + background work).

The embedded default: HTTP, WebSockets, page rendering and media in one process on
the in-memory channel layer. Production runs several of these behind nginx plus
separate workers (see deploy/launcher.py).
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Yiting with Daphne (HTTP + WebSocket) and in-process background workers."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--proxy-headers",
            action="store_true",
            help="behind nginx on loopback: take the client address from X-Forwarded-For "
            "(deploy/peer.py; the socket peer stays what /metrics trusts)",
        )
        parser.add_argument(
            "--connect-timeout",
            type=int,
            default=30,
            help="seconds a WebSocket handshake may take (Daphne's default of 5 s drops "
            "tablets during a reconnect storm)",
        )

    def handle(
        self,
        *args,
        host: str,
        port: int,
        proxy_headers: bool = False,
        connect_timeout: int = 30,
        **kw,
    ):
        from daphne.cli import CommandLineInterface

        from realtime.server import daphne_argv, install_close_not_drop

        install_close_not_drop()
        sys.argv = daphne_argv(host, port, connect_timeout)
        if proxy_headers:  # behind nginx (deploy/launcher.py); not Daphne's own header trust
            from django.conf import settings

            settings.BEHIND_PROXY = True
        CommandLineInterface.entrypoint()
