"""Backup and restore, step by step, in the order that keeps the record whole.

Backup: the database snapshot first, then the files (so every file a row of the
snapshot names was already written), then the manifest last (so an interrupted backup
is recognisably incomplete). Restore: refuse a target that is not empty, verify every
checksum, and only then write — the database, the files, and the few rows that hold
the old machine's absolute paths.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import shutil
import sys
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_noop
from tqdm import tqdm

from deploy.backup import database, files, manifest
from deploy.backup.errors import Refused

Say = Callable[[str], None]


def yiting_version() -> str:
    try:
        return importlib.metadata.version("yiting")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@contextmanager
def _bar(desc: str, total: int | None, unit: str = "B"):
    """A tqdm bar on stderr (drawn only on a terminal, as the demo's is)."""
    bar = tqdm(
        total=total,
        desc=desc,
        unit=unit,
        unit_scale=True,
        file=sys.stderr,
        disable=None,
        leave=False,
    )
    try:
        yield bar
    finally:
        bar.close()


def _empty_folder(out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise Refused(
            "backup_target_not_empty",
            gettext_noop(
                "{out} already exists and is not empty: give a new folder for the backup."
            ),
            out=out,
        )


def make_backup(out: Path, with_pages: bool = True, say: Say = print) -> manifest.Manifest:
    """Back up the running system into the new folder ``out``."""
    out = out.resolve()
    _empty_folder(out)
    out.mkdir(parents=True, exist_ok=True)
    started = _now()
    with _bar("database", None) as bar:

        def db_progress(done: int, total: int | None) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        snap = database.snapshot(out / "database", with_pages, db_progress)
    db_size = snap.file.stat().st_size
    db_info = snap.info | {
        "file": str(snap.file.relative_to(out)),
        "size": db_size,
        "sha256": manifest.sha256_of(snap.file),
    }
    say(f"database: {db_info['vendor']}, {db_size:,} bytes, snapshot at {started}")
    with _bar("files", files.planned_bytes(with_pages, skip=out)) as bar:
        entries, copied = files.back_up(out, with_pages, bar.update)
    lost = files.missing(snap.referenced, copied)
    roots = files.roots()
    result = manifest.Manifest(
        yiting_version=yiting_version(),
        created_at=started,
        database=db_info,
        migrations=snap.migrations,
        source={"data_dir": str(roots["data"]), "media_root": str(roots["media"])},
        pages=with_pages,
        files=entries,
        missing=lost,
        finished_at=_now(),
    )
    manifest.write(out, result)
    say(f"files: {len(entries):,}, {sum(e.size for e in entries):,} bytes")
    for ref in lost[:20]:
        say(f"MISSING ({ref['kind']}): {ref['area']}/{ref['path']}")
    if lost:
        say(
            f"{len(lost)} file(s) named by the database were not there to copy (listed in manifest)"
        )
    return result


def check_target_empty() -> None:
    if not database.is_empty():
        raise Refused(
            "restore_target_not_empty",
            gettext_noop(
                "The target database is not empty: restore only into a new, empty database "
                "(create one, point DATABASE_URL at it, and do not run migrate first). "
                "Nothing was written."
            ),
        )
    found = files.occupied()
    if found:
        raise Refused(
            "restore_target_not_empty",
            gettext_noop(
                "The target data folder is not empty ({files}): restore only into a new, "
                "empty YITING_DATA_DIR. Nothing was written."
            ),
            files=", ".join(found),
        )


def check_migrations(m: manifest.Manifest) -> None:
    """Refuse a backup made by a newer Yiting (its tables have columns this code lacks)."""
    from django.db.migrations.loader import MigrationLoader

    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = [f"{app}.{name}" for app, name in m.migrations.items() if (app, name) not in known]
    if unknown:
        raise Refused(
            "backup_newer",
            gettext_noop(
                "The backup was made by a newer Yiting ({version}; migrations {names} are "
                "unknown here). Install that version or a later one, then restore."
            ),
            version=m.yiting_version,
            names=", ".join(unknown),
        )


def restore_backup(folder: Path, say: Say = print) -> manifest.Manifest:
    """Restore the backup in ``folder`` into the empty database and data folder."""
    folder = folder.resolve()
    m = manifest.read(folder)
    check_migrations(m)
    check_target_empty()
    with _bar("verify", m.total_bytes) as bar:
        manifest.verify(folder, m, bar.update)
    say(f"verified: database and {len(m.files):,} files match the manifest")
    database.restore(folder / m.database["file"], m.database)
    say(f"database restored ({m.database['vendor']})")
    with _bar("files", sum(e.size for e in m.files)) as bar:
        files.restore(folder, m.files, bar.update)
    say(f"files restored: {len(m.files):,}")
    relocate(m)
    if not m.pages:
        n = queue_page_rendering()
        say(f"page images were not in the backup: {n} document(s) queued for rendering")
    return m


def relocate(m: manifest.Manifest) -> None:
    """Rows that hold absolute paths of the old machine now name the new data folder:
    the term book's file (a job result) and room-camera segments."""
    from django.db import transaction

    from jobs.models import Job
    from media.models import RoomSegment

    old, new = m.source["data_dir"].rstrip("/"), str(Path(settings.DATA_DIR).resolve())
    if old == new:
        return
    with transaction.atomic():
        for job in Job.objects.filter(kind="briefs.term_book", state=Job.State.DONE):
            path = (job.result or {}).get("file", "")
            if path.startswith(old + "/"):
                job.result = {**job.result, "file": new + path[len(old) :]}
                job.save(update_fields=["result"])
        for seg in RoomSegment.objects.filter(path__startswith=old + "/"):
            seg.path = new + seg.path[len(old) :]
            seg.save(update_fields=["path"])


def queue_page_rendering() -> int:
    """A backup made ``--without-pages``: render every document's pages again (the job
    workers do it once the server runs; readers see pages appear as on an upload)."""
    from django.db import transaction

    from docs_store.models import Rendition
    from docs_store.services.upload import FIRST_PAGE_PRIORITY, REST_PRIORITY
    from jobs.services import enqueue

    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S")
    n = 0
    with transaction.atomic():
        for r in Rendition.objects.all():
            Rendition.objects.filter(pk=r.pk).update(pages_ready=0, failed="")
            for part, priority in (("first", FIRST_PAGE_PRIORITY), ("all", REST_PRIORITY)):
                job = enqueue(
                    "docs_store.render",
                    {"sha256": r.sha256, "first_only": part == "first"},
                    key=f"docs_store.render:{r.sha256}:restored-{stamp}:{part}",
                    priority=priority,
                )
            Rendition.objects.filter(pk=r.pk).update(job_id=job.pk)
            n += 1
    return n


def remove_partial(out: Path) -> None:
    """An interrupted backup leaves no half folder behind."""
    shutil.rmtree(out, ignore_errors=True)
