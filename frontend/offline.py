"""The tablet's Service Worker (offline-tolerant reading), served at ``/tablet/sw.js``.

Served from under ``/tablet/`` so its default scope is the tablet pages and nothing else
(the console, the wall, the login and logout pages are never controlled by it). The
script is ``frontend/serviceworker/tablet.js`` with its configuration put in front: the
URLs of the static files it keeps for the shell, as pages name them (``static()``: after
``collectstatic`` the hashed names, deploy/staticfiles.py, which the modules import each
other by), and a version derived from those URLs and the files' contents, so a deploy
that changes any of them changes the script's bytes; the browser then installs the new
worker, which keeps the shell under a new cache name and deletes the old one. The digest
is taken once per process (a deploy restarts the server processes).
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static
from django.views.decorators.http import require_GET

SOURCE = Path(__file__).resolve().parent / "serviceworker" / "tablet.js"
# what the tablet shell loads: its modules, styles, icon and the vendored lit-html
SHELL_PREFIXES = ("yiting/", "vendor/lit-html/")
SHELL_SUFFIXES = (".js", ".css", ".svg", ".woff", ".woff2", ".ttf", ".otf")


def shell_files() -> list[tuple[str, Path]]:
    """(static path, file) of every shell file the static finders know, sorted."""
    found: dict[str, Path] = {}
    for finder in finders.get_finders():
        for rel, storage in finder.list(["*.md", "LICENSE"]):
            rel = rel.replace("\\", "/")
            if rel.startswith(SHELL_PREFIXES) and rel.endswith(SHELL_SUFFIXES):
                found.setdefault(rel, Path(storage.path(rel)))
    return sorted(found.items())


def shell_urls() -> list[str]:
    """The shell files' URLs as the pages ask for them (hashed names once collected)."""
    return [static(rel) for rel, _ in shell_files()]


@lru_cache(maxsize=1)
def static_version() -> str:
    """A digest of the shell files' names, URLs and contents (and of the worker itself)."""
    h = hashlib.sha256(SOURCE.read_bytes())
    for (rel, path), url in zip(shell_files(), shell_urls(), strict=True):
        h.update(rel.encode() + b"\0" + url.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:16]


@lru_cache(maxsize=1)
def _script() -> str:
    config = {
        "version": static_version(),
        "shell": shell_urls(),
        "static": settings.STATIC_URL,  # static("") has no manifest entry to hash
    }
    return f"self.YITING_SW = {json.dumps(config)};\n" + SOURCE.read_text()


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    resp = HttpResponse(_script(), content_type="text/javascript; charset=utf-8")
    resp["Cache-Control"] = "no-cache"  # the browser checks it on every tablet load
    return resp
