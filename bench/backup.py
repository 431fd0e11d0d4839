"""Backup and restore of a term: ``manage.py backup`` and ``restore`` beside plain copies.

Builds the books bench's term (bench/books.py ``build_term``: ``--members`` members,
``--sittings`` sittings in sessions of one plenary and four group sittings,
``--speeches`` finished speeches, each with a recording, a clip row and a summary), then
gives it the files such a term has: one clip file per clip row (``--clip-mb`` of random
bytes each: video does not compress) and ``--docs-per-sitting`` documents per sitting (a
PDF and ``--doc-pages`` page images at both reading widths). The same term is built on
SQLite and on PostgreSQL (a new database on the local server, dropped at the end), and
for each it times, as an operator runs them (each a process of its own, start-up
included):

- ``manage.py backup --out DIR`` on the term;
- ``manage.py restore DIR`` into a new, empty database and data folder (checksums
  verified first), then checks the restored term against the source (``wrong``).

The baseline, in the same run on the same term: the database tool alone (SQLite's
online backup API in one step / ``pg_dump --format=custom``) plus ``cp -a`` of the data
folder, and back (the SQLite file copied / ``pg_restore --single-transaction``, plus
``cp -a``): what a backup costs without the consistent file list, the manifest and its
SHA-256s. ``startup_s`` is what starting ``manage.py`` costs, inside both figures.

Every figure ends with its copy on disk (``sync --file-system``); the files read are
warm in the page cache for every run, baseline alike (the machine is shared: its caches
are not dropped). PostgreSQL's own writes are its server's (``pg_restore`` commits). Clips made by the room's cameras are larger than the
default ``--clip-mb``: the time scales with the bytes (``mib_per_s``).

    python bench/backup.py [--sittings 60] [--clip-mb 2] [--json]
    python bench/backup.py --sittings 3 --json          # a small run (one session)

Figures only: this never fails on a slow result. The load average is printed beside
them. Every step is bounded (``--step-timeout``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PER_SESSION = 5  # the books term: a plenary and the demo committee's four groups
PG_ADMIN_URL = os.environ.get("YITING_TEST_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
WIDTHS = {800: 60 * 1024, 1600: 200 * 1024}  # page image bytes at each reading width
PDF_BYTES = 800 * 1024

COUNTS = """
from core.models import Attendance, Sitting
from media.models import Clip
from meeting.briefs.models import Summary
from meeting.floor.models import Speech
result = {'sittings': Sitting.objects.count(), 'speeches': Speech.objects.count(),
          'clips': Clip.objects.count(), 'summaries': Summary.objects.count(),
          'attendance': Attendance.objects.count()}
"""


# -- the term (in a process of its own, per database) -----------------------------------
def _blob(size: int, seed: bytes) -> bytes:
    """``size`` bytes that do not compress (a clip's, an image's), cheap to make."""
    block = hashlib.shake_256(seed).digest(min(size, 1 << 20))
    return (block * (size // len(block) + 1))[:size]


def write_files(docs_per_sitting: int, doc_pages: int, clip_mb: float) -> dict:
    """The term's files: a clip file per clip row, documents with their page images."""
    from django.conf import settings

    from core.models import Sitting
    from media.models import Clip

    media, data = Path(settings.MEDIA_ROOT), Path(settings.DATA_DIR)
    clip = _blob(int(clip_mb * (1 << 20)), b"clip")
    n = total = 0
    for pk, rel in Clip.objects.values_list("pk", "path"):
        dest = media / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(pk.to_bytes(8, "big") + clip[8:])  # unique, same size
        n, total = n + 1, total + len(clip)
    pdf = _blob(PDF_BYTES, b"pdf")
    pages = {w: _blob(size, f"page{w}".encode()) for w, size in WIDTHS.items()}
    for sitting in Sitting.objects.values_list("pk", flat=True):
        for d in range(docs_per_sitting):
            sha = hashlib.sha256(f"{sitting}-{d}".encode()).hexdigest()
            original = data / "docs" / "originals" / f"{sha}.pdf"
            original.parent.mkdir(parents=True, exist_ok=True)
            original.write_bytes(sha.encode() + pdf[64:])
            n, total = n + 1, total + len(pdf)
            for width, body in pages.items():
                folder = data / "docs" / "pages" / sha / str(width)
                folder.mkdir(parents=True, exist_ok=True)
                for page in range(1, doc_pages + 1):
                    (folder / f"{page}.jpg").write_bytes(page.to_bytes(4, "big") + body[4:])
                    n, total = n + 1, total + len(body)
    return {"files": n, "bytes": total}


