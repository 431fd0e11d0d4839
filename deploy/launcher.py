"""``./yiting stack``: the production stack on one machine, supervised.

Starts, in order: Redis for the channel layer (Debian's ``redis-server``, unless
``REDIS_URL`` names one), migrations and ``collectstatic``, N Daphne workers
(``manage.py serve``), the job workers (``manage.py worker``: page rendering, clip
finalisation, minutes), the floor sweeper (``manage.py floor_sweeper``), and nginx
(Debian's package, installed the way ``./yiting`` installs chromium) in front.

It then watches: a child that exits is started again (with back-off), a Daphne worker
whose ``/healthz`` stops answering is replaced, and after any Daphne worker died the
media recovery runs (recordings it held are closed and finalised). The workers keep
their ``/metrics`` figures in ``$YITING_DATA_DIR/run/prometheus`` (prometheus-client's
multiprocess mode, core/promstats.py), emptied at start; an exited worker's figures are
removed from it, so any worker's scrape reports the live ones. SIGINT or SIGTERM
stops everything in order — nginx first (no new requests), then the workers, Redis
last — and waits for each, so nothing is left running. SIGHUP reloads: new code in
every process, one Daphne worker at a time, the room served throughout (``reload``).

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
import ssl
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from deploy import tls
from deploy.tls import Certificates

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
    tls = p.add_argument_group('HTTPS (docs/deploy.md, "Into the room")')
    tls.add_argument(
        "--tls",
        choices=["room"],
        help="room: a CA of the room and a server certificate, made on first use "
        "under $YITING_DATA_DIR/tls/ and renewed before expiry",
    )
    tls.add_argument("--tls-cert", help="the institution's certificate (PEM, chain after it)")
    tls.add_argument("--tls-key", help="its private key (PEM, unencrypted)")
    tls.add_argument(
        "--name",
        action="append",
        default=[],
        help="a host name or address tablets use (repeatable; default for --tls room: "
        "this host's name and non-loopback addresses; for --tls-cert: the certificate's)",
    )
    tls.add_argument(
        "--http-port",
        type=int,
        default=None,
        help="plain-HTTP port redirecting to HTTPS, except /tls/ and /healthz "
        "(default 80 when --port is 443, otherwise none)",
    )
    p.add_argument(
        "--upstream",
        action="append",
        default=[],
        help="with --print-nginx: a Daphne worker host:port on any machine (repeatable)",
    )
    opts = p.parse_args(argv)
    if opts.tls and (opts.tls_cert or opts.tls_key):
        p.error("--tls room and --tls-cert/--tls-key exclude each other")
    if bool(opts.tls_cert) != bool(opts.tls_key):
        p.error("--tls-cert and --tls-key go together")
    if opts.http_port is None and tls_mode(opts) and opts.port == 443:
        opts.http_port = 80
    return opts


def tls_mode(opts: argparse.Namespace) -> bool:
    return bool(opts.tls or opts.tls_cert)


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


@dataclass(frozen=True)
class NginxTls:
    """HTTPS for the rendered config: the certificate, and the plain-HTTP port (if any)
    that redirects to HTTPS except ``/tls/`` and ``/healthz``."""

    cert: Path
    key: Path
    http_listen: str | None = None  # e.g. "0.0.0.0:80"; None: no plain-HTTP server
    https_port: int = 443


# Mozilla's "intermediate" list (TLS 1.2 ciphers; TLS 1.3 suites are OpenSSL's own):
# forward secrecy and AEAD only; every tablet browser of the last years has them.
TLS_CIPHERS = ":".join(
    [
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305",
        "ECDHE-RSA-CHACHA20-POLY1305",
        "DHE-RSA-AES128-GCM-SHA256",
        "DHE-RSA-AES256-GCM-SHA384",
    ]
)


def nginx_version(binary: str | None = None) -> tuple[int, ...]:
    """The installed nginx's version, (0,) when there is none (then the old syntax)."""
    binary = binary or shutil.which("nginx") or "/usr/sbin/nginx"
    try:
        out = subprocess.run([binary, "-v"], capture_output=True, text=True, timeout=10).stderr
    except (OSError, subprocess.TimeoutExpired):
        return (0,)
    digits = out.rsplit("/", 1)[-1].strip().split(".")
    return tuple(int(d) for d in digits if d.isdigit()) or (0,)


