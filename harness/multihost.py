"""Several machines in network namespaces: the production topology of docs/deploy.md.

Built on ``harness/netns.py`` (one bridge, one namespace per host)::

    data   10.77.26.10  PostgreSQL (a cluster made with initdb in a temp dir)
           10.77.26.15  Redis (a second address of the same host, so one host's path to
                        Redis can be cut without cutting its path to PostgreSQL)
    app1   10.77.26.11  Daphne (manage.py serve, :8101) and a job worker (manage.py worker)
    app2   10.77.26.12  the same
    front  10.77.26.20  nginx (:8080), upstreams app1:8101 and app2:8101
    room   10.77.26.30  the tablets: WebSocket clients, aiortc peers, Chromium

Every server listens on its host's own address; nothing listens on loopback for another
host. The application hosts each have their own host name (a UTS namespace per
process, ``unshare --uts``), so a process is named ``app1:<pid>`` as on real machines
and the media layer's "is that server still alive" takes the other-host path
(presence rows), not the same-host pid check. The data folder is one directory on
this machine's disk, seen by every host as the shared data folder (NFS in production).

The test process reaches hosts without a subprocess per call: ``Topology.executor(host)``
runs functions in threads that entered the host's namespace (``setns``; a socket stays
in the namespace of the thread that made it), and ``Topology.room`` is an asyncio loop
in such a thread, where the tablets live. Faults: ``partition(host)`` (the host's
cable), ``cut_redis(host)`` (that host and Redis no longer reach each other, both
ways, by routing rules), ``restart_postgres()``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import ctypes
import json
import os
import pwd
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from harness import netns
from harness.servers import ROOT

SUBNET = "10.77.26.0/24"
ADDR = {
    "data": "10.77.26.10",
    "redis": "10.77.26.15",
    "app1": "10.77.26.11",
    "app2": "10.77.26.12",
    "front": "10.77.26.20",
    "room": "10.77.26.30",
}
APP_HOSTS = ("app1", "app2")
DAPHNE_PORT, FRONT_PORT, PG_PORT, REDIS_PORT = 8101, 8080, 5432, 6379
PG_BIN = Path(shutil.which("initdb") or "/usr/local/bin/initdb").resolve().parent
CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)


# -- namespaces from inside this process --------------------------------------------------


def enter_netns(netns_name: str) -> None:
    """Move the calling thread into ``netns_name`` (sockets it makes then live there)."""
    fd = os.open(f"/run/netns/{netns_name}", os.O_RDONLY)
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"setns into {netns_name}: {os.strerror(err)}")
    finally:
        os.close(fd)


def ns_executor(netns_name: str, workers: int = 4) -> concurrent.futures.ThreadPoolExecutor:
    """A thread pool whose every thread lives in ``netns_name``."""
    return concurrent.futures.ThreadPoolExecutor(
        max_workers=workers,
        initializer=enter_netns,
        initargs=(netns_name,),
        thread_name_prefix=f"ns-{netns_name[-8:]}",
    )


class RoomLoop:
    """An asyncio loop in a thread of the ``room`` namespace: where the tablets run.

    ``run(coro, timeout)`` runs a coroutine there and returns its result (bounded);
    the loop's default executor is in the same namespace (address look-ups, blocking
    helpers), so nothing a tablet does leaves from the test machine's own network.
    """

    def __init__(self, netns_name: str) -> None:
        self.netns = netns_name
        self.executor = ns_executor(netns_name, workers=8)
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self.thread = threading.Thread(target=self._main, name="room-loop", daemon=True)
        self.thread.start()
        if not self._ready.wait(10) or self._error:
            raise RuntimeError(f"the room's loop did not start: {self._error!r}")

    def _main(self) -> None:
        try:
            enter_netns(self.netns)
        except BaseException as exc:
            self._error = exc
            self._ready.set()
            return
        asyncio.set_event_loop(self.loop)
        self.loop.set_default_executor(self.executor)
        self._ready.set()
        self.loop.run_forever()

    def run(self, coro: Coroutine, timeout: float = 300) -> Any:
        fut = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return fut.result(timeout)
        except concurrent.futures.TimeoutError:
            fut.cancel()
            raise TimeoutError(f"the room's coroutine did not finish in {timeout:.0f}s") from None

    def close(self) -> None:
        async def _cancel_all() -> None:
            me = asyncio.current_task()
            tasks = [t for t in asyncio.all_tasks() if t is not me]
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        if self.loop.is_running():
            with contextlib.suppress(Exception):
                self.run(_cancel_all(), timeout=20)
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)
        self.executor.shutdown(wait=False, cancel_futures=True)


def own_hostname(name: str, argv: list[str]) -> list[str]:
    """``argv`` run under host name ``name`` (its own UTS namespace), as on a real host."""
    return ["unshare", "--uts", "--", "sh", "-c", 'hostname "$0" && exec "$@"', name, *argv]


def raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))


# -- the hosts --------------------------------------------------------------------------------


class DataHost:
    """PostgreSQL (a cluster of our own, made with initdb) and Redis, on ``data``."""

    def __init__(self, topo: Topology) -> None:
        self.topo = topo
        # Owned by postgres, outside pytest's root-only temp folders (initdb refuses root)
        self.dir = Path(tempfile.mkdtemp(prefix="yt-multihost-pg-"))
        self.cluster = self.dir / "cluster"
        self.log = self.dir / "postgres.log"
        self.redis: subprocess.Popen | None = None

    def _as_postgres(self, *argv: str) -> list[str]:
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--", *argv]
        return list(argv)

    def start_postgres(self) -> None:
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        init = subprocess.run(
            self._as_postgres(
                str(PG_BIN / "initdb"), "-D", str(self.cluster), "-A", "trust", "-U", "postgres",
                "-E", "UTF8", "--no-sync", "--locale", "C.UTF-8",
            ),
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        if init.returncode:
            raise RuntimeError(f"initdb failed:\n{init.stdout}\n{init.stderr}")
        with open(self.cluster / "pg_hba.conf", "a") as fh:
            fh.write(f"host all all {SUBNET} trust\n")
        with open(self.cluster / "postgresql.conf", "a") as fh:
            fh.write(
                f"listen_addresses = '{ADDR['data']}'\nport = {PG_PORT}\n"
                f"unix_socket_directories = '{self.dir}'\nmax_connections = 300\n"
                "fsync = off\nfull_page_writes = off\nshared_buffers = 64MB\n"
            )
        self.pg_ctl("start")
        self.topo.lan.run_in(
            "data",
            self._as_postgres(str(PG_BIN / "psql"), "-h", str(self.dir), "-U", "postgres",
                              "-c", "CREATE DATABASE yiting"),
            timeout=60, check=True,
        )  # fmt: skip

    def pg_ctl(self, action: str, *extra: str) -> None:
        """``pg_ctl start|stop|restart`` inside ``data`` (waits for it, bounded)."""
        argv = [str(PG_BIN / "pg_ctl"), "-D", str(self.cluster), "-l", str(self.log)]
        argv += ["-w", "-t", "60", *extra, action]
        out = self.topo.lan.run_in("data", self._as_postgres(*argv), timeout=90)
        if out.returncode:
            raise RuntimeError(f"pg_ctl {action} failed:\n{out.stdout}\n{out.stderr}")

    def start_redis(self) -> None:
        netns._ip("-n", self.topo.host("data").netns, "addr", "add",
                  f"{ADDR['redis']}/24", "dev", "eth0")  # fmt: skip
        argv = ["redis-server", "--bind", ADDR["redis"], "--port", str(REDIS_PORT)]
        argv += ["--save", "", "--appendonly", "no", "--dir", str(self.dir)]
        argv += ["--protected-mode", "no"]
        self.redis = self.topo.lan.popen_in(
            "data", argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self.topo.wait_tcp("data", ADDR["redis"], REDIS_PORT)

    def close(self) -> None:
        if self.cluster.exists():
            with contextlib.suppress(Exception):
                self.pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


class AppHost:
    """One application machine: a Daphne worker and a job worker, restartable."""

    def __init__(self, topo: Topology, name: str) -> None:
        self.topo, self.name, self.addr = topo, name, ADDR[name]
        self.daphne: subprocess.Popen | None = None
        self.jobs: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://{self.addr}:{DAPHNE_PORT}"

    def _start(self, what: str, argv: list[str]) -> subprocess.Popen:
        log = self.topo.tmp / f"{self.name}-{what}.log"
        with open(log, "ab") as fh:
            return self.topo.lan.popen_in(
                self.name,
                own_hostname(self.name, [sys.executable, str(ROOT / "manage.py"), *argv]),
                env=self.topo.env, cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT,
            )  # fmt: skip

    def start_daphne(self) -> subprocess.Popen:
        self.daphne = self._start(
            "daphne", ["serve", "--host", self.addr, "--port", str(DAPHNE_PORT), "--proxy-headers"]
        )
        self.topo.wait_http(self.name, f"{self.url}/healthz", proc=self.daphne)
        return self.daphne

    def start_jobs(self) -> subprocess.Popen:
        self.jobs = self._start("jobs", ["worker"])
        return self.jobs

    def stop(self, timeout: float = 15) -> None:
        for proc in (self.daphne, self.jobs):
            if proc is not None:
                self.topo.lan.stop(proc, timeout=timeout)

    def log_text(self, tail: int = 4000) -> str:
        parts = []
        for what in ("daphne", "jobs"):
            p = self.topo.tmp / f"{self.name}-{what}.log"
            if p.exists():
                parts.append(f"--- {self.name} {what}\n" + p.read_text(errors="replace")[-tail:])
        return "\n".join(parts)


class FrontHost:
    """nginx on ``front``, rendered by the launcher's own renderer with both app hosts."""

    def __init__(self, topo: Topology) -> None:
        self.topo = topo
        self.run_dir = topo.tmp / "front-run"
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://{ADDR['front']}:{FRONT_PORT}"

    def start(self) -> None:
        from deploy.launcher import ensure_binary, render_nginx, write_nginx

        data = self.topo.data_dir
        text = render_nginx(
            run_dir=self.run_dir,
            listen=f"{ADDR['front']}:{FRONT_PORT}",
            upstreams=[f"{ADDR[h]}:{DAPHNE_PORT}" for h in APP_HOSTS],
            static_root=data / "static",
            media_root=data / "files",
            ops_allow=[SUBNET],
            data_dir=data,
        )
        conf = write_nginx(self.run_dir, text)
        nginx = ensure_binary("nginx", "nginx", ("/usr/sbin/nginx",))
        check = self.topo.lan.run_in("front", [nginx, "-t", "-q", "-c", str(conf)])
        if check.returncode:
            raise RuntimeError(f"nginx refused {conf}:\n{check.stderr}")
        self.proc = self.topo.lan.popen_in(
            "front", [nginx, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self.topo.wait_http("room", f"{self.url}/healthz", proc=self.proc)

    def access_log(self) -> str:
        p = self.run_dir / "logs" / "nginx-access.log"
        return p.read_text(errors="replace") if p.exists() else ""


# -- the whole topology ---------------------------------------------------------------------


class Topology:
    """data, app1, app2, front and room on one bridge; ``close()`` removes everything."""

    def __init__(self, tmp: Path, extra_env: dict[str, str] | None = None) -> None:
        netns.require()  # skips here, fails with CI=true, when namespaces cannot be made
        raise_fd_limit()
        self.tmp = Path(tmp)
        self.data_dir = self.tmp / "shared-data"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.lan = netns.Lan(SUBNET)
        self._executors: dict[str, concurrent.futures.ThreadPoolExecutor] = {}
        self.room: RoomLoop | None = None
        self.data: DataHost | None = None
        self.apps: dict[str, AppHost] = {}
        self.front: FrontHost | None = None
        self._cuts: list[tuple[str, list[str]]] = []
        self.env = self._env(extra_env or {})

    def _env(self, extra: dict[str, str]) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("YITING_", "DJANGO_"))}
        for key in ("DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS"):
            env.pop(key, None)
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "deploy.settings",
                "YITING_DATA_DIR": str(self.data_dir),
                "DATABASE_URL": f"postgres://postgres@{ADDR['data']}:{PG_PORT}/yiting",
                "REDIS_URL": f"redis://{ADDR['redis']}:{REDIS_PORT}/0",
                "SECRET_KEY": secrets.token_urlsafe(50),
                "ALLOWED_HOSTS": ",".join(ADDR[h] for h in ("front", *APP_HOSTS)),
                "YITING_PUBLIC_URL": f"http://{ADDR['front']}:{FRONT_PORT}",
                # as deploy/launcher.py runs its children
                "YITING_INPROCESS_WORKERS": "false",
                "YITING_SERVE_STATIC": "false",
                "YITING_BEHIND_PROXY": "true",
                "YITING_X_ACCEL": "true",
                "DB_CONN_MAX_AGE": "60",
                "PYTHONPATH": str(ROOT),
                "PYTHONUNBUFFERED": "1",
                **extra,
            }
        )
        return env

    # -- building ---------------------------------------------------------------------------
    def start(self) -> Topology:
        try:
            for name in ("data", *APP_HOSTS, "front", "room"):
                self.lan.make_host(name, ADDR[name])
            self.room = RoomLoop(self.host("room").netns)
            self.data = DataHost(self)
            self.data.start_postgres()
            self.data.start_redis()
            self.manage_in("app1", "migrate", "--noinput", "-v0", timeout=600)
            self.manage_in("app1", "collectstatic", "--noinput", "-v0", timeout=300)
            for name in APP_HOSTS:
                self.apps[name] = AppHost(self, name)
                self.apps[name].start_daphne()
                self.apps[name].start_jobs()
            self.front = FrontHost(self)
            self.front.start()
        except BaseException:
            self.close()
            raise
        return self

    def host(self, name: str) -> netns.Host:
        return self.lan.hosts[name]

    def executor(self, name: str) -> concurrent.futures.ThreadPoolExecutor:
        if name not in self._executors:
            self._executors[name] = ns_executor(self.host(name).netns)
        return self._executors[name]

    def call_in(self, name: str, fn: Callable, *args, timeout: float = 60) -> Any:
        """``fn(*args)`` in a thread of host ``name``'s namespace (bounded)."""
        return self.executor(name).submit(fn, *args).result(timeout)

    # -- running things --------------------------------------------------------------------
    def manage_in(self, host: str, *args: str, timeout: float = 240) -> str:
        out = self.lan.run_in(
            host, own_hostname(host, [sys.executable, str(ROOT / "manage.py"), *args]),
            env=self.env, cwd=ROOT, timeout=timeout,
        )  # fmt: skip
        if out.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} on {host}:\n{out.stdout}\n{out.stderr}")
        return out.stdout

    def python(self, code: str, host: str = "app2", timeout: float = 180) -> Any:
        """Django code on an application host; it may set ``result`` (returned)."""
        script = (
            "import django, json, sys\ndjango.setup()\nresult = None\n"
            + code
            + "\nsys.stdout.write('\\n@@RESULT@@' + json.dumps(result, default=str))\n"
        )
        out = self.lan.run_in(
            host, own_hostname(host, [sys.executable, "-c", script]),
            env=self.env, cwd=ROOT, timeout=timeout,
        )  # fmt: skip
        if out.returncode:
            raise RuntimeError(f"python on {host} failed:\n{out.stdout}\n{out.stderr[-6000:]}")
        return json.loads(out.stdout.rsplit("@@RESULT@@", 1)[1])

    def sql(self, query: str, params: tuple = ()) -> list[tuple]:
        """Rows of ``query``, read on ``data`` itself (the truth, whatever the app hosts see)."""

        def read() -> list[tuple]:
            import psycopg

            dsn = f"host={ADDR['data']} port={PG_PORT} user=postgres dbname=yiting"
            with psycopg.connect(dsn, connect_timeout=10) as conn:
                return conn.execute(query, params).fetchall()

        return self.call_in("data", read)

    def wait_tcp(self, host: str, addr: str, port: int, timeout: float = 30) -> None:
        import socket

        def probe() -> bool:
            try:
                socket.create_connection((addr, port), timeout=1).close()
                return True
            except OSError:
                return False

        deadline = time.monotonic() + timeout
        while not self.call_in(host, probe):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{addr}:{port} not reachable from {host} in {timeout}s")
            time.sleep(0.1)

    def http_status(self, host: str, url: str, timeout: float = 3) -> int:
        """The status of GET ``url`` from ``host`` (0: no answer)."""

        def get() -> int:
            try:
                with urllib.request.urlopen(url, timeout=timeout) as r:
                    return r.status
            except urllib.error.HTTPError as exc:
                return exc.code
            except OSError:
                return 0

        return self.call_in(host, get, timeout=timeout + 30)

    def wait_http(
        self, host: str, url: str, timeout: float = 90, proc: subprocess.Popen | None = None
    ) -> None:
        deadline = time.monotonic() + timeout
        while self.http_status(host, url) != 200:
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"{url}: its process exited ({proc.returncode})\n{self.logs()}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} not healthy from {host} in {timeout}s\n{self.logs()}")
            time.sleep(0.2)

    def logs(self) -> str:
        return "\n".join(a.log_text() for a in self.apps.values())

    # -- faults -------------------------------------------------------------------------------
    def partition(self, name: str) -> None:
        """Unplug host ``name``: it keeps running, and nobody reaches it nor it anybody."""
        self.lan.link_down(name)

    def heal(self, name: str) -> None:
        self.lan.link_up(name)

    def cut_redis(self, name: str) -> None:
        """Host ``name`` and Redis stop reaching each other, both ways; PostgreSQL stays.

        Routing rules drop the packets silently (no reset: a switch port that drops),
        on the app host towards Redis and on ``data`` from Redis's address to the host.
        """
        rules = [
            (self.host(name).netns, ["to", ADDR["redis"], "blackhole", "pref", "90"]),
            (
                self.host("data").netns,
                ["from", ADDR["redis"], "to", ADDR[name], "blackhole", "pref", "90"],
            ),
        ]
        for ns, rule in rules:
            netns._ip("-n", ns, "rule", "add", *rule)
            netns._ip("-n", ns, "route", "flush", "cache", check=False)
            self._cuts.append((ns, rule))

    def mend_redis(self) -> None:
        while self._cuts:
            ns, rule = self._cuts.pop()
            netns._ip("-n", ns, "rule", "del", *rule, check=False)

    def restart_postgres(self) -> None:
        """``pg_ctl restart -m fast``: every connection is cut, the server comes back."""
        self.data.pg_ctl("restart", "-m", "fast")

    # -- the end --------------------------------------------------------------------------
    def close(self) -> None:
        self.mend_redis()
        if self.room is not None:
            self.room.close()
        for app in self.apps.values():  # before the database: a clean goodbye, quickly
            with contextlib.suppress(Exception):
                app.stop()
        if self.front is not None and self.front.proc is not None:
            self.lan.stop(self.front.proc, timeout=10)
        if self.data is not None:
            self.data.close()
        for ex in self._executors.values():
            ex.shutdown(wait=False, cancel_futures=True)
        self.lan.close()

    def __enter__(self) -> Topology:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()