def build(args: argparse.Namespace) -> None:
    """``--build``: the term and its files in the data folder and database given."""
    from bench.books import build_term
    from bench.common import setup_django

    t0 = time.perf_counter()
    setup_django(Path(args.build), args.database_url)
    build_term(args.members, args.sittings, args.speeches)
    made = write_files(args.docs_per_sitting, args.doc_pages, args.clip_mb)
    print(json.dumps(made | {"build_s": round(time.perf_counter() - t0, 1)}))


# -- the measured steps (orchestrated from the parent process) ---------------------------
class Run:
    def __init__(self, opts: argparse.Namespace, tmp: Path, kind: str) -> None:
        self.opts, self.tmp, self.kind = opts, tmp / kind, kind
        self.tmp.mkdir()
        self.drops: list = []

    def env(self, data_dir: Path, database_url: str) -> dict:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "deploy.settings",
            "YITING_DATA_DIR": str(data_dir),
            "DATABASE_URL": database_url,
            "SECRET_KEY": "bench-backup",
            "ALLOWED_HOSTS": "127.0.0.1",
            "YITING_INPROCESS_WORKERS": "false",
            "PYTHONPATH": str(ROOT),
        }

    def database(self, name: str) -> str:
        """A new empty database: an SQLite file beside (not in) the data folder, or a new
        PostgreSQL database (dropped at the end)."""
        if self.kind == "sqlite":
            folder = self.tmp / f"{name}-db"
            folder.mkdir()
            return f"sqlite:///{folder / 'yiting.sqlite3'}"
        from harness.servers import create_pg_database

        url, drop = create_pg_database(self.opts.pg_url)
        self.drops.append(drop)
        return url

    def timed(self, argv: list[str], env: dict | None = None) -> float:
        t0 = time.perf_counter()
        out = subprocess.run(
            argv,
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=self.opts.step_timeout,
        )
        took = time.perf_counter() - t0
        if out.returncode:
            raise RuntimeError(f"{' '.join(argv[:3])}… failed:\n{out.stdout}\n{out.stderr}")
        return took

    def manage(self, env: dict, *args: str, synced: Path | None = None) -> float:
        """``manage.py args`` timed; with ``synced``, until that folder's writes are on disk."""
        t0 = time.perf_counter()
        self.timed([sys.executable, str(ROOT / "manage.py"), *args], env)
        if synced is not None:
            _sync(synced)
        return time.perf_counter() - t0

    def counts(self, env: dict) -> dict:
        from harness.servers import run_python

        return run_python(env, COUNTS, timeout=self.opts.step_timeout)

    # -- baseline ---------------------------------------------------------------------
    def baseline_backup(self, data: Path, url: str, out: Path) -> tuple[float, int]:
        out.mkdir()
        t0 = time.perf_counter()
        if self.kind == "sqlite":
            src = sqlite3.connect(url.removeprefix("sqlite:///"))
            dst = sqlite3.connect(out / "yiting.sqlite3")
            with dst:
                src.backup(dst)
            dst.close()
            src.close()
            dump = out / "yiting.sqlite3"
        else:
            dump = out / "yiting.pgdump"
            argv = ["pg_dump", "--format=custom", f"--file={dump}", _libpq(url)]
            subprocess.run(argv, check=True, capture_output=True, timeout=self.opts.step_timeout)
        _cp(data, out / "data", self.opts.step_timeout)
        _sync(out)
        return time.perf_counter() - t0, dump.stat().st_size

    def baseline_restore(self, copy: Path) -> float:
        data, url = self.tmp / "baseline-restored", self.database("baseline-restored")
        t0 = time.perf_counter()
        if self.kind == "sqlite":
            shutil.copyfile(copy / "yiting.sqlite3", url.removeprefix("sqlite:///"))
        else:
            argv = ["pg_restore", "--single-transaction", "--exit-on-error", "--no-owner"]
            argv += ["--no-privileges", f"--dbname={_libpq(url)}", str(copy / "yiting.pgdump")]
            subprocess.run(argv, check=True, capture_output=True, timeout=self.opts.step_timeout)
        _cp(copy / "data", data, self.opts.step_timeout)
        _sync(data)
        took = time.perf_counter() - t0
        shutil.rmtree(data, ignore_errors=True)
        return took

    # -- the whole run for one database ----------------------------------------------
    def measure(self) -> dict:
        data, url = self.tmp / "source", self.database("source")
        data.mkdir()
        src_env = self.env(data, url)
        o = self.opts
        argv = [sys.executable, str(Path(__file__).resolve()), "--build", str(data)]
        argv += ["--database-url", url, "--members", str(o.members)]
        argv += ["--sittings", str(o.sittings), "--speeches", str(o.speeches)]
        argv += ["--docs-per-sitting", str(o.docs_per_sitting), "--doc-pages", str(o.doc_pages)]
        argv += ["--clip-mb", str(o.clip_mb)]
        made = subprocess.run(
            argv, env=src_env, cwd=ROOT, capture_output=True, text=True, timeout=o.step_timeout
        )
        if made.returncode:
            raise RuntimeError(f"building the term failed:\n{made.stdout}\n{made.stderr}")
        built = json.loads(made.stdout.strip().splitlines()[-1])
        source = self.counts(src_env)
        startup = min(self.manage(src_env, "version") for _ in range(3))

        copy = self.tmp / "baseline-copy"
        base_backup_s, dump_bytes = self.baseline_backup(data, url, copy)
        base_restore_s = self.baseline_restore(copy)
        shutil.rmtree(copy, ignore_errors=True)

        backup = self.tmp / "backup"
        backup_s = self.manage(src_env, "backup", "--out", str(backup), synced=self.tmp)
        manifest = json.loads((backup / "manifest.json").read_text())
        size = sum(p.stat().st_size for p in backup.rglob("*") if p.is_file())

        new_data, new_url = self.tmp / "restored", self.database("restored")
        new_env = self.env(new_data, new_url)
        restore_s = self.manage(new_env, "restore", str(backup), synced=self.tmp)
        restored = self.counts(new_env)
        restored_files = sum(1 for p in new_data.rglob("*") if p.is_file())
        wrong = [k for k in source if source[k] != restored.get(k)]
        if restored_files < len(manifest["files"]):
            wrong.append(f"files: {restored_files} of {len(manifest['files'])}")
        total = sum(f["size"] for f in manifest["files"]) + manifest["database"]["size"]
        return {
            "backup_s": round(backup_s, 2),
            "restore_s": round(restore_s, 2),
            "backup_bytes": size,
            "files": len(manifest["files"]),
            "database_bytes": manifest["database"]["size"],
            "missing": len(manifest["missing"]),
            "baseline_backup_s": round(base_backup_s, 2),
            "baseline_restore_s": round(base_restore_s, 2),
            "baseline_database_bytes": dump_bytes,
            "startup_s": round(startup, 2),
            "mib_per_s": {  # the backup's bytes over each command's time less its start-up
                "backup": round(total / 2**20 / max(backup_s - startup, 1e-3), 1),
                "restore": round(total / 2**20 / max(restore_s - startup, 1e-3), 1),
            },
            "term": source,
            "built": built,
            "wrong": wrong,
            "loadavg": [round(x, 2) for x in os.getloadavg()],
        }

    def close(self) -> None:
        for drop in self.drops:
            try:
                drop()
            except Exception as exc:  # reported, the other databases still dropped
                print(f"could not drop a bench database: {exc}", file=sys.stderr)


