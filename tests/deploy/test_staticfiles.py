"""Hashed static files (deploy/staticfiles.py): after ``collectstatic`` with the production
settings, pages, the modules they import, the tablet's Service Worker and nginx all use
the hashed names, so a deploy never mixes old and new ES modules.

``collectstatic`` runs once for the module, as production runs it (``manage.py`` with
deploy.settings); the tests then point the storage at what it wrote.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import subprocess
import time
import urllib.error
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.views import serve
from django.test import RequestFactory

from deploy.launcher import ensure_binary, render_nginx, write_nginx
from frontend import offline
from harness.servers import free_port, run_manage

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db

HASHED = re.compile(r"\.[0-9a-f]{12}(\.[A-Za-z0-9]+)?$")
# every way one module names another: static import/export … from, bare import,
# dynamic import(), and new URL(…, import.meta.url)
IMPORTS = re.compile(
    r"""(?:^|;)\s*(?:import|export)\s*(?:[\w$*{}\s,]*?\s*from\s*)?["']([^"']+)["']"""
    r"""|\bimport\(\s*["']([^"']+)["']\s*\)"""
    r"""|new\s+URL\(\s*["']([^"']+)["']\s*,\s*import\.meta\.url""",
    re.M,
)


@pytest.fixture(scope="module")
def collected(tmp_path_factory) -> Path:
    """STATIC_ROOT after ``manage.py collectstatic`` with the production settings."""
    data = tmp_path_factory.mktemp("collected")
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
        "DJANGO_SETTINGS_MODULE": "deploy.settings",
        "YITING_DATA_DIR": str(data),
        "DEBUG": "false",
    }
    run_manage(env, "collectstatic", "--noinput", "-v0", timeout=300)
    root = data / "static"
    assert (root / "staticfiles.json").is_file()
    return root


@pytest.fixture
def hashed(settings, collected) -> Path:
    """The pytest process serving and naming files as production does after collecting."""
    settings.STATIC_ROOT = collected
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "deploy.staticfiles.HashedStaticStorage"},
    }
    settings.DEBUG = False
    finders.get_finder.cache_clear()
    offline.static_version.cache_clear()
    offline._script.cache_clear()
    yield collected
    finders.get_finder.cache_clear()
    offline.static_version.cache_clear()
    offline._script.cache_clear()


class _ModuleScripts(HTMLParser):
    """``<script type="module">``: the src of each, and the text of inline ones."""

    def __init__(self) -> None:
        super().__init__()
        self.srcs: list[str] = []
        self.inline: list[str] = []
        self._in_module = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script" and a.get("type") == "module":
            if a.get("src"):
                self.srcs.append(a["src"])
            else:
                self._in_module = True
                self.inline.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_module = False

    def handle_data(self, data):
        if self._in_module:
            self.inline[-1] += data


def _specifiers(js: str) -> list[str]:
    return [next(g for g in m.groups() if g) for m in IMPORTS.finditer(js)]


def _served(url: str) -> str:
    """The file at ``url`` as the in-process static handler serves it (Django's finders)."""
    assert url.startswith("/static/"), url
    resp = serve(RequestFactory().get(url), url.removeprefix("/static/"), insecure=True)
    assert resp.status_code == 200, url
    return b"".join(resp.streaming_content).decode()


def _walk(entry_urls: list[str], root: Path) -> set[str]:
    """Every module reached from ``entry_urls``; each must be a hashed file that exists."""
    seen: set[str] = set()
    todo = list(entry_urls)
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        rel = url.removeprefix("/static/")
        assert HASHED.search(rel), f"{url}: not a hashed name"
        assert (root / rel).is_file(), f"{url}: not collected"
        if not url.endswith(".js"):
            continue
        for spec in _specifiers(_served(url)):
            target = spec if spec.startswith("/") else posixpath.join(posixpath.dirname(url), spec)
            todo.append(posixpath.normpath(target))
    return seen


def _page_modules(html: str, base: str) -> list[str]:
    parser = _ModuleScripts()
    parser.feed(html)
    urls = list(parser.srcs)
    for text in parser.inline:
        urls += [s if s.startswith("/") else posixpath.join(base, s) for s in _specifiers(text)]
    return urls


def test_pages_load_hashed_modules_whose_imports_are_hashed_too(hashed, client, committee):
    client.force_login(committee.members[0].user)
    tablet = client.get(f"/tablet/{committee.plenary.pk}/")
    assert tablet.status_code == 200
    entries = _page_modules(tablet.content.decode(), "/tablet/")
    assert entries and all(HASHED.search(u) for u in entries), entries
    client.force_login(committee.clerk.user)
    console = client.get(f"/console/{committee.plenary.pk}/")
    entries += _page_modules(console.content.decode(), "/console/")
    client.force_login(committee.staff.user)
    review = client.get("/review/")  # an inline module importing by {% static %}
    review_entries = _page_modules(review.content.decode(), "/review/")
    assert review_entries and all(HASHED.search(u) for u in review_entries), review_entries
    modules = _walk(entries + review_entries, hashed)
    names = {HASHED.sub(r"\1", m) for m in modules}
    # the graph really was followed: page → panels → core → vendored lit-html
    assert {
        "/static/yiting/pages/tablet.js",
        "/static/yiting/pages/console.js",
        "/static/yiting/panels/recording.js",
        "/static/yiting/documents/reader.js",
        "/static/yiting/core.js",
        "/static/vendor/lit-html/lit-html.js",
        "/static/yiting/tablet/notices.css",  # new URL("./notices.css", import.meta.url)
    } <= names, sorted(names)


def test_every_collected_module_imports_only_hashed_names(collected):
    """All of them, also those no page above loads (e.g. absolute /static/ imports).

    Django admin's scripts are classic scripts, not modules: left out."""
    manifest = json.loads((collected / "staticfiles.json").read_text())["paths"]
    values = set(manifest.values())
    checked = 0
    for rel in sorted(v for v in values if v.endswith(".js") and not v.startswith("admin/")):
        for spec in _specifiers((collected / rel).read_text()):
            if spec.startswith("/static/"):
                target = spec.removeprefix("/static/")
            else:
                target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), spec))
            assert target in values, f"{rel} imports {spec}: not a hashed name"
            checked += 1
    assert checked > 100, checked


