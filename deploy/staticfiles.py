"""Static files under hashed names, so a deploy never mixes old and new ES modules.

``manage.py collectstatic`` writes every file twice into ``STATIC_ROOT``: under its own
name and under a name with a digest of its content (``yiting/core.js`` →
``yiting/core.3f2a9c0d41be.js``), and ``staticfiles.json`` maps one to the other. Pages
name the hashed copies (``{% static %}``, ``static()``). Inside the copies, Django rewrites
CSS ``url()``s and, with ``support_js_module_import_aggregation``, every ES-module
``import … from "./x.js"``, ``export … from``, bare ``import "./x.js"`` and ``import("…")``
to the hashed names too; this storage also rewrites ``new URL("./x.css", import.meta.url)``
(the tablet's notices load their stylesheet so). A module's hash thus covers the hashes
of everything it imports: a release that changes ``core.js`` changes the name of every
page module above it, a browser that loaded a page gets exactly the modules of that
page's release, and nginx lets browsers keep hashed files for a year
(deploy/nginx/yiting.conf.in).

Where ``collectstatic`` has not run (``STATIC_ROOT`` holds no ``staticfiles.json``: a
development or test server, which serves files from the apps' folders), URLs are the
plain names, as with DEBUG on. Every production start collects first: ``./yiting stack``
(deploy/launcher.py, also before a reload), ``./yiting run`` with DEBUG off, the systemd
``yiting-migrate`` unit, the image's command and deploy/compose.yaml.
"""

from __future__ import annotations

import os
import posixpath
import secrets

from django.contrib.staticfiles.finders import BaseFinder
from django.contrib.staticfiles.storage import ManifestStaticFilesStorage, staticfiles_storage


class HashedStaticStorage(ManifestStaticFilesStorage):
    """Django's manifest storage with ES-module imports followed."""

    support_js_module_import_aggregation = True
    # Django repeats its rewriting until no hashed name changes; each pass settles at least
    # one more level of the import graph (pages → panels → core → lit-html: 9 levels now).
    # A cycle of imports can never settle (each module's name holds the other's), and
    # fails collectstatic with "Max post-process passes exceeded".
    max_post_process_passes = 40
    patterns = (
        *ManifestStaticFilesStorage.patterns,
        (
            "*.js",
            (
                (
                    r"""(?P<matched>new\s+URL\(\s*["'](?P<url>\.{1,2}/[^"']+)["']\s*,"""
                    r"""\s*import\.meta\.url\s*\))""",
                    """new URL("%(url)s", import.meta.url)""",
                ),
            ),
        ),
    )

    _replacing = False

    def stored_name(self, name: str) -> str:
        if not self.manifest_hash:  # nothing collected into STATIC_ROOT: the plain name
            return name
        return super().stored_name(name)

    # collectstatic while the room is served (./yiting stack's reload, a second host): Django
    # deletes each hashed copy, then writes it again, pass after pass, and the manifest too;
    # a page loading a module in between would get a 404. Here a copy is written beside and
    # renamed over the old one, so every name a running page uses stays readable throughout.
    def post_process(self, *args, **kwargs):
        self._replacing = True
        try:
            yield from super().post_process(*args, **kwargs)
        finally:
            self._replacing = False

    def delete(self, name: str) -> None:
        if not self._replacing:  # while post-processing, _save replaces the file instead
            super().delete(name)

    def _save(self, name: str, content) -> str:
        if not self._replacing:
            return super()._save(name, content)
        head, tail = posixpath.split(name.replace("\\", "/"))
        temp = super()._save(posixpath.join(head, f".{tail}.{secrets.token_hex(6)}.tmp"), content)
        os.replace(self.path(temp), self.path(name))
        return name


class CollectedFinder(BaseFinder):
    """Finds the hashed copies ``collectstatic`` wrote, for the in-process static handler.

    Without nginx (``YITING_SERVE_STATIC=true``, e.g. ``./yiting run`` with DEBUG off)
    Django's handler looks files up through the finders, which know the apps' folders
    only, not the hashed names pages now ask for. This finder answers exactly the names
    listed in ``staticfiles.json`` and lists nothing, so ``collectstatic`` never collects
    ``STATIC_ROOT`` into itself.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._names: tuple[dict, frozenset[str]] = ({}, frozenset())

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        name = path.replace(os.sep, "/")
        if name not in self._hashed_names():
            return []
        found = staticfiles_storage.path(name)
        return [found] if find_all else found

    def list(self, ignore_patterns):
        return []

    def _hashed_names(self) -> frozenset[str]:
        """The hashed names of the loaded manifest (a set made once per manifest)."""
        manifest = getattr(staticfiles_storage, "hashed_files", None) or {}
        if manifest is not self._names[0]:
            self._names = (manifest, frozenset(manifest.values()))
        return self._names[1]
