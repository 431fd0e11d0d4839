"""Dependencies that say what they do: declared, used, locked; no test hooks in production."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["core", "meeting", "realtime", "docs_store", "media", "frontend", "deploy", "jobs"]
# The module a distribution is imported as, where the names differ.
IMPORT_NAME = {
    "django": "django",
    "channels-redis": "channels_redis",
    "psycopg": "psycopg",
    "pillow": "PIL",
    "ffmpeg-python": "ffmpeg",
    "imageio-ffmpeg": "imageio_ffmpeg",
    "django-environ": "environ",
    "django-axes": "axes",
    "python-docx": "docx",
    "daphne": "daphne",
}
# Used by configuration, not by an import statement: where.
BY_NAME = {
    "channels-redis": "deploy/settings.py names its layer classes",
    "psycopg": "Django's postgresql backend, chosen by DATABASE_URL",
    "redis": "channels-redis's client; named so its major version is ours",
}


def _production_files() -> list[Path]:
    return [
        p
        for pkg in PACKAGES
        for p in (ROOT / pkg).rglob("*.py")
        if "migrations" not in p.parts and "tests" not in p.parts
    ]


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def _declared() -> list[str]:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    return [re.split(r"[<>=!\[ ;]", d, maxsplit=1)[0].lower() for d in deps]


def test_every_declared_dependency_is_used():
    imported = set().union(*(_imports(p) for p in _production_files()))
    unused = [
        d
        for d in _declared()
        if IMPORT_NAME.get(d, d.replace("-", "_")) not in imported and d not in BY_NAME
    ]
    assert unused == []


def test_what_production_imports_is_declared():
    imported = set().union(*(_imports(p) for p in _production_files()))
    own = set(PACKAGES)
    third_party = {m for m in imported if m not in sys.stdlib_module_names and m not in own}
    declared = {IMPORT_NAME.get(d, d.replace("-", "_")) for d in _declared()}
    assert sorted(third_party - declared) == []
    assert "av" in imported and "av" in _declared()  # PyAV, imported by media/
    assert {"structlog", "tqdm"} <= imported


def test_ffmpeg_python_stays_behind_media_ffmpeg():
    users = sorted(str(p.relative_to(ROOT)) for p in _production_files() if "ffmpeg" in _imports(p))
    assert users == ["media/ffmpeg.py"]


def test_production_code_never_asks_whether_pytest_runs():
    hits = [
        str(p.relative_to(ROOT))
        for p in _production_files()
        if re.search(r"""["']pytest["']\s+in\s+sys\.modules""", p.read_text())
    ]
    assert hits == []


LOCKS = ROOT / "requirements"


def _locked(name: str) -> dict[str, tuple[str, frozenset[str]]]:
    """requirements/<name>.lock: each pinned distribution's version and its hashes."""
    pins: dict[str, tuple[str, frozenset[str]]] = {}
    text = (LOCKS / f"{name}.lock").read_text().replace("\\\n", " ")
    for line in text.splitlines():
        m = re.match(r"^([A-Za-z0-9_.-]+)==([^\s#;]+)(.*)$", line)
        if m:
            hashes = frozenset(re.findall(r"--hash=(sha256:[0-9a-f]{64})", m.group(3)))
            pins[m.group(1).lower().replace("_", "-")] = (m.group(2), hashes)
    return pins


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _check_pins(reqs: list[str], pins: dict, lock: str) -> None:
    from packaging.requirements import Requirement

    for text in reqs:
        req = Requirement(text)
        name = req.name.lower().replace("_", "-")
        assert name in pins, f"{name} is not in requirements/{lock}.lock: run scripts/lock.sh"
        assert req.specifier.contains(pins[name][0], prereleases=True), (name, pins[name][0])


def test_the_production_lock_pins_the_dependencies_and_no_test_tool():
    project = _project()
    pins = _locked("production")
    _check_pins(project["dependencies"], pins, "production")
    dev_only = {
        d.split("[")[0].split(">")[0].split("=")[0].split("<")[0].strip().lower()
        for d in project["optional-dependencies"]["dev"]
    }
    assert {"pytest", "playwright", "py-spy", "ruff", "hypothesis"} <= dev_only
    assert sorted(dev_only & set(pins)) == []  # production installs no test tool
    assert "pyzbar" not in pins  # QR codes are read back by Debian's zbarimg in tests only


def test_the_development_lock_is_production_plus_the_dev_extra():
    project = _project()
    prod, dev = _locked("production"), _locked("development")
    _check_pins([*project["dependencies"], *project["optional-dependencies"]["dev"]], dev, "dev")
    # every production pin, same version and hashes: tests run what production runs
    assert {n: dev.get(n) for n in prod} == prod


def test_every_pin_carries_hashes_so_pip_checks_them():
    for lock in ("production", "development"):
        pins = _locked(lock)
        assert pins, lock
        unhashed = sorted(n for n, (_, hashes) in pins.items() if not hashes)
        assert unhashed == [], (lock, unhashed)
    assert not (ROOT / "requirements.lock").exists()  # one place for the pins


def test_the_lock_script_writes_both_locks_with_hashes():
    script = (ROOT / "scripts" / "lock.sh").read_text()
    assert "--generate-hashes" in script
    assert "compile requirements/production.lock" in script
    assert "--extra dev --constraint requirements/production.lock" in script


def _branch(script: str, name: str) -> str:
    start = script.index(f"\n  {name})\n")
    return script[start : script.index(";;", start)]


def test_yiting_installs_production_to_run_and_development_to_test():
    script = (ROOT / "yiting").read_text()
    assert 'pip install -q --require-hashes -r "$lock"' in script
    assert "pip install -q --no-deps -e ." in script
    assert "ensure_venv production" in _branch(script, "run")
    assert "ensure_venv production" in _branch(script, "stack")
    assert "ensure_venv development" in _branch(script, "test")
    docker = (ROOT / "deploy" / "Dockerfile").read_text()
    assert "pip install --require-hashes -r requirements/production.lock" in docker
    assert "development" not in docker


def _ensure_venv(tmp_path: Path, kind: str) -> list[str]:
    """``ensure_venv <kind>`` of ./yiting against a venv whose python only records."""
    import os
    import subprocess

    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True, exist_ok=True)
    calls = tmp_path / "calls"
    calls.write_text("")
    python = venv / "bin" / "python"
    python.write_text(f'#!/bin/sh\necho "$*" >> {calls}\n')
    python.chmod(0o755)
    script = (ROOT / "yiting").read_text()
    functions = script[script.index("say()") : script.index("\ncmd=")]
    out = subprocess.run(
        ["bash", "-c", f"set -euo pipefail\n{functions}\nensure_venv {kind}"],
        env={**os.environ, "VENV": str(venv)},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    return [c for c in calls.read_text().splitlines() if " -r " in c]


def test_a_test_venv_serves_and_a_production_venv_gets_the_test_tools(tmp_path):
    assert _ensure_venv(tmp_path, "production") == [
        "-m pip install -q --require-hashes -r requirements/production.lock"
    ]
    assert _ensure_venv(tmp_path, "production") == []  # installed, nothing newer
    assert _ensure_venv(tmp_path, "development") == [
        "-m pip install -q --require-hashes -r requirements/development.lock"
    ]
    assert _ensure_venv(tmp_path, "production") == []  # development holds every production pin
    assert _ensure_venv(tmp_path, "development") == []
