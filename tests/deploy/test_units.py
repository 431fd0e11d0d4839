"""systemd units and compose.yaml start commands that exist, with options that exist.

Neither systemd nor Docker runs here; what can rot silently is a unit naming a
management command or option that was renamed. Each one is checked against the real
``manage.py <command> --help``.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

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
