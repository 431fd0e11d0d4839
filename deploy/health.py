"""Operator endpoints: ``/healthz/details`` (JSON) and ``/metrics`` (Prometheus text).

``/healthz`` (frontend/views.py) stays the cheap liveness probe nginx and the launcher
poll. ``/healthz/details`` says *why* a worker is unwell — database, pending
migrations, channel layer round trip, data folder — and answers 503 when any check
fails, so an operator or a monitor sees the cause, not only the symptom. ``/metrics``
is scraped by Prometheus; the figures come from realtime/metrics.py.

Both answer a bearer token (``YITING_METRICS_TOKEN``) when one is set; otherwise only
loopback callers and logged-in staff. nginx keeps them off the public side as well.
"""

from __future__ import annotations

import hmac
import shutil
import time
from collections.abc import Callable

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse

from core.process import SERVER_ID
from deploy import heap
from deploy.peer import peer_is_loopback
from realtime import metrics

MIN_FREE_BYTES = 1 << 30  # below 1 GiB of free disk, recordings are at risk


# -- access -------------------------------------------------------------------------------


async def _allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "").encode()
        return hmac.compare_digest(given, f"Bearer {token}".encode())
    # The socket's peer, never X-Forwarded-For: behind nginx the peer is nginx, which
    # admits only its allow list to these paths (deploy/nginx/yiting.conf.in).
    if peer_is_loopback(request):
        return True
    user = await request.auser()
    return bool(user.is_authenticated and user.is_staff)


def _refused() -> HttpResponse:
    return JsonResponse(
        {"error": {"code": "forbidden", "message": "Metrics need the token or a staff login."}},
        status=403,
    )


# -- checks -------------------------------------------------------------------------------


def _timed(fn: Callable[[], dict]) -> dict:
    started = time.perf_counter()
    try:
        out = {"ok": True, **fn()}
    except Exception as exc:  # reported, not raised: this is the health endpoint
        out = {"ok": False, "error": f"{exc.__class__.__name__}: {exc}"[:300]}
    out["ms"] = round((time.perf_counter() - started) * 1000, 2)
    return out


def _database() -> dict:
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return {"vendor": connection.vendor}


def _migrations() -> dict:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        raise RuntimeError(f"{len(plan)} migrations not applied; run manage.py migrate")
    return {"pending": 0}


def _data_dir() -> dict:
    path = settings.DATA_DIR
    probe = path / f".health-{SERVER_ID.replace(':', '-')}"
    probe.write_bytes(b"ok")
    probe.unlink()
    free = shutil.disk_usage(path).free
    if free < MIN_FREE_BYTES:
        raise RuntimeError(f"only {free} bytes free under {path}")
    return {"path": str(path), "free_bytes": free}


def _db_checks() -> dict:
    checks = {"database": _timed(_database)}
    if checks["database"]["ok"]:
        checks["migrations"] = _timed(_migrations)
    checks["data_dir"] = _timed(_data_dir)
    return checks


def _db_figures() -> dict:
    sockets: dict[str, dict[str, int]] = {}
    for (sitting, role), n in sorted(metrics.sockets_by_sitting().items()):
        sockets.setdefault(str(sitting), {})[role] = n
    return {
        "sockets": sockets,
        "events_per_second": {str(k): v for k, v in metrics.events_per_second().items()},
        "jobs": [q.__dict__ for q in metrics.job_queues()],
    }


def _media_storage() -> dict:
    """Recordings on disk (working, room camera, clips), free space, the oldest file kept."""
    from media.services.storage import usage

    try:
        return usage()
    except Exception as exc:  # reported, not raised
        return {"error": f"{exc.__class__.__name__}: {exc}"[:300]}


def _media_figures(out: Exposition) -> None:
    media = _media_storage()
    if "error" in media:
        return
    out.gauge("yiting_media_bytes", "Bytes of recordings on disk, by kind (working, room, clips).")
    for kind, n in media["bytes"].items():
        out.sample("yiting_media_bytes", n, {"kind": kind})
    out.gauge("yiting_media_files", "Recording files on disk, by kind.")
    for kind, n in media["files"].items():
        out.sample("yiting_media_files", n, {"kind": kind})
    out.gauge("yiting_media_free_bytes", "Free bytes on the recordings' disk.")
    out.sample("yiting_media_free_bytes", media["free_bytes"])
    out.gauge("yiting_media_warn_below_bytes", "Free bytes below which the console is warned.")
    out.sample("yiting_media_warn_below_bytes", media["warn_below_bytes"])
    out.gauge("yiting_media_refuse_below_bytes", "Free bytes below which recording is refused.")
    out.sample("yiting_media_refuse_below_bytes", media["refuse_below_bytes"])
    out.gauge("yiting_media_oldest_file_age_seconds", "Age of the oldest recording file kept.")
    if media["oldest_file_age_s"] is not None:
        out.sample("yiting_media_oldest_file_age_seconds", media["oldest_file_age_s"])


async def _layer_check() -> dict:
    backend = settings.CHANNEL_LAYERS["default"]["BACKEND"]
    started = time.perf_counter()
    try:
        lag = await metrics.layer_round_trip(settings.HEALTH_LAYER_TIMEOUT)
    except Exception as exc:
        return {
            "ok": False,
            "backend": backend,
            "error": f"{exc.__class__.__name__}: {exc}"[:300] or "timeout",
            "ms": round((time.perf_counter() - started) * 1000, 2),
        }
    return {"ok": True, "backend": backend, "lag_ms": round((lag or 0) * 1000, 3)}


# -- views --------------------------------------------------------------------------------


