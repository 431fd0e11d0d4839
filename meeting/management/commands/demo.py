"""``manage.py demo``: load the demo committee (idempotent) and print the logins."""

import argparse

from django.core.management.base import BaseCommand

from meeting.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load a demo committee (65 members, 4 groups, a session with 5 sittings). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=65)
        parser.add_argument("--no-documents", action="store_true")
        parser.add_argument(
            "--history",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="also load a past recorded session with summaries and a released brief "
            "(default: on, off with --no-documents)",
        )
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    def handle(self, *args, members: int, no_documents: bool, base_url: str, history, **kw):
        out = load_demo(members=members, with_documents=not no_documents)
        past = None
        if history or (history is None and not no_documents):
            from meeting.briefs.demo import load_history

            past = load_history(out.session.term)
        w = self.stdout.write
        w(self.style.SUCCESS(f"Demo loaded: {out.session}"))
        w(f"  password for every demo login: {DEMO_PASSWORD}")
        for role, login in out.logins.items():
            w(f"  {role:8} {login}")
        w("Open:")
        w(f"  login          {base_url}/login/")
        w(f"  clerk console  {base_url}/console/")
        w(f"  preparation    {base_url}/proceedings/   (sessions, roster import, minutes, audit)")
        for s in out.sittings:
            w(
                f"  {s.title:24} tablet {base_url}/tablet/{s.pk}/  display {base_url}/display/{s.pk}/"
            )
        w(f"  staff review   {base_url}/review/")
        if past is not None:
            w(f"  briefs, books  {base_url}/briefs/   (past session: {past.title}; check: staff2)")
