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
