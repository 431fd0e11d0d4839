"""The systemd units start from their own files; compose.yaml names commands that exist.

systemd does not run here, so ``test_every_unit_line_runs_as_written`` does its part:
each unit of ``deploy/systemd/`` is installed into a temp tree (``/opt/yiting`` becomes
this checkout, its ``.venv`` the running virtualenv, ``/etc/yiting`` a temp folder
holding ``env.example`` with its placeholders filled: a temp data folder, SQLite, a
Redis of the test's own, a key), and every ``ExecStartPre``/``ExecStart`` line runs as
systemd would run it: in its ``WorkingDirectory``, with only systemd's ``PATH`` plus the
unit's ``EnvironmentFile``/``Environment``, ``%i`` and ``${VAR}`` expanded. One-shot lines
must exit 0; long-running ones must become healthy (HTTP answers, a started line) and
stop cleanly on their ``KillSignal``. What it cannot do: switch to ``User=yiting``.
Docker does not run here either: compose.yaml's commands are checked against the real
``manage.py <command> --help``.
"""

from __future__ import annotations

import json
import re
import secrets
import shlex
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from harness.servers import free_port
from tests.deploy.support import OwnRedis, http_get

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def manage_calls() -> list[list[str]]:
    calls = []
    for unit in (DEPLOY / "systemd").glob("*.service"):
        for line in unit.read_text().splitlines():
            if line.startswith(("ExecStart=", "ExecStartPre=")) and "manage.py" in line:
                argv = shlex.split(line.split("=", 1)[1])
                calls.append(argv[argv.index("manage.py") + 1 :])
    for line in (DEPLOY / "compose.yaml").read_text().splitlines():
        line = line.strip()
        if line.startswith("command: [") and "manage.py" in line:
            cmd = json.loads(line.split(":", 1)[1])  # the list form is JSON
            calls.append(cmd[cmd.index("manage.py") + 1 :])
        elif not line.startswith("#"):
            calls += [shlex.split(m) for m in re.findall(r"manage\.py ([^&\"]+)", line)]
    return calls


