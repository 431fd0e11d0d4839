"""The reconnect storm's floor on Yiting's stack: Daphne + a Channels consumer, no app.

``bench/reconnect_storm.py --floor`` runs two Daphne processes of this module and storms
them with the same clients and the same welcome/sync exchange as the minimal
``websockets`` baseline: no database, no channel layer, no login. What a storm costs
here is what Daphne, autobahn and Channels cost per socket before any of Yiting's work,
so the gap between this row and Yiting's is all that Yiting's own code could win back.

    daphne -p PORT bench.storm_floor:application
"""

from __future__ import annotations

import json
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.storm_floor")

SECRET_KEY = "bench-only"  # noqa: S105 (this module is also the settings module)
INSTALLED_APPS = ["channels"]
CHANNEL_LAYERS: dict = {}
USE_TZ = True

import django  # noqa: E402

django.setup()

from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import re_path  # noqa: E402

STATE = {"seq": 1, "current": 1}  # per process: "move" is sent to every process
WELCOME = json.dumps({"type": "welcome", "seq": None, "data": {"protocol": 1}})


class FloorConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        await self.accept()
        await self.send(text_data=WELCOME)

    async def receive(self, text_data=None, bytes_data=None) -> None:
        msg = json.loads(text_data)
        if msg.get("type") == "move":
            STATE["seq"] += 1
            STATE["current"] += 1
            return
        if msg.get("type") != "sync":
            return
        events = []
        if msg["data"]["last_seq"] < STATE["seq"]:
            item = {"id": STATE["current"]}
            events = [{"type": "agenda.current", "seq": STATE["seq"], "data": {"item": item}}]
        data = {"mode": "replay", "seq": STATE["seq"], "events": events}
        await self.send(
            text_data=json.dumps({"type": "reply", "id": msg["id"], "ok": True, "data": data})
        )


application = ProtocolTypeRouter(
    {"websocket": URLRouter([re_path(r"^ws/", FloorConsumer.as_asgi())])}
)
