"""``manage.py demo``: load the demo committee (idempotent) and print the logins."""

from django.core.management.base import BaseCommand

from meeting.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load a demo committee (65 members, 4 groups, a session with 5 sittings). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=65)
        parser.add_argument("--no-documents", action="store_true")
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    def handle(self, *args, members: int, no_documents: bool, base_url: str, **kw):
        out = load_demo(members=members, with_documents=not no_documents)
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
