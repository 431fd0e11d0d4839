"""The files half of a backup: everything under the data folder that the database alone
cannot give back.

Copied: document originals and page images (``docs/``), clips and their posters
(``MEDIA_ROOT``), room-camera recordings and speeches still being recorded
(``media/``), the term's and members' books (``books/``), minutes (``minutes/``), the
room's TLS authority (``tls/``: without it every tablet would have to trust a new one)
and whatever else a feature keeps under ``YITING_DATA_DIR``. Left out, because they are
made again or belong to the running machine: the SQLite file itself (the database
half copies it consistently), ``static/`` (``collectstatic``), ``run/`` (the
launcher's configs, logs and sockets) and half-written temporary files.

Files are copied *after* the database snapshot: a file the snapshot names was written
before it (a clip row is created after its file is whole), so it is there to copy; a
file removed since (a clip deleted meanwhile) is listed as missing, not silently lost.
Each file is hashed while it is copied, so the manifest describes the copy itself even
if the original changes under it (a recording still growing).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from django.conf import settings

from deploy.backup.manifest import CHUNK, FileEntry

SKIPPED_TOP = {"static", "run"}
TEMP_MARKERS = (".tmp-", ".restore-")
TEMP_SUFFIXES = (".tmp", ".part")


def roots() -> dict[str, Path]:
    """The backup's areas: ``data`` (YITING_DATA_DIR) and ``media`` (MEDIA_ROOT)."""
    return {
        "data": Path(settings.DATA_DIR).resolve(),
        "media": Path(settings.MEDIA_ROOT).resolve(),
    }


def _database_files() -> set[Path]:
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.sqlite3":
        return set()
    name = Path(db["NAME"]).resolve()
    return {name, *(Path(f"{name}{s}") for s in ("-wal", "-shm", "-journal"))}


def _temporary(name: str) -> bool:
    return name.startswith(TEMP_MARKERS) or name.endswith(TEMP_SUFFIXES)


def candidates(
    with_pages: bool = True, skip: Path | None = None
) -> Iterator[tuple[str, str, Path]]:
    """``(area, path in the area, absolute path)`` of every file to back up."""
    areas = roots()
    leave_out = _database_files()
    for area, root in areas.items():
        if not root.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            here = Path(dirpath)
            rel_dir = here.relative_to(root)
            keep = []
            for d in sorted(dirnames):
                full = here / d
                if area == "data" and full == areas["media"]:
                    continue  # its own area
                if skip is not None and full == skip:
                    continue  # the backup being written
                if area == "data" and rel_dir == Path(".") and d in SKIPPED_TOP:
                    continue
                if not with_pages and area == "data" and rel_dir == Path("docs") and d == "pages":
                    continue
                keep.append(d)
            dirnames[:] = keep
            for name in sorted(filenames):
                full = here / name
                if full in leave_out or _temporary(name) or not full.is_file():
                    continue
                yield area, str((rel_dir / name).as_posix()), full


def copy_hashed(src: Path, dest: Path) -> tuple[int, str] | None:
    """Copy ``src`` to ``dest`` hashing what was copied; None if ``src`` vanished."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    try:
        fin = open(src, "rb")  # noqa: SIM115 (closed below; a vanished file is no error)
    except FileNotFoundError:
        return None
    with fin, open(dest, "wb") as fout:
        while chunk := fin.read(CHUNK):
            digest.update(chunk)
            fout.write(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def back_up(
    folder: Path, with_pages: bool, progress: Callable[[int], None] | None = None
) -> tuple[list[FileEntry], set[tuple[str, str]]]:
    """Copy every file into ``folder/<area>/``; the entries and the (area, path) copied."""
    entries, copied = [], set()
    for area, rel, full in candidates(with_pages, skip=folder.resolve()):
        try:
            st = full.stat()
        except FileNotFoundError:
            continue
        done = copy_hashed(full, folder / area / rel)
        if done is None:
            continue
        size, sha = done
        entries.append(FileEntry(f"{area}/{rel}", size, sha, st.st_mode & 0o777, st.st_mtime))
        copied.add((area, rel))
        if progress:
            progress(size)
    return entries, copied


def planned_bytes(with_pages: bool, skip: Path | None = None) -> int:
    total = 0
    for _area, _rel, full in candidates(with_pages, skip):
        try:
            total += full.stat().st_size
        except FileNotFoundError:
            continue
    return total


def occupied() -> list[str]:
    """Files already in the restore target (the first few), beside what restore ignores."""
    found = []
    for area, rel, _full in candidates(with_pages=True):
        found.append(f"{roots()[area]}/{rel}")
        if len(found) >= 5:
            break
    return found


def restore(
    folder: Path, entries: list[FileEntry], progress: Callable[[int], None] | None = None
) -> None:
    """Copy the backed-up files into the data folder and MEDIA_ROOT, each whole or not at
    all (a temporary name renamed into place), with their mode and time."""
    areas = roots()
    for entry in entries:
        area, rel = entry.path.split("/", 1)
        target = areas[area] / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".restore-")
        try:
            with os.fdopen(fd, "wb") as out, open(folder / entry.path, "rb") as src:
                while chunk := src.read(CHUNK):
                    out.write(chunk)
            os.chmod(tmp, entry.mode or 0o644)
            os.replace(tmp, target)
            os.utime(target, (entry.mtime, entry.mtime))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        if progress:
            progress(entry.size)


def missing(referenced: list[dict], copied: set[tuple[str, str]]) -> list[dict]:
    """Files the database snapshot names that were not there to copy."""
    seen: set[tuple[str, str]] = set()
    out = []
    for ref in referenced:
        key = (ref["area"], ref["path"])
        if key in copied or key in seen:
            continue
        seen.add(key)
        out.append(ref)
    return out
