"""``manage.py prune_jobs``: delete done jobs past the retention window now.

The job workers do this every hour on their own (``jobs.runner.prune``); the command is
for an operator who lowered ``YITING_JOB_RETENTION_DAYS`` or runs no worker, and prunes
the whole backlog in one go (in batches). Failed jobs and kept kinds stay
(jobs/services.py).
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from jobs.services import prunable, prune_finished


class Command(BaseCommand):
    help = "Delete done background jobs older than YITING_JOB_RETENTION_DAYS (failed ones stay)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--days",
            type=float,
            default=None,
            help="retention in days instead of YITING_JOB_RETENTION_DAYS (more than 0)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="say how many would go, delete nothing"
        )

    def handle(self, *args, days: float | None = None, dry_run: bool = False, **opts) -> None:
        if days is not None and days <= 0:
            raise CommandError("--days must be more than 0")
        days = settings.JOB_RETENTION_DAYS if days is None else days
        if days <= 0:
            self.stdout.write("YITING_JOB_RETENTION_DAYS is 0: jobs are kept, nothing pruned")
            return
        if dry_run:
            self.stdout.write(f"{prunable(days=days).count()} done job(s) would be pruned")
            return
        deleted = prune_finished(days=days, max_batches=None)
        self.stdout.write(f"pruned {deleted} done job(s) finished over {days:g} days ago")
