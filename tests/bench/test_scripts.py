"""Every bench script starts: its ``--help`` works from a plain shell.

A bench imports the shared harness and the product before it configures Django; an
import that needs Django's settings at module level (a model, a module that imports one)
breaks the script for whoever runs it next, and no other test runs the scripts.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from harness.servers import ROOT

SCRIPTS = sorted(
    p
    for p in (ROOT / "bench").glob("*.py")
    if p.name not in ("__init__.py", "common.py", "storm_floor.py")  # modules, not scripts
)


def test_the_bench_folder_has_scripts():
    assert len(SCRIPTS) >= 10, SCRIPTS


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_a_bench_script_answers_help(script):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    out = subprocess.run(
        [sys.executable, str(script), "--help"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert "usage:" in out.stdout
