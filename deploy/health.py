"""Operator endpoints: ``/healthz/details`` (JSON) and ``/metrics`` (Prometheus text).

``/healthz`` (frontend/views.py) stays the cheap liveness probe nginx and the launcher
poll. ``/healthz/details`` says *why* a worker is unwell — database, pending
migrations, channel layer round trip, data folder — and answers 503 when any check
fails, so an operator or a monitor sees the cause, not only the symptom. ``/metrics``
is scraped by Prometheus (text written by prometheus-client): each worker's own figures
(realtime/metrics.py, the collector's pauses, CPU, memory, descriptors; core/promstats.py)
for every worker at once under ``./yiting stack``, plus the whole system's, read by the
worker that answers from the database and the channel layer.

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
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

from core import promstats
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


def _media_figures(out: Scrape) -> None:
    media = _media_storage()
    if "error" in media:
        return
    by_kind = out.gauge(
        "yiting_media_bytes",
        "Bytes of recordings on disk, by kind (working, room, clips).",
        ["kind"],
    )
    for kind, n in media["bytes"].items():
        by_kind.add_metric([kind], n)
    files = out.gauge("yiting_media_files", "Recording files on disk, by kind.", ["kind"])
    for kind, n in media["files"].items():
        files.add_metric([kind], n)
    out.gauge("yiting_media_free_bytes", "Free bytes on the recordings' disk.").add_metric(
        [], media["free_bytes"]
    )
    out.gauge(
        "yiting_media_warn_below_bytes", "Free bytes below which the console is warned."
    ).add_metric([], media["warn_below_bytes"])
    out.gauge(
        "yiting_media_refuse_below_bytes", "Free bytes below which recording is refused."
    ).add_metric([], media["refuse_below_bytes"])
    oldest = out.gauge(
        "yiting_media_oldest_file_age_seconds", "Age of the oldest recording file kept."
    )
    if media["oldest_file_age_s"] is not None:
        oldest.add_metric([], media["oldest_file_age_s"])


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
        **promstats.process_figures(),
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
    """The Prometheus text exposition format (version 0.0.4), written by prometheus-client.

    First every worker's own figures (core/promstats.py: read from the shared folder
    under ``./yiting stack``, this process's alone otherwise), then what this worker
    reads for the whole system: the channel layer's round trip, disk use of the
    recordings, and the database's figures.
    """
    if not await _allowed(request):
        return _refused()
    out = Scrape()
    layer = await _layer_check()
    out.gauge(
        "yiting_channel_layer_up", "1 when a message went through the layer and back."
    ).add_metric([], int(layer["ok"]))
    lag = out.gauge("yiting_channel_layer_lag_seconds", "Round trip of one message via the layer.")
    if layer["ok"]:
        lag.add_metric([], layer["lag_ms"] / 1000)
    await sync_to_async(_media_figures)(out)
    try:
        await sync_to_async(_system_figures, thread_sensitive=True)(out)
        db_up = 1
    except Exception:
        db_up = 0
    out.gauge("yiting_database_up", "1 when the database answered this scrape.").add_metric(
        [], db_up
    )
    workers = await sync_to_async(promstats.exposition, thread_sensitive=False)()
    return HttpResponse(workers + out.text(), content_type=CONTENT_TYPE_PLAIN_0_0_4)


# -- this process's collector pauses, as every worker's figures ------------------------------

GC_PAUSES = promstats.counter(
    "yiting_process_gc_pause_seconds_total",
    "Time this process spent in garbage collections, by generation (deploy/heap.py).",
    ["generation", "server"],
)
GC_LONGEST = promstats.gauge(
    "yiting_process_gc_longest_pause_ms", "The longest collection pause since start.", ["server"]
)
_gc_pauses = promstats.Totals(GC_PAUSES)


def _publish_collector(scrape: bool) -> None:
    """Copy deploy/heap.py's pause figures into this process's metrics (a sampling hook)."""
    now = heap.pauses()
    for gen, seconds in enumerate(now["gc_pause_seconds"]):
        _gc_pauses.publish((str(gen), SERVER_ID), seconds, create=scrape)
    if scrape or now["gc_longest_pause_ms"]:
        GC_LONGEST.labels(SERVER_ID).set(now["gc_longest_pause_ms"])


promstats.on_sample(_publish_collector)


def start_sampling() -> bool:
    """A Daphne worker's figures into the shared folder every few seconds
    (deploy/background.py); nothing in single-process mode, where the scrape samples."""
    return promstats.start_sampling()


# -- the whole system's figures, read by the worker that answers --------------------------------


def _system_figures(out: Scrape) -> None:
    sockets = metrics.sockets_by_sitting()
    rates = metrics.events_per_second()
    totals = metrics.event_totals()
    queues = metrics.job_queues()
    live = out.gauge(
        "yiting_sockets", "Live sockets of all processes, by sitting and role.", ["sitting", "role"]
    )
    for (sitting, role), n in sorted(sockets.items()):
        live.add_metric([str(sitting), role], n)
    per_second = out.gauge(
        "yiting_events_per_second",
        "Sequenced events per second over the last minute.",
        ["sitting"],
    )
    for sitting, rate in sorted(rates.items()):
        per_second.add_metric([str(sitting)], rate)
    events = out.counter(
        "yiting_events_total", "Sequenced events of each sitting (its last seq).", ["sitting"]
    )
    for sitting, n in sorted(totals.items()):
        events.add_metric([str(sitting)], n)
    jobs = out.gauge(
        "yiting_jobs",
        "Background jobs by kind and state (render, media, minutes).",
        ["kind", "state"],
    )
    for q in queues:
        jobs.add_metric([q.kind, q.state], q.count)


class Scrape:
    """The families one scrape reads for the whole system (a prometheus-client collector)."""

    def __init__(self) -> None:
        self.families: list[Metric] = []

    def gauge(self, name: str, help_: str, labels: list[str] | None = None) -> GaugeMetricFamily:
        family = GaugeMetricFamily(name, help_, labels=labels or [])
        self.families.append(family)
        return family

    def counter(
        self, name: str, help_: str, labels: list[str] | None = None
    ) -> CounterMetricFamily:
        family = CounterMetricFamily(name, help_, labels=labels or [])
        self.families.append(family)
        return family

    def collect(self) -> list[Metric]:
        return self.families

    def text(self) -> bytes:
        registry = CollectorRegistry(auto_describe=False)
        registry.register(self)
        return generate_latest(registry)
