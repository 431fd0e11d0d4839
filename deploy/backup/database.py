"""The database half of a backup: one consistent snapshot, taken without stopping a sitting.

- **PostgreSQL**: a ``REPEATABLE READ`` transaction exports its snapshot
  (``pg_export_snapshot``) and ``pg_dump --snapshot`` dumps exactly that state (custom
  format), while the same transaction reads which files the snapshot names and the
  migration state. pg_dump takes only ACCESS SHARE locks: ballots, flips and queue
  changes go on; only a schema change (a migration) would wait, and ``pg_dump`` gives
  up after ``--lock-wait-timeout`` rather than make it queue the room behind it.
- **SQLite**: the online backup API (``sqlite3.Connection.backup``), never a copy of
  the live file (which may be mid-write, with half its pages in the WAL). The source
  connection holds one read transaction for the whole copy: in WAL mode that does not
  block writers, and it keeps the snapshot fixed, so the page-by-page copy (with
  sleeps, to leave the disk to the sitting) is not restarted by every ballot — without
  it, SQLite restarts a stepped backup whenever another connection writes.

Restore loads into an *empty* database only (``pg_restore --single-transaction``: all
or nothing; SQLite: the backed-up file copied into place under a temporary name).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils.translation import gettext_noop

from deploy.backup.errors import Refused

SQLITE_PAGES_PER_STEP = 2048  # 8 MiB at SQLite's 4 KiB pages
SQLITE_SLEEP_S = 0.01
PG_LOCK_WAIT = "30s"
PG_BIN_DIRS = ["/usr/local/bin", "/usr/local/pgsql/bin", "/usr/lib/postgresql/*/bin"]


@dataclass
class Snapshot:
    """What the database dump holds, read from the dumped state itself."""

    file: Path
    info: dict
    migrations: dict[str, str]
    referenced: list[dict] = field(default_factory=list)


def vendor() -> str:
    return connections["default"].vendor


# -- what the snapshot names --------------------------------------------------------------
REFERENCE_QUERIES = {
    "document": "SELECT DISTINCT sha256 FROM docs_store_documentversion",
    "pages": "SELECT sha256, pages_ready FROM docs_store_rendition",
    "clip": "SELECT path, poster_path FROM media_clip WHERE deleted_at IS NULL",
    "minutes": "SELECT pdf_path, json_path FROM proceedings_minutesrun WHERE state = 'done'",
    "book": "SELECT result FROM jobs_job WHERE kind = 'briefs.term_book' AND state = 'done'",
}


def referenced_files(cursor, with_pages: bool) -> list[dict]:
    """Files the database names, as ``{"area", "path", "kind"}`` (area: data or media).

    Read inside the dumped snapshot, so the list is what a restore will look for.
    Room-camera segments are left out: their files are deleted after the retention
    time by design, and their rows stay (media/services/storage.py).
    """
    from docs_store.storage import WIDTHS

    out: list[dict] = []

    def rows(kind: str):
        cursor.execute(REFERENCE_QUERIES[kind])
        return cursor.fetchall()

    for (sha,) in rows("document"):
        out.append({"area": "data", "path": f"docs/originals/{sha}.pdf", "kind": "document"})
    if with_pages:
        for sha, ready in rows("pages"):
            for page in range(1, int(ready or 0) + 1):
                for width in WIDTHS:
                    rel = f"docs/pages/{sha}/{width}/{page}.jpg"
                    out.append({"area": "data", "path": rel, "kind": "page"})
    for path, poster in rows("clip"):
        out += [{"area": "media", "path": p, "kind": "clip"} for p in (path, poster) if p]
    for pdf, js in rows("minutes"):
        out += [{"area": "data", "path": p, "kind": "minutes"} for p in (pdf, js) if p]
    for (result,) in rows("book"):
        data = json.loads(result) if isinstance(result, str) else result or {}
        rel = _under_data_dir(data.get("file", ""))
        if rel:
            out.append({"area": "data", "path": rel, "kind": "term_book"})
    return out


def _under_data_dir(path: str) -> str | None:
    try:
        return str(Path(path).resolve().relative_to(Path(settings.DATA_DIR).resolve()))
    except (ValueError, OSError):
        return None


def migration_state(cursor) -> dict[str, str]:
    """The latest applied migration of every app (names start with their number)."""
    cursor.execute("SELECT app, name FROM django_migrations")
    latest: dict[str, str] = {}
    for app, name in cursor.fetchall():
        latest[app] = max(latest.get(app, ""), name)
    return dict(sorted(latest.items()))


# -- SQLite -------------------------------------------------------------------------------
def sqlite_path() -> Path:
    return Path(settings.DATABASES["default"]["NAME"]).resolve()


def sqlite_snapshot(dest: Path, with_pages: bool, progress=None) -> Snapshot:
    """Copy the live SQLite database page by page from one read snapshot."""
    if not sqlite_path().is_file():
        raise Refused(
            "database_missing",
            gettext_noop("The SQLite database {path} does not exist."),
            path=sqlite_path(),
        )
    src = sqlite3.connect(sqlite_path(), isolation_level=None)
    dst = sqlite3.connect(dest)
    try:
        src.execute("PRAGMA busy_timeout = 20000")
        wal = src.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal"
        if wal:  # hold the snapshot: readers do not block writers in WAL mode
            src.execute("BEGIN")
        cur = src.cursor()
        migrations = migration_state(cur)
        referenced = referenced_files(cur, with_pages)

        def step(_status, remaining, total):
            if progress:
                progress(total - remaining, total)

        src.backup(dst, pages=SQLITE_PAGES_PER_STEP, progress=step, sleep=SQLITE_SLEEP_S)
        if wal:
            src.execute("COMMIT")
        dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
    finally:
        dst.close()
        src.close()
    info = {"vendor": "sqlite", "sqlite_version": sqlite3.sqlite_version, "wal_snapshot": wal}
    return Snapshot(dest, info, migrations, referenced)


def sqlite_is_empty() -> bool:
    path = sqlite_path()
    if not path.exists() or path.stat().st_size == 0:
        return True
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            query = "SELECT count(*) FROM sqlite_master WHERE type='table'"
            return not con.execute(query).fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return False  # something is there that is not an empty database


def sqlite_restore(dump: Path) -> None:
    """Put the backed-up file in place of the (empty) database file, whole or not at all."""
    connections["default"].close()
    target = sqlite_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".restore-")
    try:
        with os.fdopen(fd, "wb") as out, open(dump, "rb") as src:
            shutil.copyfileobj(src, out, 1024 * 1024)
            out.flush()
            os.fsync(out.fileno())
        for side in ("-wal", "-shm", "-journal"):
            Path(f"{target}{side}").unlink(missing_ok=True)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# -- PostgreSQL ---------------------------------------------------------------------------
def pg_env() -> dict[str, str]:
    """libpq's environment for the configured database (pg_dump, pg_restore, psycopg)."""
    db = settings.DATABASES["default"]
    env = {**os.environ, "PGDATABASE": db["NAME"]}
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if db.get(key):
            env[var] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    sslmode = (db.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = sslmode
    return env


def _pg_connect():
    import psycopg

    db = settings.DATABASES["default"]
    params = {"dbname": db["NAME"], "host": db.get("HOST") or None, "port": db.get("PORT") or None}
    params |= {"user": db.get("USER") or None, "password": db.get("PASSWORD") or None}
    return psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True)


