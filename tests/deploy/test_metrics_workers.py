"""One scrape of /metrics reports every worker of ``./yiting stack`` (prometheus-client's
multiprocess mode): sockets opened on each of two Daphne workers, CPU, memory and
descriptors of each, and a killed worker's figures gone once the launcher saw it exit.

Real processes: the launcher with nginx, Redis, 2 Daphne workers and a job worker.
"""

from __future__ import annotations

import os
import re
import signal
import time

import pytest

from harness.servers import WsClient, login_cookie
from tests.deploy.support import DEMO_PASSWORD, Launcher, http_get
from tests.deploy.test_health import samples

pytestmark = [pytest.mark.e2e]

STALE = "counter_999999.db"  # what a previous run's worker left in the folder


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    launcher = Launcher(tmp_path_factory.mktemp("metrics"), workers=2)
    folder = launcher.data_dir / "run" / "prometheus"
    folder.mkdir(parents=True)
    (folder / STALE).write_bytes(b"\0" * 64)
    launcher.start()
    launcher.manage("demo", "--members", "12", "--no-documents")
    yield launcher
    launcher.stop()


def scrape(port: int) -> dict[str, float]:
    status, headers, body = http_get(f"http://127.0.0.1:{port}/metrics", timeout=30)
    assert status == 200 and headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return samples(body.decode())


def per_server(m: dict[str, float], name: str) -> dict[int, float]:
    """{pid: value} of a per-process series ``name{server="host:pid"}``."""
    out = {}
    for key, value in m.items():
        found = re.fullmatch(rf'{name}\{{server="[^"]*:(\d+)"\}}', key)
        if found:
            out[int(found.group(1))] = value
    return out


def wait_for(predicate, what: str, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        assert time.monotonic() < deadline, f"not within {timeout}s: {what}"
        time.sleep(0.2)


def test_the_folder_is_the_deployments_and_was_emptied_at_start(stack):
    folder = stack.data_dir / "run" / "prometheus"
    assert folder.is_dir() and not (folder / STALE).exists()
    pids = stack.pids()
    daphnes = {pid for name, pid in pids.items() if name.startswith("daphne-")}
    files = {int(m[1]) for f in folder.iterdir() if (m := re.search(r"_(\d+)\.db$", f.name))}
    assert daphnes <= files, (daphnes, files)  # each worker writes its own


async def test_one_scrape_counts_the_sockets_of_both_workers(stack):
    sitting = stack.python(
        "from core.models import Sitting\nresult = Sitting.objects.get(kind='plenary').pk"
    )
    ports = stack.daphne_ports()
    pids = {port: stack.pids()[f"daphne-{port}"] for port in ports}
    before = per_server(scrape(ports[0]), "yiting_process_socket_connects_total")
    opened = {ports[0]: 2, ports[1]: 3}  # straight to each worker, not through nginx
    clients, logins = [], iter(range(2, 12))
    for port, n in opened.items():
        for _ in range(n):
            url = f"http://127.0.0.1:{port}"
            c = WsClient(url, sitting, login_cookie(url, f"m{next(logins):03d}", DEMO_PASSWORD))
            await c.connect(sync=False)
            clients.append(c)
    try:
        for port in ports:  # whichever worker answers, the scrape is the same
            m = scrape(port)
            connects = per_server(m, "yiting_process_socket_connects_total")
            assert {pids[p] for p in ports} <= set(connects), (pids, connects)
            for p in ports:
                assert connects[pids[p]] - before.get(pids[p], 0) == opened[p], (p, connects)
            total = sum(connects.values()) - sum(before.values())
            assert total == sum(opened.values())  # summed over the workers: all five
            sockets = {k: v for k, v in m.items() if k.startswith("yiting_process_sockets{") and v}
            assert len({re.search(r'server="([^"]+)"', k)[1] for k in sockets}) == 2
            assert sum(sockets.values()) == sum(opened.values())
    finally:
        for c in clients:
            await c.close()


def test_every_worker_has_cpu_memory_and_descriptors(stack):
    pids = stack.pids()
    workers = {pid for name, pid in pids.items() if name.startswith(("daphne-", "jobs-"))}

    def complete():
        m = scrape(stack.daphne_ports()[1])
        figures = [
            per_server(m, name)
            for name in (
                "yiting_process_cpu_seconds_total",
                "yiting_process_resident_memory_bytes",
                "yiting_process_open_fds",
            )
        ]
        return figures if all(workers <= set(f) for f in figures) else None

    cpu, rss, fds = wait_for(complete, f"figures of every worker {workers}")
    for pid in workers:
        assert cpu[pid] > 0 and rss[pid] > 10 * 1024 * 1024 and fds[pid] >= 3, pid
    # the whole-system figures are still there, once
    m = scrape(stack.daphne_ports()[0])
    assert m["yiting_database_up"] == 1 and m["yiting_channel_layer_up"] == 1
    assert any(k.startswith("yiting_process_gc_pause_seconds_total{") for k in m)


def test_a_dead_workers_figures_leave_the_scrape(stack):
    first, second = stack.daphne_ports()
    name = f"daphne-{second}"
    old = stack.pids()[name]
    assert old in per_server(scrape(first), "yiting_process_open_fds")
    os.kill(old, signal.SIGKILL)
    new = wait_for(lambda: stack.pids()[name] != old and stack.pids()[name], "a new worker")
    m = wait_for(
        lambda: (
            (m := scrape(first))
            and old not in per_server(m, "yiting_process_open_fds")
            and new in per_server(m, "yiting_process_open_fds")
            and m
        ),
        "the dead worker's figures gone, the new one's in",
    )
    assert old not in per_server(m, "yiting_process_socket_connects_total")
    assert old not in per_server(m, "yiting_process_cpu_seconds_total")
    assert not list((stack.data_dir / "run" / "prometheus").glob(f"*_{old}.db"))
