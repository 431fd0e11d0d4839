"""Per-process Prometheus figures, and one scrape that reads every worker's (prometheus-client).

``./yiting stack`` runs several Daphne workers and job workers behind nginx, which hands
a ``/metrics`` scrape to whichever worker it likes. So each long-lived process keeps its
own figures in prometheus-client metrics, and with ``PROMETHEUS_MULTIPROC_DIR`` set (the
launcher sets it to ``$YITING_DATA_DIR/run/prometheus``, emptied at each start) their
values live in memory-mapped files there, one set per process: the worker that answers
a scrape reads them all (``MultiProcessCollector``). Without the variable (``./yiting
run``: one process) the values stay in this process's registry.

Every series here is labelled ``server`` (``host:pid``, core/process.py), so nothing is
summed across processes by accident. When a worker exits the launcher deletes its files
(``forget_process``): a dead worker's series leave the scrape instead of staying flat.

prometheus-client's own process collector reads only the scraping process and is off in
multiprocess mode, so CPU time, resident memory and open descriptors are read here from
/proc, by each process for itself (``sample``): at every scrape by the process that
answers it, and every ``SAMPLE_EVERY_S`` by a thread in each worker (``start_sampling``).
Figures that live elsewhere as plain numbers (frames written on the hot path, collector
pauses) are copied in by hooks (``on_sample``) at the same moments.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    disable_created_metrics,
    generate_latest,
)

from core.process import SERVER_ID

log = logging.getLogger(__name__)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
SAMPLE_EVERY_S = 5.0

disable_created_metrics()  # no ``*_created`` series: nothing here reads them
REGISTRY = CollectorRegistry(auto_describe=False)  # this process's own metrics


def multiproc_dir() -> str | None:
    """The shared folder of the workers' figures, or None in single-process mode."""
    return os.environ.get(MULTIPROC_ENV) or None


def counter(name: str, documentation: str, labels: list[str]) -> Counter:
    return Counter(name, documentation, labels, registry=REGISTRY)


def gauge(name: str, documentation: str, labels: list[str]) -> Gauge:
    """A gauge of this process; in multiprocess mode a dead process's value is dropped."""
    return Gauge(name, documentation, labels, registry=REGISTRY, multiprocess_mode="livesum")


class Totals:
    """Copies totals kept elsewhere as plain numbers into a counter, by their increase.

    The hot paths (a frame written to a socket) only add to an int; the counter, whose
    increment takes a lock and, in multiprocess mode, a write to the mapped file, is
    brought up to date when sampled.
    """

    def __init__(self, metric: Counter) -> None:
        self.metric = metric
        self._last: dict[tuple[str, ...], float] = {}
        self._lock = threading.Lock()

    def publish(self, labels: tuple[str, ...], total: float, *, create: bool = False) -> None:
        """Bring the series ``labels`` up to ``total``; ``create`` shows it even at 0."""
        with self._lock:
            last = self._last.get(labels)
            if last is None and not (create or total):
                return  # no series for what never happened here
            if last is None or total > last:
                self.metric.labels(*labels).inc(total - (last or 0.0))
                self._last[labels] = total


CPU = counter(
    "yiting_process_cpu_seconds_total",
    "CPU time (user and system) this process used since it started.",
    ["server"],
)
RSS = gauge("yiting_process_resident_memory_bytes", "Resident memory of this process.", ["server"])
FDS = gauge("yiting_process_open_fds", "File descriptors this process holds open.", ["server"])
_cpu = Totals(CPU)
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def process_figures() -> dict[str, float | None]:
    """This process's CPU seconds, resident bytes and open descriptors (None: unknown)."""
    times = os.times()
    out: dict[str, float | None] = {"cpu_seconds": times.user + times.system}
    try:
        out["resident_bytes"] = int(Path("/proc/self/statm").read_text().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):  # no /proc (not Linux)
        out["resident_bytes"] = None
    try:
        out["open_fds"] = len(os.listdir("/proc/self/fd"))
    except OSError:
        out["open_fds"] = None
    return out


Hook = Callable[[bool], None]
_hooks: list[Hook] = []


def on_sample(hook: Hook) -> None:
    """Run ``hook(scrape)`` whenever this process samples (``scrape``: for a scrape now)."""
    if hook not in _hooks:
        _hooks.append(hook)


def sample(*, scrape: bool = False) -> None:
    """Write this process's figures into its metrics (and its file, in multiprocess mode)."""
    figures = process_figures()
    _cpu.publish((SERVER_ID,), figures["cpu_seconds"], create=True)
    if figures["resident_bytes"] is not None:
        RSS.labels(SERVER_ID).set(figures["resident_bytes"])
    if figures["open_fds"] is not None:
        FDS.labels(SERVER_ID).set(figures["open_fds"])
    for hook in list(_hooks):
        try:
            hook(scrape)
        except Exception:  # a figure that cannot be read must not cost the others
            log.exception("metrics hook %s failed", getattr(hook, "__qualname__", hook))


_sampler: threading.Thread | None = None
_sampler_lock = threading.Lock()


def start_sampling(every_s: float = SAMPLE_EVERY_S) -> bool:
    """In multiprocess mode, sample this process now and every ``every_s`` s (a thread).

    Called by each long-lived worker (deploy/background.py for Daphne, ``manage.py
    worker``); idempotent. In single-process mode the scrape samples the only process
    there is, so no thread is started (False).
    """
    global _sampler
    if multiproc_dir() is None:
        return False
    with _sampler_lock:
        if _sampler is not None and _sampler.is_alive():
            return True
        stop = threading.Event()

        def run() -> None:
            while True:
                try:
                    sample()
                except Exception:  # e.g. the folder was removed under us: try again later
                    log.exception("sampling this process's metrics failed")
                if stop.wait(every_s):
                    return

        _sampler = threading.Thread(target=run, daemon=True, name="metrics-sampler")
        _sampler.start()
    return True


def exposition() -> bytes:
    """The per-process figures of every worker (multiprocess) or of this one, as text."""
    sample(scrape=True)
    folder = multiproc_dir()
    if folder is None:
        return generate_latest(REGISTRY)
    from prometheus_client import multiprocess

    registry = CollectorRegistry(auto_describe=False)
    multiprocess.MultiProcessCollector(registry, path=folder)
    return generate_latest(registry)


def reset_dir(folder: Path) -> Path:
    """Empty (or make) the shared folder before any worker starts: no figures of a
    previous run's processes, whose pids may come back."""
    folder.mkdir(parents=True, exist_ok=True)
    for f in folder.glob("*.db"):
        f.unlink(missing_ok=True)
    return folder


def forget_process(pid: int, folder: Path | str) -> int:
    """A worker exited: drop its figures from the shared folder; how many files went.

    ``mark_process_dead`` removes its live gauges; its counters are removed as well,
    since every series carries its ``server`` label and would otherwise stay in every
    scrape, flat, until the next start.
    """
    from prometheus_client import multiprocess

    files = list(Path(folder).glob(f"*_{pid}.db"))
    multiprocess.mark_process_dead(pid, str(folder))
    for f in files:
        f.unlink(missing_ok=True)
    return len(files)
