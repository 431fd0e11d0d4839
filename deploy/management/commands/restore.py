"""``manage.py restore DIR``: restore a backup into an empty database and data folder."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from deploy.backup.errors import Refused
from deploy.backup.run import restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into an EMPTY database (DATABASE_URL) "
        "and an empty YITING_DATA_DIR. Every checksum is verified before anything is "
        "written; a damaged backup is refused. Run `manage.py migrate` afterwards when "
        "the backup is from an older Yiting (./yiting stack does)."
    )
    requires_system_checks = []  # the target is empty: nothing to check against yet
    requires_migrations_checks = False

    def add_arguments(self, parser) -> None:
        parser.add_argument("folder", type=Path, help="the backup folder (with manifest.json)")

    def handle(self, *args, folder: Path, **opts) -> None:
        try:
            m = restore_backup(folder, say=self.stdout.write)
        except Refused as exc:
            raise CommandError(exc.for_operator()) from exc
        self.stdout.write(
            self.style.SUCCESS(f"restored the backup of {m.created_at} (Yiting {m.yiting_version})")
        )
