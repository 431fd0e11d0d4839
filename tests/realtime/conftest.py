"""Socket fixtures: a WebsocketCommunicator on the real ASGI app, logged in by cookie."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from deploy.asgi import application

ORIGIN = (b"origin", b"http://127.0.0.1")


@sync_to_async
def cookie_for(user) -> bytes:
    c = Client()
    c.force_login(user)
    return f"sessionid={c.cookies['sessionid'].value}".encode()


class Socket:
    """A communicator that speaks the protocol (request/response by id)."""

    def __init__(self, comm: WebsocketCommunicator) -> None:
        self.comm = comm
        self.n = 0
        self.welcome: dict | None = None
        self.events: list[dict] = []

    async def send_raw(self, text: str) -> dict:
        await self.comm.send_to(text_data=text)
        return await self._reply()

    async def request(self, type_: str, data: dict | None = None, key: str | None = None) -> dict:
        self.n += 1
        frame = {"v": 1, "type": type_, "id": f"r{self.n}", "data": data or {}}
        if key:
            frame["key"] = key
        await self.comm.send_to(text_data=json.dumps(frame))
        return await self._reply(f"r{self.n}")

    async def _reply(self, rid: str | None = None) -> dict:
        while True:
            msg = json.loads(await self.comm.receive_from(timeout=5))
            if msg["type"] == "reply" and (rid is None or msg["id"] == rid):
                return msg
            self.events.append(msg)

    async def event(self, type_: str | None = None) -> dict:
        for i, ev in enumerate(self.events):
            if type_ is None or ev["type"] == type_:
                return self.events.pop(i)
        while True:
            msg = json.loads(await self.comm.receive_from(timeout=5))
            if msg["type"] != "reply" and (type_ is None or msg["type"] == type_):
                return msg
            self.events.append(msg)

    async def close(self) -> None:
        await self.comm.disconnect()


@pytest.fixture
def connect():
    opened: list[Socket] = []

    async def _connect(
        user, sitting_id: int, *, origin=ORIGIN, expect_close: int | None = None, query=""
    ):
        headers = [origin] if origin else []
        if user is not None:
            headers.append((b"cookie", await cookie_for(user)))
        path = f"/ws/sittings/{sitting_id}/{query}"
        comm = WebsocketCommunicator(application, path, headers=headers)
        connected, code = await comm.connect(timeout=5)
        if expect_close is not None:
            if connected:
                out = await comm.receive_output(timeout=5)
                assert out == {"type": "websocket.close", "code": expect_close}, out
            return connected, code
        assert connected, f"refused: {code}"
        sock = Socket(comm)
        sock.welcome = json.loads(await comm.receive_from(timeout=5))
        opened.append(sock)
        return sock

    yield _connect
