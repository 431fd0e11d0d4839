"""``manage.py floor_sweeper``: the floor's time-limit sweeper as its own worker process."""

from __future__ import annotations

import signal
import threading

from django.core.management.base import BaseCommand

from core.hardening import refuse_insecure_start
from meeting.floor.sweeper import POLL_S, run_forever


class Command(BaseCommand):
    help = "Give the one-minute warnings and act at zero for every open floor (runs until stopped)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--poll", type=float, default=POLL_S, help="seconds between sweeps")

    def handle(self, *args, poll: float, **options) -> None:
        refuse_insecure_start()
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        self.stdout.write("floor sweeper running")
        run_forever(stop, poll_s=poll)
        self.stdout.write("floor sweeper stopped")
