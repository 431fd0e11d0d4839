"""One log configuration: JSON lines with the request or socket id of each line."""

from __future__ import annotations

import io
import json
import logging

import pytest
import structlog

from deploy import logs
from tests.deploy.test_hardening import _asgi_get


@pytest.fixture
def captured():
    """The project's formatter (JSON) on a handler of the root logger, into a buffer."""
    import deploy.asgi  # noqa: F401  (its django.setup() reconfigures logging: first)

    buf = io.StringIO()
    handler = logging.StreamHandler(buf)
    handler.setFormatter(logs.formatter(json=True))
    root = logging.getLogger()
    root.addHandler(handler)
    yield buf
    root.removeHandler(handler)


def _lines(buf: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in buf.getvalue().splitlines() if line.strip()]


def test_settings_use_the_one_formatter(settings):
    fmt = settings.LOGGING["formatters"]["structured"]
    assert fmt["()"] == "deploy.logs.formatter" and "json" in fmt
    handler = logging.getLogger().handlers[0]
    assert isinstance(handler.formatter, structlog.stdlib.ProcessorFormatter)


def test_stdlib_and_structlog_lines_are_json(captured):
    logging.getLogger("yiting.test").warning("开会 %s", 3)
    structlog.get_logger("yiting.test").warning("vote closed", vote=7)
    first, second = _lines(captured)[-2:]
    assert first["event"] == "开会 3" and first["level"] == "warning"
    assert first["logger"] == "yiting.test" and first["timestamp"].endswith("Z")
    assert second["event"] == "vote closed" and second["vote"] == 7


def test_the_plain_format_is_one_readable_line():
    record = logging.LogRecord("yiting.x", logging.INFO, __file__, 1, "hello", (), None)
    line = logs.formatter(json=False).format(record)
    assert "hello" in line and "\n" not in line and not line.startswith("{")


@pytest.mark.django_db(transaction=True)
async def test_each_http_line_has_its_request_id(captured):
    # Django logs a 404 as a warning inside the request: two requests, two ids.
    await _asgi_get("/no-such-page/", ("127.0.0.1", 1), [])
    await _asgi_get("/no-such-page/", ("127.0.0.1", 1), [(b"x-request-id", b"nginx-abc12345")])
    found = [r for r in _lines(captured) if r["logger"] == "django.request"]
    assert len(found) == 2
    assert len(found[0]["request_id"]) == 16 and found[1]["request_id"] == "nginx-abc12345"
    assert found[0]["path"] == "/no-such-page/"


async def test_a_socket_binds_its_id_for_its_lines_only(captured):
    async def app(scope, receive, send):
        logging.getLogger("yiting.sock").info("inside")

    mw = logs.LogContextMiddleware(app)
    await mw({"type": "websocket", "path": "/ws/sittings/3/", "headers": []}, None, None)
    logging.getLogger("yiting.sock").info("outside")
    inside, outside = [r for r in _lines(captured) if r["logger"] == "yiting.sock"]
    assert len(inside["socket_id"]) == 16 and inside["path"] == "/ws/sittings/3/"
    assert "socket_id" not in outside and "request_id" not in outside


@pytest.mark.django_db(transaction=True)  # the database thread closes stale connections
async def test_a_socket_connect_carries_nginx_request_id_into_its_database_thread(
    captured, monkeypatch
):
    """A WebSocket through the deployed ASGI app: the line its connect logs in the
    database thread (where the login is resolved) carries nginx's X-Request-ID."""
    from channels.testing import WebsocketCommunicator

    import realtime.consumers
    from deploy.asgi import application

    def resolve_user(scope):  # runs in the command's database thread
        logging.getLogger("yiting.sock").warning("resolving the socket's login")
        return None  # not logged in: the socket is closed, as for any stranger

    monkeypatch.setattr(realtime.consumers, "resolve_user", resolve_user)
    headers = [
        (b"origin", b"http://127.0.0.1"),
        (b"host", b"127.0.0.1"),
        (b"x-request-id", b"0123456789abcdef0123456789abcdef"),
    ]
    comm = WebsocketCommunicator(application, "/ws/sittings/1/", headers=headers)
    connected, _ = await comm.connect(timeout=10)
    assert connected
    closed = await comm.receive_output(timeout=10)
    assert closed["type"] == "websocket.close"
    await comm.disconnect()
    [line] = [r for r in _lines(captured) if r["logger"] == "yiting.sock"]
    assert line["request_id"] == "0123456789abcdef0123456789abcdef"
    assert line["socket_id"] == line["request_id"] and line["path"] == "/ws/sittings/1/"
