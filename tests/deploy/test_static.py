"""Static files served by the ASGI app itself: traversal attempts answer 404, not 500."""

from __future__ import annotations

import pytest
from channels.testing import HttpCommunicator

from deploy.asgi import application

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/static/../../etc/passwd",
        "/static/..%2f..%2fetc%2fpasswd",
        "/static/%2e%2e/%2e%2e/etc/passwd",
        "/static/yiting/../../../deploy/settings.py",
        "/static/\x00",
    ],
)
async def test_traversal_on_static_answers_404(path):
    comm = HttpCommunicator(application, "GET", path)
    resp = await comm.get_response(timeout=10)
    assert resp["status"] == 404, resp
    assert b"SECRET_KEY" not in resp["body"] and b"root:" not in resp["body"]


async def test_a_real_static_file_is_served():
    comm = HttpCommunicator(application, "GET", "/static/yiting/core.js")
    await comm.send_input({"type": "http.request", "body": b""})
    start = await comm.receive_output(timeout=10)
    assert start["type"] == "http.response.start" and start["status"] == 200
    await comm.wait(timeout=10)