def _major(version_text: str) -> int:
    m = re.search(r"(\d+)(?:\.\d+)?", version_text)
    return int(m.group(1)) if m else 0


def find_tool(name: str, at_least: int) -> tuple[str, int]:
    """The ``pg_dump``/``pg_restore`` to use: a major version ≥ ``at_least`` (pg_dump
    refuses a newer server, and pg_restore an archive of a newer pg_dump), preferring
    the lowest such, whose archives older pg_restores read too."""
    import glob

    candidates = [shutil.which(name)] + [
        p for d in PG_BIN_DIRS for p in glob.glob(os.path.join(d, name))
    ]
    found: dict[str, int] = {}
    for path in filter(None, candidates):
        real = os.path.realpath(path)
        if real in found or not os.access(real, os.X_OK):
            continue
        try:
            out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=10)
        except OSError:
            continue
        found[path] = _major(out.stdout)
    fitting = sorted((v, p) for p, v in found.items() if v >= at_least)
    if not fitting:
        raise Refused(
            "pg_tool_missing",
            gettext_noop(
                "No {name} of PostgreSQL {version} or newer was found (looked on PATH and "
                "in {dirs}). Install the PostgreSQL client of the server's version."
            ),
            name=name,
            version=at_least,
            dirs=", ".join(PG_BIN_DIRS),
        )
    return fitting[0][1], fitting[0][0]


