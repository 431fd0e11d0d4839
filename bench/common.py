"""What every in-process bench needs first: Django on a fresh database of its own.

A temporary data folder, an SQLite file in it (or the PostgreSQL URL given), no
background workers in the process (the bench runs the jobs it measures itself), and
the migrations applied.
"""

from __future__ import annotations

import os
from pathlib import Path


def setup_django(data_dir: Path, database_url: str | None = None) -> None:
    os.environ["YITING_DATA_DIR"] = str(data_dir)
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{data_dir / 'bench.sqlite3'}"
    os.environ["YITING_INPROCESS_WORKERS"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deploy.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def listen_overflows() -> int:
    """The kernel's count of connections dropped because a listen queue was full.

    ``TcpExtListenOverflows`` in /proc/net/netstat, machine-wide: read before and after a
    storm, the difference says whether handshakes were dropped (each costs a client a
    retransmit of 1 s or more), which no server-side timer sees. -1 where unreadable.
    """
    try:
        lines = Path("/proc/net/netstat").read_text().splitlines()
    except OSError:
        return -1
    for names, values in zip(lines[::2], lines[1::2], strict=False):
        if names.startswith("TcpExt:"):
            row = dict(zip(names.split()[1:], values.split()[1:], strict=True))
            return int(row.get("ListenOverflows", -1))
    return -1