def _libpq(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


def _cp(src: Path, dest: Path, timeout: float) -> None:
    subprocess.run(["cp", "-a", str(src), str(dest)], check=True, timeout=timeout)


def _sync(path: Path) -> None:
    """Flush the file system holding ``path``: each figure ends with its copy on disk."""
    subprocess.run(["sync", "--file-system", str(path)], check=True, timeout=600)


def _pg_answers(url: str) -> str | None:
    """None when the PostgreSQL server answers, else why not."""
    try:
        import psycopg

        with psycopg.connect(_libpq(url), connect_timeout=5):
            return None
    except Exception as exc:  # figures only: say it and measure SQLite
        return f"{exc.__class__.__name__}: {exc}".strip()[:300]


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, timeout=10).stdout.strip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--members", type=int, default=175)
    ap.add_argument(
        "--sittings",
        type=int,
        default=60,
        help="rounded up to whole sessions of 5 sittings (3 gives one session)",
    )
    ap.add_argument("--speeches", type=int, help="default: 20 per sitting (1,200 for 60)")
    ap.add_argument("--clip-mb", type=float, default=2.0, help="size of each clip file")
    ap.add_argument("--docs-per-sitting", type=int, default=2)
    ap.add_argument("--doc-pages", type=int, default=20)
    ap.add_argument(
        "--databases", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"]
    )
    ap.add_argument("--pg-url", default=PG_ADMIN_URL, help="a database to create others from")
    ap.add_argument("--step-timeout", type=float, default=3600.0, help="seconds, per step")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--build", help=argparse.SUPPRESS)  # the child that builds the term
    ap.add_argument("--database-url", help=argparse.SUPPRESS)
    opts = ap.parse_args()
    opts.sittings = max(1, -(-opts.sittings // PER_SESSION)) * PER_SESSION
    if opts.speeches is None:
        opts.speeches = 20 * opts.sittings
    if opts.build:
        build(opts)
        return

    started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    uptime = _uptime()
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="yiting-bench-backup-") as tmp:
        for kind in opts.databases:
            if kind == "postgresql" and (why := _pg_answers(opts.pg_url)):
                results[kind] = {"skipped": f"PostgreSQL does not answer: {why}"}
                continue
            run = Run(opts, Path(tmp), kind)
            try:
                results[kind] = run.measure()
            finally:
                run.close()
                shutil.rmtree(run.tmp, ignore_errors=True)  # disk back before the next
    out = {
        "started": started,
        "uptime_start": uptime,
        "uptime_end": _uptime(),
        "term": {
            "members": opts.members,
            "sittings": opts.sittings,
            "speeches": opts.speeches,
            "clip_mb": opts.clip_mb,
            "docs_per_sitting": opts.docs_per_sitting,
            "doc_pages": opts.doc_pages,
        },
        "results": results,
    }
    if opts.json:
        print(json.dumps(out, indent=2))
        return
    t = out["term"]
    print(f"load: {out['uptime_start']}  →  {out['uptime_end']} (shared machine)")
    print(
        f"term: {t['members']} members, {t['sittings']} sittings, {t['speeches']} speeches, "
        f"clips of {t['clip_mb']} MiB, {t['docs_per_sitting']} documents × {t['doc_pages']} "
        f"pages per sitting"
    )
    for kind, r in results.items():
        if "skipped" in r:
            print(f"{kind:10s} skipped: {r['skipped']}")
            continue
        print(
            f"{kind:10s} backup {r['backup_s']:7.2f} s (cp -a + dump {r['baseline_backup_s']:.2f} s)"
            f"  restore {r['restore_s']:7.2f} s (cp -a + load {r['baseline_restore_s']:.2f} s)"
            f"  {r['backup_bytes']:,} bytes in {r['files']:,} files"
            f"  (manage.py start {r['startup_s']:.2f} s; wrong: {r['wrong'] or 'none'})"
        )


if __name__ == "__main__":
    main()
