"""Real worker processes (``manage.py worker``) on a database file / server of their own.

A worker killed with SIGKILL in the middle of a job leaves it ``running`` under a lease
nobody renews; a second worker takes it over once the lease expires and finishes it,
and the job's work is completed exactly once.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness.servers import ROOT, create_pg_database

KINDS = "tests.jobs.kinds"


class Db:
    """A fresh migrated database the worker processes and the test share."""

    def __init__(self, tmp_path: Path, pg_url: str | None) -> None:
        self.drop = None
        if pg_url:
            self.url, self.drop = create_pg_database(pg_url)
        else:
            self.url = f"sqlite:///{tmp_path / 'jobs.sqlite3'}"
        self.env = {
            **os.environ,
            "DATABASE_URL": self.url,
            "YITING_DATA_DIR": str(tmp_path / "data"),
            "YITING_INPROCESS_WORKERS": "false",
        }
        self.manage("migrate", "--noinput", "-v", "0")

    def manage(self, *args: str) -> str:
        out = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert out.returncode == 0, out.stderr
        return out.stdout

    def python(self, code: str) -> str:
        script = f"import django; django.setup()\nimport {KINDS}\n{code}"
        out = subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env={**self.env, "DJANGO_SETTINGS_MODULE": "deploy.settings"},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert out.returncode == 0, out.stderr
        return out.stdout.strip()

    def worker(self, lease_s: float = 2.0) -> subprocess.Popen:
        args = ["worker", "--poll", "0.1", "--lease", str(lease_s), "--import", KINDS]
        return subprocess.Popen(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def jobs(self) -> list[dict]:
        code = (
            "import json; from jobs.models import Job\n"
            "print(json.dumps(list(Job.objects.order_by('id').values("
            "'id','state','attempts','progress_done','lease_owner','result'))))"
        )
        return json.loads(self.python(code))

    def progress_of(self, job_id: int) -> tuple[str, int]:
        """Read straight from the database (cheap enough to poll)."""
        if self.url.startswith("sqlite"):
            with sqlite3.connect(self.url.removeprefix("sqlite:///"), timeout=20) as conn:
                row = conn.execute(
                    "SELECT state, progress_done FROM jobs_job WHERE id = ?", (job_id,)
                ).fetchone()
        else:
            import psycopg

            with psycopg.connect(self.url.replace("postgres://", "postgresql://", 1)) as conn:
                row = conn.execute(
                    "SELECT state, progress_done FROM jobs_job WHERE id = %s", (job_id,)
                ).fetchone()
        return row[0], row[1]


def wait_for(pred, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_for_workers(request, tmp_path):
    pg = request.getfixturevalue("pg_url") if request.param == "postgresql" else None
    db = Db(tmp_path, pg)
    yield db
    if db.drop:
        db.drop()


def test_killed_worker_job_is_taken_over_and_done_once(db_for_workers, tmp_path):
    db = db_for_workers
    out = tmp_path / "completions.txt"
    payload = {"steps": 15, "step_s": 0.2, "out": str(out)}
    job_id = int(
        db.python(
            "from jobs.services import enqueue\n"
            f"print(enqueue('test.slow', {payload!r}, key='slow-1').pk)"
        )
    )
    first = db.worker(lease_s=2.0)
    try:
        wait_for(lambda: db.progress_of(job_id)[1] >= 3, 60, "the first worker to make progress")
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        stop(first)
    state, done_before = db.progress_of(job_id)
    assert state == "running" and done_before < 15  # killed mid-job, lease left behind
    assert not out.exists()

    second = db.worker(lease_s=2.0)
    try:
        wait_for(lambda: db.progress_of(job_id)[0] == "done", 90, "the job to be taken over")
    finally:
        stop(second)
    [job] = db.jobs()
    assert job["attempts"] == 2 and job["result"]["pid"] == second.pid
    assert out.read_text().splitlines() == [f"done by pid {second.pid} attempt 2"]
    # a repeat enqueue of the same key does not bring the finished job back
    again = db.python(
        "from jobs.services import enqueue\n"
        f"print(enqueue('test.slow', {payload!r}, key='slow-1').state)"
    )
    assert again == "done"


def test_two_workers_share_the_queue_and_run_each_job_once(db_for_workers, tmp_path):
    db = db_for_workers
    out = tmp_path / "completions.txt"
    db.python(
        "from jobs.services import enqueue\n"
        "for n in range(12):\n"
        f"    enqueue('test.slow', {{'steps': 1, 'step_s': 0.05, 'out': {str(out)!r}}})"
    )
    workers = [db.worker(), db.worker()]
    try:
        wait_for(
            lambda: out.exists() and len(out.read_text().splitlines()) >= 12,
            90,
            "all twelve jobs",
        )
        time.sleep(0.5)  # a double run would append a thirteenth line now
    finally:
        for w in workers:
            stop(w)
    jobs = db.jobs()
    assert [j["state"] for j in jobs] == ["done"] * 12
    assert all(j["attempts"] == 1 for j in jobs)
    assert len(out.read_text().splitlines()) == 12