def test_the_service_worker_keeps_the_hashed_shell(hashed, client):
    body = client.get("/tablet/sw.js").content.decode()
    cfg = json.loads(body.split("\n", 1)[0][len("self.YITING_SW = ") : -1])
    assert cfg["static"] == "/static/"
    assert cfg["shell"] and all(HASHED.search(u) for u in cfg["shell"]), cfg["shell"]
    assert all((hashed / u.removeprefix("/static/")).is_file() for u in cfg["shell"])
    # what the tablet page imports is what the worker keeps (and answers offline)
    modules = _walk([u for u in cfg["shell"] if u.split("/")[-1].startswith("tablet.")], hashed)
    assert modules <= set(cfg["shell"]), sorted(modules - set(cfg["shell"]))


def test_a_new_release_is_a_new_worker_version(hashed, settings, client, tmp_path):
    """Hashed URLs change with the files: so do the worker's bytes and its cache name."""
    before = offline.static_version()
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    offline.static_version.cache_clear()
    assert offline.static_version() != before  # same files, other URLs: a new shell cache


def test_the_in_process_server_serves_the_hashed_copies(hashed):
    manifest = json.loads((hashed / "staticfiles.json").read_text())["paths"]
    url = "/static/" + manifest["yiting/core.js"]
    assert "export" in _served(url)
    assert finders.find(manifest["yiting/core.js"]) == str(hashed / manifest["yiting/core.js"])
    assert not finders.find("yiting/core.000000000000.js")  # only names the manifest lists