def pg_snapshot(dest: Path, with_pages: bool, progress=None) -> Snapshot:
    """``pg_dump`` of one exported snapshot, the file list read in the same snapshot."""
    with _pg_connect() as conn:
        server_major = conn.info.server_version // 10000
        tool, tool_major = find_tool("pg_dump", server_major)
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snap = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        cur = conn.cursor()
        migrations = migration_state(cur)
        referenced = referenced_files(cur, with_pages)
        argv = [tool, "--format=custom", f"--snapshot={snap}", f"--file={dest}"]
        argv += [f"--lock-wait-timeout={PG_LOCK_WAIT}", "--no-password"]
        _run_watching(argv, pg_env(), dest, progress)
        conn.execute("COMMIT")
    info = {
        "vendor": "postgresql",
        "server_version": server_major,
        "pg_dump_version": tool_major,
        "snapshot": snap,
    }
    return Snapshot(dest, info, migrations, referenced)


def _run_watching(argv: list[str], env: dict, out: Path, progress) -> None:
    """Run a PostgreSQL tool; report the size of ``out`` as it grows; Refused on failure."""
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    err: list[bytes] = []
    reader = threading.Thread(target=lambda: err.append(proc.stderr.read()), daemon=True)
    reader.start()
    while proc.poll() is None:
        if progress and out.exists():
            progress(out.stat().st_size, None)
        time.sleep(0.25)
    reader.join(timeout=10)
    if proc.returncode:
        raise Refused(
            "pg_tool_failed",
            gettext_noop("{tool} failed (exit {code}): {error}"),
            tool=Path(argv[0]).name,
            code=proc.returncode,
            error=b"".join(err).decode(errors="replace").strip()[-2000:],
        )


def pg_is_empty() -> bool:
    with connections["default"].cursor() as cursor:
        return not connections["default"].introspection.table_names(cursor)


def pg_restore(dump: Path, dump_major: int) -> None:
    """Load the dump into the empty database in one transaction (all or nothing)."""
    tool, _major_found = find_tool("pg_restore", dump_major)
    connections["default"].close()
    argv = [tool, "--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges"]
    argv += ["--no-password", f"--dbname={settings.DATABASES['default']['NAME']}", str(dump)]
    _run_watching(argv, pg_env(), dump, None)


# -- both ---------------------------------------------------------------------------------
def snapshot(folder: Path, with_pages: bool, progress=None) -> Snapshot:
    folder.mkdir(parents=True, exist_ok=True)
    if vendor() == "postgresql":
        return pg_snapshot(folder / "yiting.pgdump", with_pages, progress)
    if vendor() == "sqlite":
        return sqlite_snapshot(folder / "yiting.sqlite3", with_pages, progress)
    raise Refused(
        "database_unsupported",
        gettext_noop("Backups support PostgreSQL and SQLite, not {vendor}."),
        vendor=vendor(),
    )


def is_empty() -> bool:
    return pg_is_empty() if vendor() == "postgresql" else sqlite_is_empty()


def restore(dump: Path, info: dict) -> None:
    if info["vendor"] != vendor():
        raise Refused(
            "database_mismatch",
            gettext_noop(
                "The backup holds a {backup} database; this installation is configured "
                "for {target} (DATABASE_URL). Restore into a {backup} database."
            ),
            backup=info["vendor"],
            target=vendor(),
        )
    if vendor() == "postgresql":
        pg_restore(dump, int(info.get("pg_dump_version", 0)))
    else:
        sqlite_restore(dump)
    with contextlib.suppress(Exception):
        connections["default"].close()