def test_every_command_and_option_exists():
    calls = manage_calls()
    assert {c[0] for c in calls} >= {"serve", "worker", "floor_sweeper", "migrate", "collectstatic"}
    helps: dict[str, str] = {}
    for call in calls:
        name = call[0]
        if name not in helps:
            out = subprocess.run(
                [sys.executable, "manage.py", name, "--help"],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert out.returncode == 0, f"manage.py {name}: {out.stderr}"
            helps[name] = out.stdout
        for opt in (a for a in call[1:] if a.startswith("--")):
            assert opt in helps[name], f"manage.py {name} has no option {opt}"


def test_units_read_the_documented_environment():
    env = (DEPLOY / "systemd" / "env.example").read_text()
    settings = (DEPLOY / "settings.py").read_text()
    for name in re.findall(r"^([A-Z_]+)=", env, re.M):
        assert f'"{name}"' in settings, f"{name} in env.example is not read by settings"


# -- every line of every unit, as systemd runs it, on a temp tree ---------------------------

SYSTEMD = DEPLOY / "systemd"
# systemd's own PATH for services; nothing else of the test's environment leaks in
SYSTEMD_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# The order yiting.target's dependencies give (After=/Requires=), one Daphne instance.
START_ORDER = ["yiting-migrate", "yiting-daphne@", "yiting-worker", "yiting-floor-sweeper", "yiting-nginx"]  # fmt: skip
HOST = "yiting.example.gov.cn"  # env.example's ALLOWED_HOSTS, kept as written
CLEAN_EXIT = {0, -signal.SIGTERM, -signal.SIGINT, -signal.SIGHUP, -signal.SIGPIPE}  # systemd's


@dataclass
class Unit:
    name: str
    service: dict[str, list[str]]  # [Service] key → values, in order

    def one(self, key: str, default: str = "") -> str:
        return self.service.get(key, [default])[-1]


def parse_unit(text: str, name: str) -> Unit:
    service: dict[str, list[str]] = {}
    section = ""
    for raw in text.replace("\\\n", " ").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
        elif section == "Service":
            key, _, value = line.partition("=")
            service.setdefault(key.strip(), []).append(value.strip())
    return Unit(name, service)


def install(text: str, tree: Path) -> str:
    """The unit as installed in ``tree``: this checkout, its virtualenv, its config folder."""
    text = text.replace("/opt/yiting/.venv", sys.prefix).replace("/opt/yiting", str(ROOT))
    text = text.replace("/etc/yiting", str(tree / "etc"))
    settings = [x for x in text.splitlines() if not x.lstrip().startswith(("#", ";"))]
    assert not [x for x in settings if "/opt/yiting" in x or "/srv/yiting" in x], settings
    return text


def read_env_file(path: Path) -> dict[str, str]:
    env = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith(("#", ";")):
            key, _, value = line.partition("=")
            env[key.strip()] = value.strip().strip("\"'")
    return env


def unit_env(unit: Unit, home: Path) -> dict[str, str]:
    env = {"PATH": SYSTEMD_PATH, "LANG": "C.UTF-8", "HOME": str(home)}
    for path in unit.service.get("EnvironmentFile", []):
        env.update(read_env_file(Path(path.lstrip("-"))))
    for value in unit.service.get("Environment", []):
        env.update(dict(item.split("=", 1) for item in shlex.split(value)))
    return env


def command_line(line: str, instance: str, env: dict[str, str]) -> tuple[list[str], bool]:
    """argv of an Exec line (specifiers, then variables, as systemd expands them), and
    whether its failure is ignored (the ``-`` prefix)."""
    ignore = line.startswith("-")
    line = line.lstrip("-@:+!")
    bad = set(re.findall(r"%([^i%])", line))
    assert not bad, f"specifiers this test does not know: {bad}"
    line = line.replace("%i", instance).replace("%%", "%")
    argv = []
    for word in shlex.split(line):
        whole = re.fullmatch(r"\$(\w+)", word)
        if whole:  # $VAR alone: split into words
            argv += env.get(whole[1], "").split()
        else:
            argv.append(re.sub(r"\$\{(\w+)\}", lambda m: env.get(m[1], ""), word))
    return argv, ignore


def filled_env_file(tree: Path, redis_url: str) -> Path:
    """env.example with every placeholder filled for a machine made of temp folders."""
    values = read_env_file(SYSTEMD / "env.example")
    values.update(
        DATABASE_URL=f"sqlite:///{tree / 'srv' / 'yiting.sqlite3'}",
        REDIS_URL=redis_url,
        YITING_DATA_DIR=str(tree / "srv"),
        SECRET_KEY=secrets.token_urlsafe(50),
        YITING_METRICS_TOKEN=secrets.token_urlsafe(16),
    )
    assert not [k for k, v in values.items() if "CHANGE-ME" in v], "a placeholder left"
    (tree / "srv").mkdir()
    (tree / "etc").mkdir()
    path = tree / "etc" / "env"
    path.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
    return path


@dataclass
class Running:
    unit: Unit
    proc: subprocess.Popen
    out: Path

    def text(self) -> str:
        return self.out.read_text(errors="replace")


def run_line(unit: Unit, line: str, instance: str, tree: Path, n: int, long: bool):
    env = unit_env(unit, tree / "srv")
    argv, ignore = command_line(line, instance, env)
    cwd = unit.one("WorkingDirectory", "/")
    out = tree / f"{unit.name}{instance}.{n}.log"
    with open(out, "wb") as fh:
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=fh, stderr=subprocess.STDOUT)
    if long:
        return Running(unit, proc, out)
    try:
        code = proc.wait(timeout=240)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    text = out.read_text(errors="replace")
    assert ignore or code == 0, f"{unit.name}: {' '.join(argv)} exited {code}:\n{text[-3000:]}"
    return None


