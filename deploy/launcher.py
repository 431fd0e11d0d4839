"""``./yiting stack``: the production stack on one machine, supervised.

Starts, in order: Redis for the channel layer (Debian's ``redis-server``, unless
``REDIS_URL`` names one), migrations and ``collectstatic``, N Daphne workers
(``manage.py serve``), the job workers (``manage.py worker``: page rendering, clip
finalisation, minutes), the floor sweeper (``manage.py floor_sweeper``), and nginx
(Debian's package, installed the way ``./yiting`` installs chromium) in front.

It then watches: a child that exits is started again (with back-off), a Daphne worker
whose ``/healthz`` stops answering is replaced, and after any Daphne worker died the
media recovery runs (recordings it held are closed and finalised). SIGINT or SIGTERM
stops everything in order — nginx first (no new requests), then the workers, Redis
last — and waits for each, so nothing is left running.

    python -m deploy.launcher --workers 2 --port 8080
    python -m deploy.launcher --print-nginx      # the nginx config it would use
"""

from __future__ import annotations

import argparse
import contextlib
import grp
import logging
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NGINX_DIR = Path(__file__).resolve().parent / "nginx"
log = logging.getLogger("yiting.launcher")


# -- options ------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="yiting stack", description=__doc__.split("\n\n")[0])
    p.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 2))
    p.add_argument("--job-workers", type=int, default=1)
    p.add_argument("--bind", default=os.environ.get("YITING_BIND", "0.0.0.0"))
    p.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8080")))
    p.add_argument("--upstream-port", type=int, default=0, help="first Daphne port (0: free)")
    p.add_argument("--redis-port", type=int, default=0, help="own Redis port (0: free)")
    p.add_argument("--data-dir", default=os.environ.get("YITING_DATA_DIR", str(ROOT / "var")))
    p.add_argument("--ops-allow", default="127.0.0.1,::1", help="who may read /metrics")
    p.add_argument("--max-body", default="401m")
    p.add_argument("--no-migrate", action="store_true")
    p.add_argument("--health-interval", type=float, default=5.0)
    p.add_argument("--print-nginx", action="store_true", help="print the nginx config, exit")
    p.add_argument(
        "--upstream",
        action="append",
        default=[],
        help="with --print-nginx: a Daphne worker host:port on any machine (repeatable)",
    )
    return p.parse_args(argv)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- installing Debian packages -------------------------------------------------------------


def ensure_binary(name: str, package: str, candidates: tuple[str, ...] = ()) -> str:
    """The path of ``name``; installs Debian's ``package`` when it is missing."""
    found = shutil.which(name) or next((c for c in candidates if Path(c).exists()), None)
    if found:
        return found
    log.info("installing Debian's %s", package)
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", package], check=True, env=env)
    found = shutil.which(name) or next((c for c in candidates if Path(c).exists()), None)
    if not found:
        raise SystemExit(f"{package} installed but {name} not found")
    return found


# -- nginx config ---------------------------------------------------------------------------


def nginx_user_line(data_dir: Path) -> str:
    """nginx's workers read the data folder as its owner (they switch only under root).

    The Daphne workers run as whoever started the launcher and write the files; nginx
    must read the same files (static, page images, clips), so it takes the owner's user
    rather than Debian's ``www-data``, which cannot read a private data folder.
    """
    if os.geteuid() != 0:
        return ""
    owner = pwd.getpwuid(data_dir.stat().st_uid)
    return f"user {owner.pw_name} {grp.getgrgid(owner.pw_gid).gr_name};"


def render_nginx(
    *,
    run_dir: Path,
    listen: str,
    upstreams: list[str],
    static_root: Path,
    media_root: Path,
    ops_allow: list[str],
    max_body: str = "401m",
    data_dir: Path | None = None,
    backlog: int = 2048,
) -> str:
    """The nginx config for these Daphne ports (template: deploy/nginx/yiting.conf.in)."""
    servers = "\n".join(f"        server {addr} max_fails=1 fail_timeout=3s;" for addr in upstreams)
    allow = "\n".join(f"            allow {a};" for a in ops_allow if a)
    text = (NGINX_DIR / "yiting.conf.in").read_text()
    for key, value in {
        "USER_LINE": nginx_user_line(data_dir or media_root.parent),
        "RUN_DIR": str(run_dir),
        "LISTEN": listen,
        "SERVERS": servers,
        "STATIC_ROOT": str(static_root),
        "MEDIA_ROOT": str(media_root),
        "OPS_ALLOW": allow,
        "MAX_BODY": max_body,
        "BACKLOG": str(backlog),
    }.items():
        text = text.replace(f"@@{key}@@", value)
    return text


def write_nginx(run_dir: Path, text: str) -> Path:
    for sub in ("logs", "nginx-tmp"):
        (run_dir / sub).mkdir(parents=True, exist_ok=True)
    shutil.copy(NGINX_DIR / "proxy_params.conf", run_dir / "proxy_params.conf")
    conf = run_dir / "nginx.conf"
    conf.write_text(text)
    return conf


