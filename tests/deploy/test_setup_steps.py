"""What a fresh machine or image installs before Yiting starts: the venv module, the font.

``./yiting`` and ``deploy/Dockerfile`` are run by operators, not here (no Docker, and the
test machine has everything already); what is checked is that they ask for the right
packages, and ``ensure_venv_module`` is run against a Python without ``ensurepip`` and
an ``apt-get`` that only writes down what it was asked.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from core import pdffont

ROOT = Path(__file__).resolve().parents[2]
FONT_PACKAGE = "fonts-wqy-microhei"  # what the refusal (core/pdffont.py) names


def _branch(script: str, name: str) -> str:
    start = script.index(f"\n  {name})\n")
    return script[start : script.index(";;", start)]


def test_every_entry_point_installs_the_font_before_starting(settings, monkeypatch):
    script = (ROOT / "yiting").read_text()
    for name in ("run", "test", "stack"):
        assert "ensure_fonts" in _branch(script, name), name
    assert f"apt_install {FONT_PACKAGE}" in script
    docker = (ROOT / "deploy" / "Dockerfile").read_text()
    assert f"apt-get install -y --no-install-recommends {FONT_PACKAGE}" in docker
    settings.PDF_FONT = ""
    monkeypatch.setattr(pdffont, "CANDIDATES", ())
    with pytest.raises(pdffont.FontMissing, match=FONT_PACKAGE):  # the refusal names it
        pdffont.font_path()


def test_the_named_package_ships_a_font_the_server_looks_for():
    if not shutil.which("dpkg"):
        pytest.fail("dpkg missing: these machines are Debian")
    out = subprocess.run(["dpkg", "-S", pdffont.CANDIDATES[0]], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith(f"{FONT_PACKAGE}:"), out


def test_the_image_installs_the_locked_versions_then_the_project_alone():
    docker = (ROOT / "deploy" / "Dockerfile").read_text()
    locked = docker.index("pip install --require-hashes -r requirements/production.lock")
    assert docker.index("pip install --no-deps -e .") > locked
    assert "pip install -e ." not in docker.replace("--no-deps -e .", "")


def _run_ensure_venv_module(tmp_path, python: str) -> tuple[int, str, list[str]]:
    """``ensure_venv_module`` of ./yiting, with ``PY`` and a recording ``apt-get``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "apt-calls"
    apt = bin_dir / "apt-get"
    apt.write_text(f'#!/bin/sh\necho "$*" >> {calls}\n')
    apt.chmod(0o755)
    script = (ROOT / "yiting").read_text()
    functions = script[script.index("say()") : script.index("\ncmd=")]
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "PY": python}
    out = subprocess.run(
        ["bash", "-c", f"set -euo pipefail\n{functions}\nensure_venv_module"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    lines = calls.read_text().splitlines() if calls.exists() else []
    return out.returncode, out.stderr, lines


def test_a_python_without_ensurepip_gets_debians_venv_package(tmp_path):
    import sys

    fake = tmp_path / "python3"  # Debian's python3 before python3-venv: no ensurepip
    fake.write_text(
        f'#!/bin/sh\ncase "$*" in *ensurepip*) exit 1;; esac\nexec {sys.executable} "$@"\n'
    )
    fake.chmod(0o755)
    code, err, calls = _run_ensure_venv_module(tmp_path, str(fake))
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    assert code == 0, err
    assert calls[-1].split()[-1] == f"python{version}-venv", calls
    assert any("update" in c for c in calls)


def test_a_python_with_ensurepip_installs_nothing(tmp_path):
    import sys

    code, err, calls = _run_ensure_venv_module(tmp_path, sys.executable)
    assert code == 0 and calls == [], (err, calls)
