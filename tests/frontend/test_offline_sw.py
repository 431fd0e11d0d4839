"""The tablet's Service Worker script: where it is served, what it keeps, its version."""

from __future__ import annotations

import json

import pytest

from frontend import offline

pytestmark = pytest.mark.django_db


def _config(body: str) -> dict:
    head = body.split("\n", 1)[0]
    assert head.startswith("self.YITING_SW = ") and head.endswith(";")
    return json.loads(head[len("self.YITING_SW = ") : -1])


def test_served_under_tablet_so_its_scope_is_the_tablet_and_never_cached(client):
    resp = client.get("/tablet/sw.js")  # no login needed: the script holds nothing personal
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith("text/javascript")
    assert resp["Cache-Control"] == "no-cache"
    cfg = _config(resp.content.decode())
    assert cfg["version"] == offline.static_version()
    assert "/static/vendor/lit-html/lit-html.js" in cfg["shell"]
    assert "/static/yiting/pages/tablet.js" in cfg["shell"]
    assert "/static/yiting/tablet/tablet.css" in cfg["shell"]
    assert not [u for u in cfg["shell"] if u.endswith((".md", "LICENSE"))]
    assert client.post("/tablet/sw.js").status_code == 405


def test_the_version_follows_the_static_files(tmp_path, settings, monkeypatch):
    """A deploy that changes a shell file changes the worker's bytes (a new version)."""
    static = tmp_path / "static" / "yiting"
    static.mkdir(parents=True)
    (static / "extra.js").write_text("export const a = 1;\n")
    settings.STATICFILES_DIRS = [str(tmp_path / "static")]
    from django.contrib.staticfiles import finders

    def fresh() -> str:
        finders.get_finder.cache_clear()
        offline.static_version.cache_clear()
        return offline.static_version()

    first = fresh()
    assert "yiting/extra.js" in [rel for rel, _ in offline.shell_files()]
    (static / "extra.js").write_text("export const a = 2;\n")
    second = fresh()
    assert second != first
    (static / "extra.js").write_text("export const a = 1;\n")
    assert fresh() == first
    finders.get_finder.cache_clear()
    offline.static_version.cache_clear()


def test_what_the_worker_may_keep():
    """Only the shell, the tablet page and (offline) the reader's own pages; no POST."""
    src = offline.SOURCE.read_text()
    assert 'if (req.method !== "GET") return;' in src
    assert "cache.put(" in src and src.count("cache.put(") == 1  # the tablet page only
    assert "!resp.redirected" in src and "resp.status === 200" in src