# -- children -----------------------------------------------------------------------------


@dataclass
class Child:
    """One supervised process: how to start it, where it logs, when it may restart."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    port: int | None = None
    proc: subprocess.Popen | None = None
    restarts: int = 0
    next_start: float = 0.0
    health_failures: int = 0
    stop_signal: int = signal.SIGTERM
    started_at: float = field(default=0.0)

    def start(self) -> None:
        fh = open(self.log_path, "ab")  # noqa: SIM115 (the child owns it for its life)
        self.proc = subprocess.Popen(
            self.argv,
            env=self.env,
            cwd=ROOT,
            stdout=fh,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches the launcher only; it stops us in order
        )
        fh.close()
        self.started_at = time.monotonic()
        self.health_failures = 0
        log.info("started %s (pid %s)", self.name, self.proc.pid)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def signal(self, sig: int) -> None:
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, sig)

    def wait(self, timeout: float) -> bool:
        if self.proc is None:
            return True
        try:
            self.proc.wait(timeout=timeout)
            return True
        except subprocess.TimeoutExpired:
            return False


def healthy(port: int, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=timeout) as r:
            return r.status == 200
    except Exception:
        return False


def wait_healthy(port: int, child: Child | None, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if healthy(port):
            return
        if child is not None and not child.alive():
            raise SystemExit(f"{child.name} exited during start; see {child.log_path}")
        time.sleep(0.2)
    raise SystemExit(f"port {port} did not become healthy in {timeout:.0f}s")


# -- the stack --------------------------------------------------------------------------------


class Stack:
    """Builds the children from the options and supervises them until stopped."""

    def __init__(self, opts: argparse.Namespace) -> None:
        self.opts = opts
        self.data_dir = Path(opts.data_dir).resolve()
        self.run_dir = self.data_dir / "run"
        self.logs = self.run_dir / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.stopping = threading.Event()
        self.redis: Child | None = None
        self.daphnes: list[Child] = []
        self.others: list[Child] = []
        self.nginx: Child | None = None
        self.env = self._env()

    def _env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "deploy.settings",
            "YITING_DATA_DIR": str(self.data_dir),
            "YITING_INPROCESS_WORKERS": "false",  # the workers below run separately
            "YITING_SERVE_STATIC": "false",  # nginx serves /static/
            "YITING_BEHIND_PROXY": "true",
            "YITING_X_ACCEL": "true",
            "PYTHONUNBUFFERED": "1",
        }
        # Persistent database connections (health-checked before reuse): each Daphne
        # process does its database work on one thread, and a new PostgreSQL connection
        # per call was the largest cost of a reconnect storm (bench/reconnect_storm.py).
        env.setdefault("DB_CONN_MAX_AGE", "60")
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        return env

    def manage(self, *args: str) -> list[str]:
        return [sys.executable, str(ROOT / "manage.py"), *args]

    def child(self, name: str, argv: list[str], port: int | None = None, **kw) -> Child:
        return Child(name, argv, self.env, self.logs / f"{name}.log", port=port, **kw)

    # -- start ------------------------------------------------------------------------------
    def start_redis(self) -> None:
        if self.env.get("REDIS_URL"):
            return
        binary = ensure_binary("redis-server", "redis-server", ("/usr/bin/redis-server",))
        port = self.opts.redis_port or free_port()
        argv = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        argv += ["--appendonly", "no", "--dir", str(self.run_dir)]
        self.redis = self.child("redis", argv, port=port)
        self.redis.start()
        self.env["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise SystemExit(f"redis-server did not listen on {port}; see {self.redis.log_path}")

    def prepare(self) -> None:
        steps = [("collectstatic", "--noinput", "-v0")]
        if not self.opts.no_migrate:
            steps.insert(0, ("migrate", "--noinput", "-v0"))
        for step in steps:
            log.info("manage.py %s", step[0])
            subprocess.run(self.manage(*step), env=self.env, cwd=ROOT, check=True)

    def start_daphnes(self) -> None:
        first = self.opts.upstream_port
        for i in range(self.opts.workers):
            port = first + i if first else free_port()
            argv = self.manage(
                "serve", "--host", "127.0.0.1", "--port", str(port), "--proxy-headers"
            )
            self.daphnes.append(self.child(f"daphne-{port}", argv, port=port))
        for d in self.daphnes:
            d.start()
        for d in self.daphnes:
            wait_healthy(d.port, d)

    def start_background_workers(self) -> None:
        for i in range(self.opts.job_workers):
            self.others.append(self.child(f"jobs-{i + 1}", self.manage("worker")))
        self.others.append(self.child("floor-sweeper", self.manage("floor_sweeper")))
        for c in self.others:
            c.start()

    def nginx_text(self, upstreams: list[str]) -> str:
        from django.conf import settings

        return render_nginx(
            run_dir=self.run_dir,
            listen=f"{self.opts.bind}:{self.opts.port}",
            upstreams=upstreams,
            static_root=Path(settings.STATIC_ROOT),
            media_root=Path(settings.MEDIA_ROOT),
            ops_allow=self.opts.ops_allow.split(","),
            max_body=self.opts.max_body,
            data_dir=self.data_dir,
            backlog=settings.YITING_LISTEN_BACKLOG,
        )

    def start_nginx(self) -> None:
        binary = ensure_binary("nginx", "nginx", ("/usr/sbin/nginx",))
        conf = write_nginx(
            self.run_dir, self.nginx_text([f"127.0.0.1:{d.port}" for d in self.daphnes])
        )
        check = subprocess.run(
            [binary, "-t", "-q", "-c", str(conf)], capture_output=True, text=True
        )
        if check.returncode:
            raise SystemExit(f"nginx refused {conf}:\n{check.stderr}")
        self.nginx = self.child("nginx", [binary, "-c", str(conf)], port=self.opts.port)
        self.nginx.stop_signal = signal.SIGQUIT  # graceful: finish requests in flight
        self.nginx.start()
        wait_healthy(self.opts.port, self.nginx)

    def start(self) -> None:
        self.start_redis()
        self.prepare()
        self.start_daphnes()
        self.recover_media()  # what a crash of the previous stack left recording
        self.start_background_workers()
        self.start_nginx()
        host = "127.0.0.1" if self.opts.bind in ("0.0.0.0", "::") else self.opts.bind
        print(
            f"yiting stack ready on http://{host}:{self.opts.port}/ "
            f"({len(self.daphnes)} Daphne workers: {', '.join(str(d.port) for d in self.daphnes)};"
            f" logs in {self.logs})",
            flush=True,
        )

    # -- supervise --------------------------------------------------------------------------
    def children(self) -> list[Child]:
        return [c for c in [self.redis, *self.daphnes, *self.others, self.nginx] if c]

    def supervise(self) -> None:
        last_health = time.monotonic()
        while not self.stopping.wait(0.5):
            for c in self.children():
                if not c.alive():
                    self._restart(c)
            if time.monotonic() - last_health >= self.opts.health_interval:
                last_health = time.monotonic()
                self._check_daphnes()

    def _restart(self, c: Child) -> None:
        now = time.monotonic()
        if c.next_start == 0.0:
            code = c.proc.returncode if c.proc else None
            delay = min(30.0, 0.5 * 2 ** min(c.restarts, 6))
            if now - c.started_at > 60:
                delay, c.restarts = 0.5, 0  # it ran a while: not a crash loop
            log.warning("%s exited (code %s); restarting in %.1fs", c.name, code, delay)
            c.next_start = now + delay
            return
        if now < c.next_start:
            return
        c.next_start = 0.0
        c.restarts += 1
        c.start()
        if c in self.daphnes:
            self.recover_media()

    def _check_daphnes(self) -> None:
        for d in self.daphnes:
            if not d.alive() or time.monotonic() - d.started_at < 30:
                continue
            d.health_failures = 0 if healthy(d.port, timeout=5) else d.health_failures + 1
            if d.health_failures >= 3:
                log.error("%s stopped answering /healthz; replacing it", d.name)
                d.signal(signal.SIGKILL)

    def recover_media(self) -> None:
        """Close and finalise what a dead worker was recording (media/recovery.py)."""
        code = "import django; django.setup()\nfrom media.recovery import recover_on_start\n"
        code += "print('recovered', recover_on_start())"
        subprocess.Popen([sys.executable, "-c", code], env=self.env, cwd=ROOT)

    # -- stop -------------------------------------------------------------------------------
    def stop(self) -> None:
        """nginx first (no new work), then Daphne and the workers, Redis last."""
        self.stopping.set()
        order = [[self.nginx], self.daphnes + self.others, [self.redis]]
        for batch in order:
            batch = [c for c in batch if c]
            for c in batch:
                c.signal(c.stop_signal)
            for c in batch:
                if not c.wait(15):
                    log.warning("%s did not stop in 15s; killing it", c.name)
                    c.signal(signal.SIGKILL)
                    c.wait(5)
        log.info("stack stopped")


def refuse_unsafe_stack(bind: str) -> None:
    """Stop before starting anything when the settings are unfit for ``bind``.

    The development SECRET_KEY always; beyond loopback also ``ALLOWED_HOSTS=*`` and
    cookies without ``Secure`` (deploy/hardening.py). Each refusal names its variable.
    """
    from django.conf import settings

    from core.hardening import stack_problems

    problems = stack_problems(settings, bind)
    if problems:
        raise SystemExit("yiting stack refuses to start:\n  - " + "\n  - ".join(problems))


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s launcher %(message)s")
    opts = parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deploy.settings")
    os.environ["YITING_DATA_DIR"] = str(Path(opts.data_dir).resolve())
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    if not opts.print_nginx:
        refuse_unsafe_stack(opts.bind)
    stack = Stack(opts)
    if opts.print_nginx:
        first = opts.upstream_port or 8101
        local = [f"127.0.0.1:{first + i}" for i in range(opts.workers)]
        print(stack.nginx_text(opts.upstream or local))
        return 0
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stack.stopping.set())
    try:
        stack.start()
        stack.supervise()
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
