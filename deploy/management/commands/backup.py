"""``manage.py backup --out DIR``: a consistent backup of the running system (deploy/backup/)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from deploy.backup.errors import Refused
from deploy.backup.run import make_backup, remove_partial


class Command(BaseCommand):
    help = (
        "Back up the database (one snapshot), documents, page images, clips, room "
        "recordings, briefs, books and minutes into a new folder with a manifest of "
        "SHA-256 checksums. Safe while a sitting runs."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--out", required=True, type=Path, help="a new (or empty) folder")
        parser.add_argument(
            "--without-pages",
            action="store_true",
            help="leave out the page images (restore queues them to be rendered again)",
        )

    def handle(self, *args, out: Path, without_pages: bool, **opts) -> None:
        existed = out.exists()
        try:
            result = make_backup(out, with_pages=not without_pages, say=self.stdout.write)
        except Refused as exc:
            raise CommandError(exc.for_operator()) from exc
        except BaseException:
            if not existed:
                remove_partial(out)  # no half backup that looks like one
            raise
        self.stdout.write(
            self.style.SUCCESS(f"backup done: {out} ({result.total_bytes:,} bytes, manifest.json)")
        )