def test_nginx_keeps_hashed_files_a_year_and_plain_names_briefly(collected, tmp_path):
    manifest = json.loads((collected / "staticfiles.json").read_text())["paths"]
    port = free_port()
    text = render_nginx(
        run_dir=tmp_path / "run",
        listen=f"127.0.0.1:{port}",
        upstreams=[f"127.0.0.1:{free_port()}"],
        static_root=collected,
        media_root=tmp_path / "files",
        ops_allow=["127.0.0.1"],
        data_dir=tmp_path,
    )
    path = write_nginx(tmp_path / "run", text)
    nginx = ensure_binary("nginx", "nginx", ("/usr/sbin/nginx",))
    proc = subprocess.Popen([nginx, "-c", str(path)], stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"

    def get(rel: str):
        try:
            with urllib.request.urlopen(f"{base}/static/{rel}", timeout=5) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers, b""

    try:
        for _ in range(100):  # bounded: 10 s
            try:
                get("none")
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("nginx did not start")
        for original in ("yiting/core.js", "yiting/base.css", "yiting/favicon.svg"):
            status, headers, body = get(manifest[original])
            assert status == 200, original
            assert headers.get_all("Cache-Control") == ["public, max-age=31536000, immutable"]
            assert headers.get("Expires") is None
            assert body == (collected / manifest[original]).read_bytes()
        status, headers, _ = get("yiting/core.js")
        assert status == 200
        assert headers.get_all("Cache-Control") == ["public, max-age=300"]
        assert get("yiting/core.0123456789ab.js")[0] == 404
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _yiting_function(name: str, env: dict[str, str]) -> int:
    """Run one shell function of ./yiting with ``env``; its exit status."""
    script = (ROOT / "yiting").read_text()
    functions = script[script.index("say()") : script.index("\ncmd=")]
    out = subprocess.run(
        ["bash", "-c", f"set -euo pipefail\n{functions}\n{name}"],
        env={**os.environ, **env},
        capture_output=True,
        timeout=30,
    )
    return out.returncode


def test_every_production_start_collects_static_files_first():
    """Without collectstatic a DEBUG-off page would name files nobody has hashed."""
    script = (ROOT / "yiting").read_text()
    run = script[script.index("\n  run)\n") : script.index(";;", script.index("\n  run)\n"))]
    collect = run.index('debug_on || "$VENV/bin/python" manage.py collectstatic --noinput')
    assert collect < run.index("manage.py serve")
    assert _yiting_function("debug_on", {"DEBUG": "true"}) == 0
    assert _yiting_function("debug_on", {"DEBUG": "Yes"}) == 0
    assert _yiting_function("debug_on", {"DEBUG": "false"}) != 0  # → collectstatic
    assert _yiting_function("debug_on", {"DEBUG": ""}) != 0
    docker = (ROOT / "deploy" / "Dockerfile").read_text()
    cmd = docker[docker.index("\nCMD ") :]
    assert cmd.index("manage.py collectstatic --noinput") < cmd.index("manage.py serve")
    units = ROOT / "deploy" / "systemd"
    assert "manage.py collectstatic --noinput" in (units / "yiting-migrate.service").read_text()
    daphne = (units / "yiting-daphne@.service").read_text()
    assert "Requires=yiting-migrate.service" in daphne and "After=yiting-migrate" in daphne
    compose = (ROOT / "deploy" / "compose.yaml").read_text()
    assert "manage.py collectstatic --noinput" in compose
    launcher = (ROOT / "deploy" / "launcher.py").read_text()
    assert launcher.count('("collectstatic", "--noinput", "-v0")') == 2  # start and reload


def test_collecting_again_never_removes_a_file_a_running_page_uses(
    collected, tmp_path, settings, monkeypatch
):
    """A reload collects while pages run: Django would delete and rewrite every hashed
    copy (and the manifest); here each is replaced by a rename, never missing."""
    import shutil

    from django.core.management import call_command

    root = tmp_path / "static"
    shutil.copytree(collected, root)
    before = json.loads((root / "staticfiles.json").read_text())["paths"]
    in_use = {str(root / name) for name in before.values()} | {str(root / "staticfiles.json")}
    removed: list[str] = []
    real_remove = os.remove
    monkeypatch.setattr(
        os, "remove", lambda p, *a, **k: (removed.append(str(p)), real_remove(p, *a, **k))
    )
    settings.STATIC_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "deploy.staticfiles.HashedStaticStorage"},
    }
    call_command("collectstatic", "--noinput", "-v0")
    assert sorted(in_use & set(removed)) == []
    after = json.loads((root / "staticfiles.json").read_text())["paths"]
    assert after == before  # same sources: the same names
    assert all((root / name).is_file() for name in after.values())
    assert not list(root.rglob("*.tmp"))


def _module_graph() -> dict[str, list[str]]:
    """Our ES modules (by static path) and the static paths each imports."""
    sources: dict[str, str] = {}
    for finder in finders.get_finders():
        for rel, storage in finder.list(["*.md", "LICENSE"]):
            rel = rel.replace(os.sep, "/")
            if rel.endswith(".js") and not rel.startswith("admin/"):
                sources.setdefault(rel, Path(storage.path(rel)).read_text(encoding="utf-8"))
    graph = {}
    for rel, text in sources.items():
        graph[rel] = [
            spec.removeprefix("/static/")
            if spec.startswith("/")
            else posixpath.normpath(posixpath.join(posixpath.dirname(rel), spec))
            for spec in _specifiers(text)
        ]
    return graph


def test_no_module_imports_itself_round_a_cycle():
    """A hashed name holds the hashes of what the module imports: round a cycle it would
    have to hold its own, and collectstatic fails ("Max post-process passes exceeded")."""
    graph = _module_graph()
    assert len(graph) > 50
    cycles, state, path = [], {}, []

    def visit(node: str) -> None:
        state[node] = "open"
        path.append(node)
        for dep in graph.get(node, []):
            if state.get(dep) == "open":
                cycles.append(" → ".join([*path[path.index(dep) :], dep]))
            elif dep not in state:
                visit(dep)
        path.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert cycles == [], "move what both sides need into a module of its own: " + "; ".join(cycles)
