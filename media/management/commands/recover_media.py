"""``manage.py recover_media``: close what recordings a dead server process left open.

Run before a Daphne worker starts (``deploy/systemd/yiting-daphne@.service``
``ExecStartPre``), as the one-machine launcher does after a worker died: each
recording or room camera held by a process that is gone is closed at the end of what
its file holds and queued for finalisation (``media/recovery.py``). A management
command rather than ``python -c``: it sets ``DJANGO_SETTINGS_MODULE`` like every other
line of the units.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from media.recovery import recover_on_start


class Command(BaseCommand):
    help = "Close and queue for finalisation the recordings a dead server process left open."

    def handle(self, *args, **options) -> None:
        queued = recover_on_start()
        self.stdout.write(f"recovered {queued} recording(s)")
