"""``manage.py brief --sitting <id> --format pdf|docx --out FILE``: export a sitting's brief.

Exports the sitting's latest brief; with none yet, the draft as it would print now
(nothing is written to the database).
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from core.models import Sitting
from meeting.briefs.models import Brief
from meeting.briefs.services import contents_preview
from meeting.briefs.services.exports import export_brief


class Command(BaseCommand):
    help = "Export the brief (简报) of a group sitting as PDF or DOCX."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--sitting", type=int, required=True)
        parser.add_argument("--format", choices=["pdf", "docx"], default="pdf")
        parser.add_argument("--out", required=True)

    def handle(self, *args, **opts) -> None:
        sitting = Sitting.objects.filter(pk=opts["sitting"]).select_related("session").first()
        if sitting is None:
            raise CommandError(f"not_found: no sitting {opts['sitting']}")
        brief = Brief.objects.filter(sitting=sitting).order_by("-number").first()
        try:
            if brief is None:
                brief = contents_preview.unsaved_brief(sitting, get_user_model())
            data = export_brief(brief, opts["format"])
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from None
        Path(opts["out"]).write_bytes(data)
        self.stdout.write(f"简报 第{brief.number or '—'}期 → {opts['out']} ({len(data)} bytes)")
