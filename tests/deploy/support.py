"""Real processes for the deploy tests: the launcher, a Redis of our own, plumbing.

Nothing here touches the machine's Redis (6379) or PostgreSQL server: a test that
restarts Redis starts its own ``redis-server`` on a free port, and a test that takes the
database away cuts a TCP proxy (tests/deploy/pgproxy.py) it put in front of it.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from harness.servers import ROOT, free_port, run_manage, run_python
from meeting.demo import DEMO_PASSWORD  # noqa: F401  (re-exported for the deploy tests)


def wait_port(port: int, timeout: float = 15.0, up: bool = True) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            if up:
                return
        except OSError:
            if not up:
                return
        time.sleep(0.05)
    raise TimeoutError(f"port {port} still {'closed' if up else 'open'} after {timeout}s")


def http_get(url: str, headers: dict | None = None, timeout: float = 5) -> tuple[int, dict, bytes]:
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()
    except OSError:  # refused or reset: nobody answers
        return 0, {}, b""


class OwnRedis:
    """A throw-away ``redis-server`` on a free port, without persistence; restartable."""

    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        self.tmp = tmp
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> OwnRedis:
        argv = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        argv += ["--save", "", "--appendonly", "no", "--dir", str(self.tmp)]
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(self.port)
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        wait_port(self.port, up=False)


class Launcher:
    """``python -m deploy.launcher`` in a subprocess, read until it says it is ready."""

    def __init__(self, tmp: Path, workers: int = 2, env: dict | None = None, args=()) -> None:
        self.tmp = tmp
        self.data_dir = tmp / "stack"
        self.port = free_port()
        self.workers = workers
        self.args = list(args)
        self.env = {
            **os.environ,
            "YITING_DATA_DIR": str(self.data_dir),
            "SECRET_KEY": "deploy-test",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        self.env.setdefault("DATABASE_URL", f"sqlite:///{self.data_dir / 'db.sqlite3'}")
        self.out = tmp / "launcher.out"
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 120) -> Launcher:
        argv = [sys.executable, "-m", "deploy.launcher", "--workers", str(self.workers)]
        argv += ["--port", str(self.port), "--bind", "127.0.0.1", "--data-dir", str(self.data_dir)]
        with open(self.out, "wb") as fh:
            self.proc = subprocess.Popen(
                argv + self.args, env=self.env, cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while "stack ready" not in self.text():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"launcher did not get ready:\n{self.text()[-4000:]}")
            time.sleep(0.2)
        return self

    def text(self) -> str:
        return self.out.read_text(errors="replace") if self.out.exists() else ""

    def pids(self) -> dict[str, int]:
        """The latest pid of every child, from the launcher's log."""
        return {m[0]: int(m[1]) for m in re.findall(r"started (\S+) \(pid (\d+)\)", self.text())}

    def daphne_ports(self) -> list[int]:
        return sorted(int(n.split("-")[1]) for n in self.pids() if n.startswith("daphne-"))

    def manage(self, *args: str, timeout: float = 180) -> str:
        return run_manage(self.env, *args, timeout=timeout)

    def python(self, code: str) -> object:
        return run_python(self.env, code)

    def stop(self, timeout: float = 60) -> int | None:
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is dead for our purpose
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"
