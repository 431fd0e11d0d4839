"""The backup's table of contents: every file with its size and SHA-256, and the context.

A restore trusts nothing it has not checked: the manifest lists the database dump and
every file with its checksum, so a damaged or incomplete copy (a flipped byte on a
USB disk, a file lost in transit) is found and named *before* anything is written.
The manifest is written last, after every file it names: a backup interrupted half
way has no manifest and a restore refuses it. ``manifest.sha256`` holds the manifest's
own checksum, so a damaged manifest is refused too, not half believed.

Layout of a backup folder::

    manifest.json, manifest.sha256
    database/yiting.pgdump  (PostgreSQL: pg_dump custom format)  or  database/yiting.sqlite3
    data/<path under YITING_DATA_DIR>      documents, page images, room recordings, books, minutes…
    media/<path under MEDIA_ROOT>          clips and their posters
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.utils.translation import gettext_noop

from deploy.backup.errors import Refused

FORMAT = 1
MANIFEST = "manifest.json"
MANIFEST_SUM = "manifest.sha256"
CHUNK = 1024 * 1024


@dataclass
class FileEntry:
    """One file of the backup: where it is in the backup, its size, hash, mode and time."""

    path: str
    size: int
    sha256: str
    mode: int = 0o644
    mtime: float = 0.0


@dataclass
class Manifest:
    yiting_version: str
    created_at: str
    database: dict
    migrations: dict[str, str]
    source: dict
    pages: bool
    files: list[FileEntry] = field(default_factory=list)
    missing: list[dict] = field(default_factory=list)
    finished_at: str = ""
    format: int = FORMAT

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files) + int(self.database.get("size", 0))

    def as_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1, sort_keys=True)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def write(folder: Path, manifest: Manifest) -> None:
    """Write the manifest, then its checksum: the last two files of a backup."""
    text = manifest.as_json().encode()
    (folder / MANIFEST).write_bytes(text)
    (folder / MANIFEST_SUM).write_text(hashlib.sha256(text).hexdigest() + "  manifest.json\n")


def read(folder: Path) -> Manifest:
    """The manifest of ``folder`` after checking its own checksum; Refused otherwise."""
    path, sum_path = folder / MANIFEST, folder / MANIFEST_SUM
    if not path.is_file() or not sum_path.is_file():
        raise Refused(
            "backup_incomplete",
            gettext_noop(
                "{folder} is not a complete backup: manifest.json or manifest.sha256 is "
                "missing (a backup that was interrupted has no manifest)."
            ),
            folder=folder,
        )
    text = path.read_bytes()
    expected = sum_path.read_text().split()[0] if sum_path.read_text().split() else ""
    if hashlib.sha256(text).hexdigest() != expected:
        raise damaged(MANIFEST, "checksum does not match manifest.sha256")
    try:
        raw = json.loads(text)
        raw["files"] = [FileEntry(**f) for f in raw["files"]]
        return Manifest(**raw)
    except (ValueError, TypeError, KeyError) as exc:
        raise damaged(MANIFEST, f"unreadable: {exc}") from exc


def damaged(name: str, why: str) -> Refused:
    return Refused(
        "backup_damaged",
        gettext_noop(
            "The backup is damaged and was not restored; nothing was written. "
            "File: {name} ({why}). Use another copy of the backup."
        ),
        name=name,
        why=why,
    )


def verify(folder: Path, manifest: Manifest, progress=None) -> None:
    """Check the database dump and every file against the manifest; Refused naming the
    first file that is missing, has another size or another SHA-256.

    Sizes are checked for all files first (cheap), so a missing or truncated file is
    named at once, before hours of hashing.
    """
    entries = [
        FileEntry(manifest.database["file"], manifest.database["size"], manifest.database["sha256"])
    ] + list(manifest.files)
    for entry in entries:
        path = folder / entry.path
        if not path.is_file():
            raise damaged(entry.path, "missing")
        if path.stat().st_size != entry.size:
            raise damaged(entry.path, f"size {path.stat().st_size}, expected {entry.size}")
    for entry in entries:
        if sha256_of(folder / entry.path) != entry.sha256:
            raise damaged(entry.path, "SHA-256 does not match")
        if progress:
            progress(entry.size)
