"""``manage.py term_book --member <username> | --term <id> --out FILE.pdf``.

一人一册 for one member (their current term, or ``--term``), or 一届一本 for a term,
with progress on stderr for the term book.
"""

from __future__ import annotations

import shutil

from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from core.models import Member, Term
from meeting.briefs.services import books


class Command(BaseCommand):
    help = "Write a member's book (一人一册) or the term's book (一届一本) as PDF."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--member", help="username of the member")
        parser.add_argument("--term", type=int, help="term id (the term book without --member)")
        parser.add_argument("--out", required=True)

    def handle(self, *args, **opts) -> None:
        if not opts["member"] and not opts["term"]:
            raise CommandError("invalid: give --member <username> or --term <id>")
        try:
            if opts["member"]:
                rows = Member.objects.filter(user__username=opts["member"])
                rows = rows.filter(term_id=opts["term"]) if opts["term"] else rows
                member = rows.order_by("-term__is_current", "-term__starts_on").first()
                if member is None:
                    raise CommandError(f"not_found: no member {opts['member']!r}")
                path = books.write_member_book_file(member.pk)
            else:
                if not Term.objects.filter(pk=opts["term"]).exists():
                    raise CommandError(f"not_found: no term {opts['term']}")

                def report(done: int, total: int) -> None:
                    self.stderr.write(f"\r{100 * done // max(total, 1)}%", ending="")

                path = books.write_term_book_file(opts["term"], report)
                self.stderr.write("")
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from None
        shutil.copyfile(path, opts["out"])
        self.stdout.write(f"→ {opts['out']}")
