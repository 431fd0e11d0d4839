"""/healthz/details and /metrics: who may read them, what they say, and when they fail."""

from __future__ import annotations

import re
import socket

import pytest
from django.test import Client

from harness.actors import CLERK
from meeting.services import agenda
from realtime import metrics
from realtime.models import Connection

pytestmark = pytest.mark.django_db


def samples(text: str) -> dict[str, float]:
    """Parse Prometheus text into {'name{labels}': value}, checking every line's form."""
    out: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            continue
        m = re.fullmatch(r'([a-z_]+(?:\{[a-z_]+="[^"]*"(?:,[a-z_]+="[^"]*")*\})?) (\S+)', line)
        assert m, f"not a Prometheus sample line: {line!r}"
        out[m.group(1)] = float(m.group(2))
    return out


def unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_healthz_still_answers(committee):
    r = Client().get("/healthz")
    assert r.status_code == 200 and r.json()["db"] == "ok"


def test_details_all_ok(committee):
    r = Client().get("/healthz/details")
    body = r.json()
    assert r.status_code == 200, body
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "migrations", "data_dir", "channel_layer"}
    assert all(c["ok"] for c in body["checks"].values())
    assert body["checks"]["migrations"]["pending"] == 0
    assert body["checks"]["channel_layer"]["lag_ms"] >= 0


def test_details_says_which_check_failed_when_data_dir_is_unusable(committee, settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    settings.DATA_DIR = blocker
    r = Client().get("/healthz/details")
    body = r.json()
    assert r.status_code == 503 and body["status"] == "degraded"
    assert body["checks"]["data_dir"]["ok"] is False
    assert "NotADirectoryError" in body["checks"]["data_dir"]["error"]
    assert body["checks"]["database"]["ok"] is True
    assert blocker.read_text().startswith("a file")  # nothing was touched


def test_details_fails_when_redis_does_not_answer(committee, settings):
    from channels.layers import channel_layers

    port = unused_port()
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [f"redis://127.0.0.1:{port}/0"]},
        }
    }
    settings.HEALTH_LAYER_TIMEOUT = 1.0
    channel_layers.backends.clear()
    r = Client().get("/healthz/details")
    body = r.json()
    assert r.status_code == 503
    layer = body["checks"]["channel_layer"]
    assert layer["ok"] is False and "pubsub" in layer["backend"].lower()
    m = samples(Client().get("/metrics").content.decode())
    assert m["yiting_channel_layer_up"] == 0
    assert "yiting_channel_layer_lag_seconds" not in m


@pytest.mark.redis
def test_layer_lag_is_measured_through_real_redis(committee, settings, redis_url):
    from channels.layers import channel_layers

    for kind in (
        "channels_redis.pubsub.RedisPubSubChannelLayer",
        "channels_redis.core.RedisChannelLayer",
    ):
        settings.CHANNEL_LAYERS = {"default": {"BACKEND": kind, "CONFIG": {"hosts": [redis_url]}}}
        channel_layers.backends.clear()
        m = samples(Client().get("/metrics").content.decode())
        assert m["yiting_channel_layer_up"] == 1, kind
        assert 0 < m["yiting_channel_layer_lag_seconds"] < 5, kind


def test_metrics_count_sockets_events_and_jobs(committee):
    from django.utils import timezone

    s = committee.plenary
    for n, member in enumerate(committee.members[:3]):
        Connection.objects.create(
            channel_name=f"c{n}",
            sitting=s,
            user=member.user,
            member=member,
            role="member",
            server="x:1",
            last_seen=timezone.now(),
        )
    Connection.objects.create(
        channel_name="stale",
        sitting=s,
        user=committee.clerk.user,
        member=committee.clerk,
        role="clerk",
        server="gone:2",
        last_seen=timezone.now() - timezone.timedelta(hours=1),
    )
    agenda.step(s.pk, 1, actor=CLERK)
    agenda.step(s.pk, 1, actor=CLERK)
    m = samples(Client().get("/metrics").content.decode())
    assert m[f'yiting_sockets{{role="member",sitting="{s.pk}"}}'] == 3  # labels sorted
    assert f'yiting_sockets{{role="clerk",sitting="{s.pk}"}}' not in m  # stale row
    seq = type(s).objects.get(pk=s.pk).event_seq
    assert seq >= 2
    assert m[f'yiting_events_total{{sitting="{s.pk}"}}'] == seq
    assert m[f'yiting_events_per_second{{sitting="{s.pk}"}}'] == pytest.approx(seq / 60)
    assert m["yiting_database_up"] == 1 and m["yiting_channel_layer_up"] == 1
    gc_lines = [k for k in m if k.startswith("yiting_process_gc_pause_seconds_total{")]
    assert len(gc_lines) == 3 and all('generation="' in k for k in gc_lines)
    assert any(k.startswith("yiting_process_gc_longest_pause_ms{") for k in m)


def test_process_socket_counter_follows_connects(committee):
    before = metrics.process_totals()
    metrics.socket_opened(42)
    metrics.socket_opened(42)
    metrics.socket_closed(42)
    text = Client().get("/metrics").content.decode()
    m = samples(text)
    server = re.search(r'yiting_process_sockets\{server="([^"]+)",sitting="42"\}', text).group(1)
    assert m[f'yiting_process_sockets{{server="{server}",sitting="42"}}'] == 1
    key = f'yiting_process_socket_connects_total{{server="{server}"}}'
    assert m[key] == before["connects"] + 2
    metrics.socket_closed(42)
    assert 42 not in metrics.process_sockets()


def test_outsiders_are_refused_and_nothing_leaks(committee):
    far = Client(REMOTE_ADDR="10.1.2.3")
    for url in ("/metrics", "/healthz/details"):
        r = far.get(url)
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
        assert b"yiting_" not in r.content and b"checks" not in r.content
    far.force_login(committee.members[0].user)  # a member, not staff
    assert far.get("/metrics").status_code == 403


def test_staff_login_may_read_metrics_from_afar(committee):
    committee.staff.user.is_staff = True
    committee.staff.user.save()
    far = Client(REMOTE_ADDR="10.1.2.3")
    far.force_login(committee.staff.user)
    assert far.get("/metrics").status_code == 200


def test_token_when_set_is_the_only_key(committee, settings):
    settings.METRICS_TOKEN = "s3cret"
    assert Client().get("/metrics").status_code == 403  # loopback no longer enough
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    r = Client(REMOTE_ADDR="10.1.2.3").get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/plain; version=0.0.4")
