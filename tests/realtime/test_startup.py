"""Start-up cost: installing the handlers does not load the WebRTC stack.

Every ``manage.py`` command sets Django up and ``RealtimeConfig.ready()`` installs every
handler; aiortc (and the PyAV it pulls in) belongs only to a process serving WebRTC,
loaded by the first ``media.publish`` (realtime/handlers/media.py).
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WEBRTC = ("aiortc", "av", "media.peers", "media.runtime", "media.capture")


def _top_level_imports(path: Path) -> set[str]:
    """Modules imported when the module is imported (not inside a function)."""
    found: set[str] = set()
    body = list(ast.parse(path.read_text(encoding="utf-8")).body)
    while body:
        node = body.pop()
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.If | ast.Try | ast.With):
            body.extend(ast.iter_child_nodes(node))
    return found


def _is_webrtc(module: str) -> bool:
    return any(module == w or module.startswith(w + ".") for w in WEBRTC)


def test_no_realtime_module_imports_the_webrtc_stack_at_import():
    offenders = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in sorted((ROOT / "realtime").rglob("*.py"))
        for module in sorted(_top_level_imports(path))
        if _is_webrtc(module)
    ]
    assert offenders == []


def test_manage_py_check_in_a_fresh_process_does_not_load_aiortc(tmp_path):
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="deploy.settings", YITING_DATA_DIR=str(tmp_path))
    probe = (
        "import sys, django; django.setup(); "
        "from django.core.management import call_command; call_command('check'); "
        "print(sorted(m for m in ('aiortc', 'av') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"