def wait_until(check, what: str, running: Running, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if running.proc.poll() is not None or time.monotonic() > deadline:
            state = f"exited {running.proc.returncode}" if running.proc.poll() is not None else ""
            raise AssertionError(f"{running.unit.name}: {what} not seen {state}\n{running.text()[-3000:]}")  # fmt: skip
        time.sleep(0.2)


def answers(url: str, status: int = 200, **headers) -> bool:
    return http_get(url, {"Host": HOST, **headers}, timeout=5)[0] == status


def render_nginx(tree: Path, port: int, upstream: int) -> None:
    """What the nginx unit's comment tells the operator to run, into /etc/yiting."""
    env = read_env_file(tree / "etc" / "env") | {"PATH": SYSTEMD_PATH, "LANG": "C.UTF-8"}
    argv = [sys.executable, "-m", "deploy.launcher", "--print-nginx", "--data-dir", env["YITING_DATA_DIR"]]  # fmt: skip
    argv += ["--bind", "127.0.0.1", "--port", str(port), "--upstream", f"127.0.0.1:{upstream}"]
    out = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    (tree / "etc" / "nginx.conf").write_text(out.stdout)


def stop(running: Running) -> int:
    sig = getattr(signal, running.unit.one("KillSignal", "SIGTERM"))
    running.proc.send_signal(sig)
    try:
        return running.proc.wait(timeout=min(float(running.unit.one("TimeoutStopSec", "60")), 60))
    except subprocess.TimeoutExpired:
        running.proc.kill()
        running.proc.wait(timeout=10)
        raise AssertionError(f"{running.unit.name} did not stop on {sig.name}") from None


def test_every_unit_line_runs_as_written(tmp_path):
    units = {p.name.removesuffix(".service"): p for p in SYSTEMD.glob("*.service")}
    assert sorted(units) == sorted(START_ORDER), "a unit this test does not start"
    redis = OwnRedis(tmp_path).start()
    daphne_port, nginx_port = free_port(), free_port()
    filled_env_file(tmp_path, redis.url)
    ran: list[str] = []
    running: list[Running] = []
    probes = {
        "yiting-daphne@": lambda r: wait_until(
            lambda: answers(f"http://127.0.0.1:{daphne_port}/healthz"), "/healthz 200", r
        ),
        "yiting-worker": lambda r: wait_until(lambda: "worker started" in r.text(), "started", r),
        "yiting-floor-sweeper": lambda r: wait_until(
            lambda: "floor sweeper running" in r.text(), "running", r
        ),
        "yiting-nginx": lambda r: wait_until(
            lambda: answers(f"http://127.0.0.1:{nginx_port}/login/"), "/login/ 200 via nginx", r
        ),
    }
    try:
        for name in START_ORDER:
            unit = parse_unit(install(units[name].read_text(), tmp_path), name)
            instance = str(daphne_port) if name.endswith("@") else ""
            if name == "yiting-nginx":
                render_nginx(tmp_path, nginx_port, daphne_port)
            oneshot = unit.one("Type", "simple") == "oneshot"
            lines = [("pre", x) for x in unit.service.get("ExecStartPre", [])]
            lines += [("start", x) for x in unit.service.get("ExecStart", [])]
            for n, (kind, line) in enumerate(lines):
                long = kind == "start" and not oneshot
                r = run_line(unit, line, instance, tmp_path, n, long)
                ran.append(line)
                if r is not None:
                    running.append(r)
                    probes[name](r)
        # the operator's view of the worker the units started: everything it checks is well
        token = read_env_file(tmp_path / "etc" / "env")["YITING_METRICS_TOKEN"]
        status, _, body = http_get(
            f"http://127.0.0.1:{daphne_port}/healthz/details",
            {"Host": HOST, "Authorization": f"Bearer {token}"},
        )
        assert status == 200, body[:2000]
        assert json.loads(body)["status"] == "ok"
        assert answers(f"http://127.0.0.1:{nginx_port}/static/yiting/base.css")  # collected
        # nginx's id of a request is in its access line and in the worker's log line
        assert answers(f"http://127.0.0.1:{nginx_port}/no-such-page/", 404)
        access = tmp_path / "srv" / "run" / "logs" / "nginx-access.log"
        [rid] = re.findall(r"/no-such-page/ .* rid=(\w+)", access.read_text())
        daphne = next(r for r in running if r.unit.name == "yiting-daphne@")
        wait_until(lambda: f"request_id={rid}" in daphne.text(), f"request_id={rid}", daphne, 10)
    finally:
        codes = {r.unit.name: stop(r) for r in reversed(running)}
        redis.stop()
    every = [
        line
        for p in units.values()
        for key in ("ExecStartPre", "ExecStart")
        for line in parse_unit(p.read_text(), p.name).service.get(key, [])
    ]
    assert len(ran) == len(every) and len(running) == 4
    assert all(code in CLEAN_EXIT for code in codes.values()), codes
