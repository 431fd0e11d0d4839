"""``manage.py worker``: a job worker process for production (several may run at once)."""

from __future__ import annotations

import importlib
import signal
import threading

from django.core.management.base import BaseCommand

from core import promstats
from core.hardening import refuse_insecure_start
from jobs import registry, runner


class Command(BaseCommand):
    help = "Run background jobs (page rendering, clip finalisation, minutes) until stopped."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="Run due jobs, then exit.")
        parser.add_argument("--poll", type=float, default=runner.POLL_S)
        parser.add_argument(
            "--lease", type=float, default=runner.LEASE_S, help="Lease length in seconds."
        )
        parser.add_argument(
            "--import",
            dest="modules",
            action="append",
            default=[],
            help="Extra module registering job kinds outside installed apps (repeatable).",
        )

    def handle(self, *args, **opts) -> None:
        refuse_insecure_start()
        registry.discover()
        for module in opts["modules"]:
            importlib.import_module(module)
        if opts["once"]:
            ran = runner.run_until_idle(lease_s=opts["lease"])
            self.stdout.write(f"ran {ran} job(s)")
            return
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        self.stdout.write(f"worker started; kinds: {', '.join(sorted(registry.JOBS)) or 'none'}")
        promstats.start_sampling()  # its CPU, memory and descriptors in /metrics (stack)
        runner.run_forever(stop, poll_s=opts["poll"], lease_s=opts["lease"])
