"""Real server processes for end-to-end tests: Daphne workers over a shared DB and layer.

``Stack`` builds a fresh database (a SQLite file, or a new PostgreSQL database),
migrates it, starts N Daphne processes on free 127.0.0.1 ports with the same
environment, and stops them all at the end. Everything is bounded in time.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status < 500:
                    return
        except Exception as exc:  # not up yet
            last = exc
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer in {timeout}s: {last}")


def create_pg_database(pg_url: str) -> tuple[str, callable]:
    """A new empty PostgreSQL database; returns its URL and a function that drops it."""
    import psycopg

    name = f"yiting_t_{uuid.uuid4().hex[:10]}"
    admin = pg_url
    with psycopg.connect(_libpq(admin), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    parsed = urllib.parse.urlparse(pg_url)
    url = parsed._replace(path=f"/{name}").geturl()

    def drop() -> None:
        with psycopg.connect(_libpq(admin), autocommit=True) as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
            )
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')

    return url, drop


def _libpq(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


def run_manage(env: dict, *args: str, timeout: float = 180) -> str:
    """``manage.py args`` in ``env``; its output, or RuntimeError with both streams."""
    out = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if out.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{out.stdout}\n{out.stderr}")
    return out.stdout


def run_python(env: dict, code: str, timeout: float = 120) -> object:
    """Run ``code`` with Django set up in ``env``; it may set ``result`` (returned via JSON)."""
    script = (
        "import django, json, sys\ndjango.setup()\nresult = None\n"
        + code
        + "\nsys.stdout.write('\\n@@RESULT@@' + json.dumps(result, default=str))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        env={**env, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if out.returncode:
        raise RuntimeError(f"python in the stack's environment failed:\n{out.stdout}\n{out.stderr}")
    return json.loads(out.stdout.rsplit("@@RESULT@@", 1)[1])


class Stack:
    """N Daphne workers sharing one database and (optionally) one Redis channel layer."""

    def __init__(
        self,
        tmp_path: Path,
        workers: int = 1,
        redis_url: str | None = None,
        database_url: str | None = None,
        extra_env: dict | None = None,
    ) -> None:
        self.tmp = Path(tmp_path)
        self.data_dir = self.tmp / "stack-data"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.workers = workers
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "deploy.settings",
            "YITING_DATA_DIR": str(self.data_dir),
            "DATABASE_URL": database_url or f"sqlite:///{self.data_dir / 'db.sqlite3'}",
            "SECRET_KEY": "e2e-secret",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
            **(extra_env or {}),
        }
        if redis_url:
            self.env["REDIS_URL"] = redis_url
        else:
            self.env.pop("REDIS_URL", None)
        self.procs: list[subprocess.Popen] = []
        self.ports: list[int] = []
        self.logs: list[Path] = []

    # -- set-up ---------------------------------------------------------------------------
    def manage(self, *args: str, timeout: float = 180) -> str:
        return run_manage(self.env, *args, timeout=timeout)

    def python(self, code: str, timeout: float = 120) -> object:
        """Run ``code`` with Django set up in the stack's environment (see ``run_python``)."""
        return run_python(self.env, code, timeout)

    def start(self, migrate: bool = True, demo_members: int | None = None) -> Stack:
        if migrate:
            self.manage("migrate", "--noinput", "-v0")
        if demo_members:
            self.manage("demo", "--members", str(demo_members), "--no-documents")
        for _ in range(self.workers):
            self.spawn_worker()
        for port in self.ports:
            wait_http(f"http://127.0.0.1:{port}/healthz")
        return self

    def spawn_worker(self, port: int | None = None) -> int:
        port = port or free_port()
        log = self.tmp / f"daphne-{port}.log"
        fh = open(log, "ab")  # noqa: SIM115 (kept open for the process's life)
        proc = subprocess.Popen(
            [
                # Daphne as production starts it (deploy/launcher.py): its limits and
                # close codes come from realtime/server.py
                sys.executable,
                str(ROOT / "manage.py"),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--connect-timeout",
                "30",
            ],
            env=self.env,
            cwd=ROOT,
            stdout=fh,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.procs.append(proc)
        self.ports.append(port)
        self.logs.append(log)
        return port

    def kill_worker(self, index: int, sig: int = signal.SIGKILL) -> None:
        proc = self.procs[index]
        if proc.poll() is None:
            os.killpg(proc.pid, sig)
            proc.wait(timeout=10)

    @property
    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{p}" for p in self.ports]

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        for proc in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)

    def log_text(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-4000:] for p in self.logs if p.exists())

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def login_cookie(base_url: str, username: str, password: str) -> str:
    """Log in through the real login form; returns the ``Cookie`` header value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{base_url}/login/", timeout=10) as r:
        html = r.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    body = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token, "next": "/"}
    ).encode()
    req = urllib.request.Request(
        f"{base_url}/login/", data=body, headers={"Referer": f"{base_url}/login/"}
    )
    opener.open(req, timeout=10).close()
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        raise RuntimeError(f"login of {username} failed")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


class WsClient:
    """A real WebSocket client speaking the sitting protocol (websockets library)."""

    def __init__(self, base_url: str, sitting_id: int, cookie: str) -> None:
        self.url = base_url.replace("http://", "ws://") + f"/ws/sittings/{sitting_id}/"
        self.origin = base_url
        self.cookie = cookie
        self.ws = None
        self.seq = 0
        self.events: list[dict] = []
        self.welcome: dict | None = None
        self._n = 0
        self._taken = 0  # events[:_taken] were already returned by next_event

    async def connect(self, sync: bool = True) -> dict | None:
        import websockets

        self.ws = await websockets.connect(
            self.url,
            additional_headers={"Cookie": self.cookie},
            origin=self.origin,
            max_size=2**24,
            open_timeout=30,
        )
        self.welcome = json.loads(await self.ws.recv())
        if sync:
            return await self.sync()
        return None

    async def sync(self) -> dict:
        ans = await self.request("sync", {"last_seq": self.seq})
        data = ans["data"]
        if data["mode"] == "replay":
            for ev in data["events"]:
                self._apply(ev)
        self.seq = max(self.seq, data["seq"])
        return data

    def _apply(self, ev: dict) -> None:
        if ev.get("seq") is None:
            self.events.append(ev)
            return
        if ev["seq"] <= self.seq:
            return
        assert ev["seq"] == self.seq + 1, f"gap: have {self.seq}, got {ev['seq']}"
        self.seq = ev["seq"]
        self.events.append(ev)

    async def request(
        self, type_: str, data: dict | None = None, key: str | None = None, timeout: float = 30
    ) -> dict:
        import asyncio

        self._n += 1
        rid = f"t{self._n}"
        self._taken = len(self.events)  # next_event: only what this command caused, or later
        frame = {"v": 1, "type": type_, "id": rid, "data": data or {}}
        if key:
            frame["key"] = key
        await self.ws.send(json.dumps(frame))
        async with asyncio.timeout(timeout):
            while True:
                msg = json.loads(await self.ws.recv())
                if msg.get("type") == "reply" and msg.get("id") == rid:
                    return msg
                self._apply(msg)

    async def next_event(self, type_: str | None = None, timeout: float = 10) -> dict:
        """The next event (of ``type_``) not yet returned, including one that arrived
        while a request waited for its reply: an event broadcast after commit may reach
        the socket before the command's own reply does."""
        import asyncio

        found = self._take(type_)
        if found is not None:
            return found
        async with asyncio.timeout(timeout):
            while True:
                msg = json.loads(await self.ws.recv())
                if msg.get("type") == "reply":
                    continue
                self._apply(msg)
                found = self._take(type_)
                if found is not None:
                    return found

    def _take(self, type_: str | None) -> dict | None:
        for i in range(self._taken, len(self.events)):
            if type_ is None or self.events[i].get("type") == type_:
                self._taken = i + 1
                return self.events[i]
        return None

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
