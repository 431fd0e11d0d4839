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


def _locked() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_.-]+)==([^\s#]+)", line)
        if m:
            pins[m.group(1).lower().replace("_", "-")] = m.group(2)
    return pins


def test_the_lock_pins_every_dependency_within_pyproject():
    from packaging.requirements import Requirement

    pins = _locked()
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = [*data["dependencies"], *data["optional-dependencies"]["test"]]
    for text in reqs:
        req = Requirement(text)
        name = req.name.lower().replace("_", "-")
        assert name in pins, f"{name} is not in requirements.lock: run scripts/lock.sh"
        assert req.specifier.contains(pins[name], prereleases=True), (name, pins[name])


def test_yiting_installs_from_the_lock():
    script = (ROOT / "yiting").read_text()
    assert "pip install -q -r requirements.lock" in script
    assert "pip install -q --no-deps -e ." in script