def _listen_lines(listen: str, backlog: int, tls: NginxTls | None, version) -> str:
    if tls is None:
        return f"        listen {listen} backlog={backlog};"
    # nginx 1.25.1 made HTTP/2 a directive of its own; "listen … http2" before that
    if tuple(version) >= (1, 25, 1):
        return f"        listen {listen} ssl backlog={backlog};\n        http2 on;"
    return f"        listen {listen} ssl http2 backlog={backlog};"


def _tls_block(tls: NginxTls | None) -> str:
    if tls is None:
        return ""
    return "\n".join(
        f"        {line}"
        for line in [
            f"ssl_certificate {tls.cert};",
            f"ssl_certificate_key {tls.key};",
            "ssl_protocols TLSv1.2 TLSv1.3;",
            f"ssl_ciphers {TLS_CIPHERS};",
            "ssl_prefer_server_ciphers off;",
            "ssl_session_cache shared:yiting_tls:10m;  # a tablet back from a drop resumes",
            "ssl_session_timeout 1d;",
            "ssl_session_tickets off;",
        ]
    )


def _plain_server(tls: NginxTls | None, backlog: int) -> str:
    """The plain-HTTP server: the CA page and liveness as they are, the rest to HTTPS."""
    if tls is None or not tls.http_listen:
        return ""
    port = "" if tls.https_port == 443 else f":{tls.https_port}"
    return f"""
    server {{
        # plain HTTP: a tablet that does not trust the room CA yet fetches it here
        listen {tls.http_listen} backlog={backlog};
        server_name _;

        location /tls/ {{
            proxy_pass http://yiting_http;
            include @@RUN_DIR@@/proxy_params.conf;
        }}
        location = /healthz {{
            proxy_pass http://yiting_http;
            include @@RUN_DIR@@/proxy_params.conf;
        }}
        location / {{
            return 301 https://$host{port}$request_uri;
        }}
    }}"""


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
    tls: NginxTls | None = None,
    version: tuple[int, ...] | None = None,
) -> str:
    """The nginx config for these Daphne ports (template: deploy/nginx/yiting.conf.in).

    ``data_dir`` is the data folder (page images under ``docs/pages``); by default the
    parent of ``media_root``, as the settings lay them out.
    """
    data_dir = data_dir or media_root.parent
    servers = "\n".join(f"        server {addr} max_fails=1 fail_timeout=3s;" for addr in upstreams)
    allow = "\n".join(f"            allow {a};" for a in ops_allow if a)
    text = (NGINX_DIR / "yiting.conf.in").read_text()
    version = version if version is not None else nginx_version()
    for key, value in {
        "USER_LINE": nginx_user_line(data_dir),
        "LISTEN_LINES": _listen_lines(listen, backlog, tls, version),
        "TLS": _tls_block(tls),
        "PLAIN_SERVER": _plain_server(tls, backlog),
        "RUN_DIR": str(run_dir),
        "SERVERS": servers,
        "STATIC_ROOT": str(static_root),
        "MEDIA_ROOT": str(media_root),
        "PAGES_ROOT": str(data_dir / "docs" / "pages"),
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


def _loopback_tls() -> ssl.SSLContext:
    """For our own nginx on loopback only: liveness, not identity (the name is not
    127.0.0.1, and an institution's chain need not be in this machine's store)."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def healthy(port: int, timeout: float = 2.0, scheme: str = "http") -> bool:
    url = f"{scheme}://127.0.0.1:{port}/healthz"
    ctx = _loopback_tls() if scheme == "https" else None
    try:
        with urllib.request.urlopen(url, timeout=timeout, context=ctx) as r:
            return r.status == 200
    except Exception:
        return False


def wait_healthy(
    port: int, child: Child | None, timeout: float = 60.0, scheme: str = "http"
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if healthy(port, scheme=scheme):
            return
        if child is not None and not child.alive():
            raise SystemExit(f"{child.name} exited during start; see {child.log_path}")
        time.sleep(0.2)
    raise SystemExit(f"port {port} did not become healthy in {timeout:.0f}s")


# -- reload helpers ---------------------------------------------------------------------------

RELOAD_STOP_S = 30.0  # a Daphne worker or job worker stopping for a reload; then SIGKILL
RELOAD_HEALTH_S = 90.0  # a new Daphne worker answering /healthz; nginx's new workers
RELOAD_PREPARE_S = 1800.0  # migrate + collectstatic before anything is restarted


def wait_port_free(port: int, timeout: float) -> bool:
    """Nobody accepts on 127.0.0.1:``port`` any more (bounded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        except OSError:
            return True
        time.sleep(0.05)
    return False


def nginx_workers(master: int) -> set[int]:
    """The pids of the processes whose parent is nginx's master (its workers)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 1 and int(fields[1]) == master:
            found.add(int(entry.name))
    return found


# -- the stack --------------------------------------------------------------------------------


class Stack:
    """Builds the children from the options and supervises them until stopped."""

    def __init__(self, opts: argparse.Namespace, certs: Certificates | None = None) -> None:
        self.opts = opts
        self.certs = certs  # None: plain HTTP (loopback rehearsals, a TLS proxy in front)
        self.data_dir = Path(opts.data_dir).resolve()
        self.run_dir = self.data_dir / "run"
        self.logs = self.run_dir / "logs"
        self.metrics_dir = self.run_dir / "prometheus"  # every worker's /metrics figures
        self.logs.mkdir(parents=True, exist_ok=True)
        self.stopping = threading.Event()
        self.reload_requested = threading.Event()  # SIGHUP: a rolling reload (``reload``)
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
            # prometheus-client's multiprocess mode: one scrape reports every worker
            "PROMETHEUS_MULTIPROC_DIR": str(self.metrics_dir),
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
            tls=self.nginx_tls(),
        )

    def nginx_tls(self) -> NginxTls | None:
        if self.certs is None:
            return None
        http = f"{self.opts.bind}:{self.opts.http_port}" if self.opts.http_port else None
        return NginxTls(self.certs.cert, self.certs.key, http, self.opts.port)

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
        wait_healthy(self.opts.port, self.nginx, scheme="https" if self.certs else "http")

    def start(self) -> None:
        self.reset_metrics()
        self.start_redis()
        self.prepare()
        self.start_daphnes()
        self.recover_media()  # what a crash of the previous stack left recording
        self.start_background_workers()
        self.start_nginx()
        host = "127.0.0.1" if self.opts.bind in ("0.0.0.0", "::") else self.opts.bind
        if self.certs is not None:
            self.say_tls()
            url = self.env["YITING_PUBLIC_URL"]
        else:
            url = f"http://{host}:{self.opts.port}"
        print(
            f"yiting stack ready on {url}/ "
            f"({len(self.daphnes)} Daphne workers: {', '.join(str(d.port) for d in self.daphnes)};"
            f" logs in {self.logs})",
            flush=True,
        )

    def reset_metrics(self) -> None:
        """An empty metrics folder before any worker starts: no figures of the previous
        run's processes (whose pids may come back)."""
        from core.promstats import reset_dir

        reset_dir(self.metrics_dir)

    def forget_metrics(self, c: Child) -> None:
        """``c`` exited: its figures leave the scrape (``multiprocess.mark_process_dead``,
        and its counters, which carry its ``server`` label, with them)."""
        if c.proc is None:
            return
        from core.promstats import forget_process

        try:
            forget_process(c.proc.pid, self.metrics_dir)
        except OSError:
            log.exception("could not remove the metrics of %s (pid %s)", c.name, c.proc.pid)

    def say_tls(self) -> None:
        """What the operator reads out in the room: the CA's page and its fingerprint."""
        certs, first = self.certs, self.certs.names[0] if self.certs.names else "127.0.0.1"
        lines = [f"HTTPS for {', '.join(certs.names)} ({certs.cert})"]
        if certs.ca is not None:
            if "ca" in certs.made:
                lines.append("a NEW room CA was made: every tablet must install it (again)")
            lines.append(f"room CA SHA-256 fingerprint: {certs.ca_fingerprint}")
        if self.opts.http_port:
            port = "" if self.opts.http_port == 80 else f":{self.opts.http_port}"
            lines.append(f"CA and how to install it: http://{tls.host(first)}{port}/tls/")
        else:
            lines.append(f"CA and how to install it: {tls.origin(first, self.opts.port)}/tls/")
        for line in lines:
            print(line, flush=True)

    # -- supervise --------------------------------------------------------------------------
    def children(self) -> list[Child]:
        return [c for c in [self.redis, *self.daphnes, *self.others, self.nginx] if c]

    def supervise(self) -> None:
        last_health = time.monotonic()
        while not self.stopping.wait(0.5):
            if self.reload_requested.is_set():
                self.reload_requested.clear()  # a SIGHUP during the reload: one more after
                self.reload()
                continue
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
            self.forget_metrics(c)
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

    # -- reload (SIGHUP) -------------------------------------------------------------------
    def reload(self) -> bool:
        """A rolling reload: every process runs the code now on disk, the room served
        throughout. Returns whether it went all the way.

        1. ``migrate`` (unless ``--no-migrate``) and ``collectstatic``; a failure stops
           the reload before any process is touched.
        2. nginx re-reads its (re-rendered, ``nginx -t``-checked) config: SIGHUP to its
           master, which starts new nginx workers and lets the old ones finish what they
           hold. First, so the sockets tablets open during step 3 go through new nginx
           workers; the old ones' sockets all end in step 3, and they exit.
        3. Each Daphne worker in turn: SIGTERM, wait until it has exited (its port is
           then closed, and nginx sends what would have gone to it to the others: a
           tablet whose socket it held reconnects through nginx to another worker and
           resyncs), start the new one on the same port, and wait for its ``/healthz``
           before the next. A new worker that does not come up stops the reload there:
           the workers not yet replaced keep serving with the old code.
        4. The job workers and the floor sweeper, one at a time (a job cut short is
           taken over when its lease runs out, as after a crash).
        """
        began = time.monotonic()
        log.info("reload: begins (SIGHUP)")
        if not self._reload_prepare():
            return False
        if self.nginx is not None and not (self._reload_certificates() and self._reload_nginx()):
            return False
        for d in list(self.daphnes):
            if self.stopping.is_set():
                return False
            if not self._replace_daphne(d):
                log.error(
                    "reload: stopped at %s (the new one did not answer /healthz; see %s); "
                    "the workers not yet replaced keep running the old code",
                    d.name,
                    d.log_path,
                )
                return False
        for c in list(self.others):
            if self.stopping.is_set():
                return False
            self._replace(c, RELOAD_STOP_S)
        pids = ", ".join(f"{c.name} {c.proc.pid}" for c in [*self.daphnes, *self.others])
        log.info("reload: done in %.1fs (%s)", time.monotonic() - began, pids)
        return True

    def _reload_prepare(self) -> bool:
        steps = [("collectstatic", "--noinput", "-v0")]
        if not self.opts.no_migrate:
            steps.insert(0, ("migrate", "--noinput", "-v0"))
        for step in steps:
            log.info("reload: manage.py %s", step[0])
            try:
                out = subprocess.run(
                    self.manage(*step),
                    env=self.env,
                    cwd=ROOT,
                    capture_output=True,
                    text=True,
                    timeout=RELOAD_PREPARE_S,
                )
            except subprocess.TimeoutExpired:
                log.error(
                    "reload: abandoned, manage.py %s took over %ss", step[0], RELOAD_PREPARE_S
                )
                return False
            if out.returncode:
                log.error(
                    "reload: abandoned, manage.py %s failed (exit %s); nothing was restarted:\n%s",
                    step[0],
                    out.returncode,
                    (out.stdout + out.stderr)[-3000:],
                )
                return False
        return True

    def _reload_certificates(self) -> bool:
        """Renew the room's server certificate when it nears its end (or re-check the
        institution's, replaced on disk) before nginx re-reads its files: a room that
        reloads for each release never meets an expired certificate mid-term."""
        if self.certs is None:
            return True
        try:
            self.certs = certificates(self.opts, self.data_dir)
        except SystemExit as exc:  # the institution's certificate is no longer fit
            log.error("reload: abandoned, %s", exc)
            return False
        return True

    def _reload_nginx(self) -> bool:
        """nginx -s reload, by the pid: a checked new config, then SIGHUP to the master."""
        conf = self.run_dir / "nginx.conf"
        before = conf.read_text() if conf.exists() else None
        write_nginx(self.run_dir, self.nginx_text([f"127.0.0.1:{d.port}" for d in self.daphnes]))
        binary = self.nginx.argv[0]
        check = subprocess.run(
            [binary, "-t", "-q", "-c", str(conf)], capture_output=True, text=True, timeout=30
        )
        if check.returncode:
            if before is not None:
                conf.write_text(before)  # what the running nginx has, for its next restart
            log.error("reload: abandoned, nginx refused the new config:\n%s", check.stderr)
            return False
        if not self.nginx.alive():
            return True  # supervision starts it again, with the new config
        old = nginx_workers(self.nginx.proc.pid)
        os.kill(self.nginx.proc.pid, signal.SIGHUP)  # the master only: it replaces its workers
        deadline = time.monotonic() + RELOAD_HEALTH_S
        scheme = "https" if self.certs else "http"
        while time.monotonic() < deadline:
            new = nginx_workers(self.nginx.proc.pid) - old
            if new and healthy(self.opts.port, scheme=scheme):
                log.info("reload: nginx re-read its config (workers %s)", sorted(new))
                return True
            time.sleep(0.1)
        log.error("reload: nginx did not start new workers in %ss", RELOAD_HEALTH_S)
        return False

    def _replace(self, c: Child, stop_within: float) -> None:
        """Stop ``c`` (its stop signal; SIGKILL after ``stop_within`` s) and start it anew."""
        old = c.proc.pid if c.proc else None
        log.info("reload: stopping %s (pid %s)", c.name, old)
        c.signal(c.stop_signal)
        if not c.wait(stop_within):
            log.warning("reload: %s did not stop in %ss; killing it", c.name, stop_within)
            c.signal(signal.SIGKILL)
            c.wait(10)
        self.forget_metrics(c)
        c.next_start, c.restarts = 0.0, 0
        c.start()

    def _replace_daphne(self, d: Child) -> bool:
        self._replace(d, RELOAD_STOP_S)
        if not wait_port_free(d.port, 10):
            log.warning("reload: port %s still taken after %s stopped", d.port, d.name)
        self.recover_media()  # what the old process was recording is closed and finalised
        deadline = time.monotonic() + RELOAD_HEALTH_S
        while time.monotonic() < deadline:
            if not d.alive():
                return False
            if healthy(d.port):
                log.info("reload: %s answers /healthz (pid %s)", d.name, d.proc.pid)
                return True
            time.sleep(0.2)
        return False

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
    cookies without ``Secure`` (core/hardening.py). Each refusal names its variable.
    """
    from django.conf import settings

    from core.hardening import stack_problems

    problems = stack_problems(settings, bind)
    if problems:
        raise SystemExit("yiting stack refuses to start:\n  - " + "\n  - ".join(problems))


def certificates(opts: argparse.Namespace, data_dir: Path) -> Certificates | None:
    """The stack's certificate in TLS mode (made or renewed for ``--tls room``).

    With ``--print-nginx`` nothing is made: the config may be meant for another machine.
    """
    if opts.tls_cert:
        try:
            certs = tls.institution_certificates(Path(opts.tls_cert), Path(opts.tls_key))
        except ValueError as exc:
            raise SystemExit(f"yiting stack refuses to start: {exc}") from exc
        names = tuple(opts.name) or certs.names
        if not names:
            raise SystemExit("the certificate names no host: give --name")
        return tls.Certificates(certs.cert, certs.key, names)
    if opts.tls != "room":
        return None
    names = opts.name or tls.default_names()
    folder = data_dir / "tls"
    if opts.print_nginx:
        return tls.Certificates(folder / tls.SERVER_CERT, folder / tls.SERVER_KEY, tuple(names))
    certs = tls.room_certificates(data_dir, names)
    for what in certs.made:
        log.info("made the room's %s certificate under %s", what, folder)
    return certs


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s launcher %(message)s")
    opts = parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deploy.settings")
    data_dir = Path(opts.data_dir).resolve()
    os.environ["YITING_DATA_DIR"] = str(data_dir)
    certs = certificates(opts, data_dir)
    if certs is not None:  # before Django reads its settings: the refusals see them too
        os.environ.update(tls.environment(certs.names, opts.port, os.environ))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    if not opts.print_nginx:
        refuse_unsafe_stack(opts.bind)
    stack = Stack(opts, certs)
    if opts.print_nginx:
        first = opts.upstream_port or 8101
        local = [f"127.0.0.1:{first + i}" for i in range(opts.workers)]
        print(stack.nginx_text(opts.upstream or local))
        return 0
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stack.stopping.set())
    signal.signal(signal.SIGHUP, lambda *_: stack.reload_requested.set())
    try:
        stack.start()
        stack.supervise()
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