async def details(request: HttpRequest) -> HttpResponse:
    """Every check with its timing; 503 when any fails."""
    if not await _allowed(request):
        return _refused()
    checks = await sync_to_async(_db_checks, thread_sensitive=True)()
    checks["channel_layer"] = await _layer_check()
    body: dict = {"server": SERVER_ID, "checks": checks}
    body["process"] = {
        "sockets": {str(k): v for k, v in metrics.process_sockets().items()},
        **metrics.process_totals(),
        **heap.pauses(),
    }
    if checks["database"]["ok"]:
        try:
            body.update(await sync_to_async(_db_figures, thread_sensitive=True)())
        except Exception as exc:
            checks["figures"] = {"ok": False, "error": f"{exc.__class__.__name__}: {exc}"[:300]}
    body["media_storage"] = await sync_to_async(_media_storage)()
    healthy = all(c["ok"] for c in checks.values())
    body["status"] = "ok" if healthy else "degraded"
    return JsonResponse(body, status=200 if healthy else 503)


async def prometheus(request: HttpRequest) -> HttpResponse:
    """The Prometheus text exposition format (version 0.0.4)."""
    if not await _allowed(request):
        return _refused()
    out = Exposition()
    layer = await _layer_check()
    out.gauge("yiting_channel_layer_up", "1 when a message went through the layer and back.")
    out.sample("yiting_channel_layer_up", int(layer["ok"]))
    out.gauge("yiting_channel_layer_lag_seconds", "Round trip of one message via the layer.")
    if layer["ok"]:
        out.sample("yiting_channel_layer_lag_seconds", layer["lag_ms"] / 1000)
    _process_figures(out)
    _collector_figures(out)
    await sync_to_async(_media_figures)(out)
    try:
        await sync_to_async(_system_figures, thread_sensitive=True)(out)
        db_up = 1
    except Exception:
        db_up = 0
    out.gauge("yiting_database_up", "1 when the database answered this scrape.")
    out.sample("yiting_database_up", db_up)
    return HttpResponse(out.text(), content_type="text/plain; version=0.0.4; charset=utf-8")


def _process_figures(out: Exposition) -> None:
    server = {"server": SERVER_ID}
    out.gauge("yiting_process_sockets", "Sockets this process holds, by sitting.")
    for sitting, n in sorted(metrics.process_sockets().items()):
        out.sample("yiting_process_sockets", n, {**server, "sitting": sitting})
    totals = metrics.process_totals()
    out.counter("yiting_process_socket_connects_total", "Sockets accepted by this process.")
    out.sample("yiting_process_socket_connects_total", totals["connects"], server)
    out.counter("yiting_process_socket_disconnects_total", "Sockets lost by this process.")
    out.sample("yiting_process_socket_disconnects_total", totals["disconnects"], server)
    out.counter(
        "yiting_process_event_frames_total",
        "Event frames this process wrote to sockets: straight to the transport (fast) or "
        "through Daphne's send (send).",
    )
    out.sample(
        "yiting_process_event_frames_total", totals["event_frames_fast"], {**server, "lane": "fast"}
    )
    out.sample(
        "yiting_process_event_frames_total", totals["event_frames_sent"], {**server, "lane": "send"}
    )


def _collector_figures(out: Exposition) -> None:
    server = {"server": SERVER_ID}
    gc_now = heap.pauses()
    out.counter(
        "yiting_process_gc_pause_seconds_total",
        "Time this process spent in garbage collections, by generation (deploy/heap.py).",
    )
    for gen, seconds in enumerate(gc_now["gc_pause_seconds"]):
        out.sample("yiting_process_gc_pause_seconds_total", seconds, {**server, "generation": gen})
    out.gauge("yiting_process_gc_longest_pause_ms", "The longest collection pause since start.")
    out.sample("yiting_process_gc_longest_pause_ms", gc_now["gc_longest_pause_ms"], server)


def _system_figures(out: Exposition) -> None:
    sockets = metrics.sockets_by_sitting()
    rates = metrics.events_per_second()
    totals = metrics.event_totals()
    queues = metrics.job_queues()
    out.gauge("yiting_sockets", "Live sockets of all processes, by sitting and role.")
    for (sitting, role), n in sorted(sockets.items()):
        out.sample("yiting_sockets", n, {"sitting": sitting, "role": role})
    out.gauge("yiting_events_per_second", "Sequenced events per second over the last minute.")
    for sitting, rate in sorted(rates.items()):
        out.sample("yiting_events_per_second", rate, {"sitting": sitting})
    out.counter("yiting_events_total", "Sequenced events of each sitting (its last seq).")
    for sitting, n in sorted(totals.items()):
        out.sample("yiting_events_total", n, {"sitting": sitting})
    out.gauge("yiting_jobs", "Background jobs by kind and state (render, media, minutes).")
    for q in queues:
        out.sample("yiting_jobs", q.count, {"kind": q.kind, "state": q.state})


class Exposition:
    """Builds Prometheus text: ``# HELP``/``# TYPE`` once per family, then samples."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def _family(self, name: str, kind: str, help_: str) -> None:
        self.lines += [f"# HELP {name} {help_}", f"# TYPE {name} {kind}"]

    def gauge(self, name: str, help_: str) -> None:
        self._family(name, "gauge", help_)

    def counter(self, name: str, help_: str) -> None:
        self._family(name, "counter", help_)

    def sample(self, name: str, value: float, labels: dict | None = None) -> None:
        if labels:
            inner = ",".join(f'{k}="{_escape(str(v))}"' for k, v in labels.items())
            name = f"{name}{{{inner}}}"
        self.lines.append(f"{name} {_number(value)}")

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))
