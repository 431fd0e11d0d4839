"""Every module the tablet page loads, followed through its imports, is one the Service
Worker keeps for the shell: a module left out would break offline reading (a reload
without the network fails on the first import it cannot fetch). The reader and the vote
panels are split into many small modules, so this walks the import graph rather than
naming files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from frontend import offline

pytestmark = pytest.mark.django_db

STATIC = Path(offline.__file__).resolve().parent / "static"
IMPORT = re.compile(
    r"""^\s*(?:import|export)\b[^"';]*?\bfrom\s*["']([^"']+)["']|^\s*import\s*["']([^"']+)["']""",
    re.M,
)


def _closure(start: str) -> set[str]:
    """Static paths (under STATIC) of `start` and everything it imports, relatively."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        rel = todo.pop()
        if rel in seen:
            continue
        seen.add(rel)
        text = (STATIC / rel).read_text()
        for m in IMPORT.finditer(text):
            spec = m.group(1) or m.group(2)
            if not spec.startswith("."):
                continue
            target = (STATIC / rel).parent.joinpath(spec).resolve().relative_to(STATIC.resolve())
            todo.append(target.as_posix())
    return seen


def test_every_module_the_tablet_imports_exists_and_is_in_the_shell(client):
    modules = _closure("yiting/pages/tablet.js")
    # the reader's parts and the tablet's vote view are reached through the imports
    assert {
        "yiting/documents/reader.js",
        "yiting/documents/reader_page.js",
        "yiting/panels/vote_tablet.js",
    } <= modules
    assert "yiting/panels/vote.js" not in modules
    missing = [m for m in modules if not (STATIC / m).is_file()]
    assert not missing, missing
    body = client.get("/tablet/sw.js").content.decode()
    cfg = json.loads(body.split("\n", 1)[0][len("self.YITING_SW = ") : -1])
    not_kept = sorted(m for m in modules if f"/static/{m}" not in cfg["shell"])
    assert not not_kept, not_kept


@pytest.mark.parametrize("page", ["yiting/pages/console.js", "yiting/pages/display.js"])
def test_the_console_and_wall_import_only_files_that_exist(page):
    modules = _closure(page)
    assert any(m.startswith("yiting/panels/vote_") for m in modules)
    missing = [m for m in modules if not (STATIC / m).is_file()]
    assert not missing, missing
