"""How Daphne is started (realtime/server.py): the listening socket and its limits."""

from __future__ import annotations

from django.test import override_settings
from twisted.internet import endpoints, reactor

from realtime.server import daphne_argv, listen_endpoint


def _parsed(description: str):
    return endpoints.serverFromString(reactor, description)


def test_the_endpoint_carries_the_backlog_and_the_interface():
    ep = _parsed(listen_endpoint("127.0.0.1", 8123, 2048))
    assert (ep._interface, ep._port, ep._backlog) == ("127.0.0.1", 8123, 2048)


def test_an_ipv6_interface_keeps_its_colons():
    ep = _parsed(listen_endpoint("[::1]", 8124, 512))
    assert (ep._interface, ep._port, ep._backlog) == ("::1", 8124, 512)


@override_settings(YITING_LISTEN_BACKLOG=777, YITING_WS_HARD_CAP=5_000_000)
def test_the_command_line_takes_backlog_and_caps_from_the_settings():
    argv = daphne_argv("127.0.0.1", 8125, 30)
    endpoint = argv[argv.index("-e") + 1]
    assert _parsed(endpoint)._backlog == 777
    assert "-b" not in argv and "-p" not in argv  # one listening socket, not two
    assert argv[argv.index("--websocket-max-message-size") + 1] == "5000000"
    assert argv[argv.index("--websocket_connect_timeout") + 1] == "30"
