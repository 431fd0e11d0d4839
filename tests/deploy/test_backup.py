"""Backup of a running system and restore on a fresh machine (issue 26, part 3).

The demo runs in a real Daphne process, with its past recorded session (clips, a
released brief), rendered documents and a term book made by the job worker. A vote
is closed and a second one is open; half the members have voted when ``manage.py
backup`` starts, the other half vote while it runs (every ballot is answered: the
sitting goes on). The backup is restored into a new database and a new data folder,
and the record is compared: sessions, votes with tallies and their audit chains,
every clip decoded, every document and page image opened, the released brief and the
term book. A backup with one flipped byte is refused, naming the file, and leaves the
target empty; so is a target that is not empty.

Once on SQLite (with page images) and once on PostgreSQL (``--without-pages``: the
restore queues them and the job worker renders them again).
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from harness.servers import ROOT, Stack, WsClient, create_pg_database, login_cookie
from tests.conftest import PG_URL, require_service
from tests.deploy.support import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.media, pytest.mark.timeout(1200)]

SUMMARY = "from tests.deploy.record import summary\nresult = summary(pages={pages})"
TERM_BOOK = (
    "from core.models import Term\nfrom jobs.services import enqueue\n"
    "t = Term.objects.get(is_current=True)\n"
    "result = enqueue('briefs.term_book', {'term': t.pk}, key='backup-test-book').pk"
)
ROSTER = (
    "from core.models import Sitting\nfrom core.roster import sitting_roster\n"
    "s = Sitting.objects.get(kind='plenary', session__number=20)\n"
    "result = [s.pk, [(m.user.username, m.pk) for m in sitting_roster(s) if m.user_id]]"
)
EMPTY = (
    "import os\nfrom django.conf import settings\nfrom django.db import connection\n"
    "files = [os.path.join(d, f) for d, _, fs in os.walk(settings.DATA_DIR) for f in fs]\n"
    "db = settings.DATABASES['default']['NAME']\n"
    "files = [f for f in files if not f.startswith(str(db))]\n"
    "result = {'files': files, 'tables': connection.introspection.table_names()}"
)


def manage(env: dict, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def fresh_database(kind: str, drops: list) -> str | None:
    if kind == "sqlite":
        return None  # the Stack's own file in its new data folder
    url, drop = create_pg_database(PG_URL)
    drops.append(drop)
    return url


async def cast_all(base: str, sitting: int, vote: int, tablets: list[tuple[WsClient, int]]):
    acked = []
    for tablet, member in tablets:
        choice = ("yes", "no", "abstain")[member % 3]
        r = await tablet.request(
            "vote.cast", {"vote": vote, "choice": choice}, key=f"b{vote}-{member}"
        )
        assert r["ok"], r
        acked.append(member)
    return acked


async def sitting_with_votes(stack: Stack, backup_dir: Path, backup_args: list[str]):
    """A closed vote, then an open one: half vote, the backup starts, the rest vote."""
    base = stack.urls[0]
    sitting, members = stack.python(ROSTER)
    clerk = WsClient(base, sitting, login_cookie(base, "clerk", DEMO_PASSWORD))
    await clerk.connect()
    for _, mid in members:
        r = await clerk.request(
            "attendance.record", {"member": mid, "present": True}, key=f"in{mid}"
        )
        assert r["ok"], r
    snap = await clerk.request("sync", {"last_seq": 0})
    items = [i["id"] for i in snap["data"]["snapshot"]["agenda"]["items"]]
    tablets = []
    for username, mid in members:
        t = WsClient(base, sitting, login_cookie(base, username, DEMO_PASSWORD))
        await t.connect()
        tablets.append((t, mid))

    async def prepare_and_open(item: int, question: str) -> int:
        r = await clerk.request(
            "vote.prepare", {"item": item, "question": question}, key=f"prep-{item}"
        )
        assert r["ok"], r
        vote = r["data"]["vote"]["id"]
        assert (await clerk.request("vote.open", {"vote": vote}))["ok"]
        return vote

    first = await prepare_and_open(items[0], "关于数据条例草案的表决")
    await cast_all(base, sitting, first, tablets)
    closed = await clerk.request("vote.close", {"vote": first})
    assert closed["ok"], closed

    second = await prepare_and_open(items[1], "关于生态环境保护条例修订草案的表决")
    half = len(tablets) // 2
    before = await cast_all(base, sitting, second, tablets[:half])
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "manage.py"),
        "backup",
        "--out",
        str(backup_dir),
        *backup_args,
        env=stack.env,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    during = await cast_all(base, sitting, second, tablets[half:])  # the sitting goes on
    out, err = await asyncio.wait_for(proc.communicate(), timeout=600)
    assert proc.returncode == 0, (out.decode(), err.decode())
    for t, _ in tablets:
        await t.close()
    await clerk.close()
    return {"open_vote": second, "before": before, "during": during, "backup_out": out.decode()}


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def world(request, tmp_path_factory):
    """The demo, running, backed up during an open vote; the live record beside it."""
    kind = request.param
    if kind == "postgresql":
        require_service("PostgreSQL", "127.0.0.1", 5432)
    tmp = tmp_path_factory.mktemp(f"backup-{kind}")
    drops: list = []
    pages = kind == "sqlite"
    stack = Stack(tmp / "source", database_url=fresh_database(kind, drops))
    try:
        stack.manage("migrate", "--noinput", "-v0")
        stack.manage("demo", "--members", "12", timeout=600)  # documents and the past session
        stack.python(TERM_BOOK)
        stack.manage("worker", "--once", timeout=600)  # page images, text index, term book
        stack.start(migrate=False)
        backup = tmp / "backup"
        args = [] if pages else ["--without-pages"]
        voted = asyncio.run(sitting_with_votes(stack, backup, args))
        live = stack.python(SUMMARY.format(pages=pages), timeout=300)
        yield SimpleNamespace(
            kind=kind, tmp=tmp, stack=stack, backup=backup, pages=pages, live=live,
            drops=drops, **voted,
        )  # fmt: skip
    finally:
        stack.stop()
        for drop in drops:
            drop()


def target(world, name: str) -> Stack:
    """A new machine: a new data folder and a new, empty database (not migrated)."""
    return Stack(world.tmp / name, database_url=fresh_database(world.kind, world.drops))


def test_restore_gives_back_the_record(world):
    new = target(world, "restored")
    out = manage(new.env, "restore", str(world.backup))
    assert out.returncode == 0, out.stderr
    if not world.pages:
        assert "queued for rendering" in out.stdout
        new.manage("worker", "--once", timeout=600)  # the pages come back
    got = new.python(SUMMARY.format(pages=True), timeout=300)
    live = world.live

    assert got["sessions"] == live["sessions"] and len(got["sessions"]) == 2
    assert got["audit_trail"] >= 1
    assert got["clips"] == live["clips"] and len(got["clips"]) >= 8
    for clip in got["clips"].values():
        assert clip["streams"] == ["audio", "video"] and clip["seconds"] >= 3
    assert got["briefs"] and got["briefs"] == live["briefs"]
    assert got["term_books"] and got["term_books"][0]["pdf_pages"] >= 1
    assert got["term_books"][0]["under_data_dir"]  # the job's path follows the new folder
    assert [d["pdf_pages"] for d in got["documents"]] == [d["pdf_pages"] for d in live["documents"]]
    for doc in got["documents"]:
        assert doc["ready"] == doc["pages"] == doc["pdf_pages"] and doc["widths"] == [800, 1600]

    closed, open_ = got["votes"][0], got["votes"][1]
    assert closed == live["votes"][0]  # the tally, ballots and chain exactly as they were
    assert closed["result"]["cast"] == len(closed["ballots"]) > 0
    assert open_["id"] == world.open_vote and open_["state"] == "open"
    # every ballot committed before the backup began is in it; those cast meanwhile
    # are in it or not, but whole: counter, ballots and audit chain agree
    assert set(world.before) <= set(open_["ballots"]) <= set(world.before + world.during)
    assert open_["cast_count"] == len(open_["ballots"]) == open_["audit_ballots"]
    for vote in got["votes"]:
        assert vote["chain"]["intact"], vote
    assert live["votes"][1]["ballots"] == sorted(world.before + world.during)


def test_damaged_backup_is_refused_and_writes_nothing(world):
    damaged = world.tmp / "damaged"
    if not damaged.exists():
        shutil.copytree(world.backup, damaged)
    clip = sorted((damaged / "media" / "clips").rglob("*.mp4"))[0]
    data = bytearray(clip.read_bytes())
    data[len(data) // 2] ^= 0xFF
    clip.write_bytes(bytes(data))
    new = target(world, "after-damage")
    out = manage(new.env, "restore", str(damaged))
    assert out.returncode == 1
    name = str(clip.relative_to(damaged))
    assert name in out.stderr and "backup_damaged" in out.stderr
    assert "备份已损坏" in out.stderr  # the operator reads it in Chinese
    assert new.python(EMPTY) == {"files": [], "tables": []}


def test_restore_refuses_a_target_that_is_not_empty(world):
    out = manage(world.stack.env, "restore", str(world.backup))
    assert out.returncode == 1 and "restore_target_not_empty" in out.stderr
    assert "不是空的" in out.stderr
    assert (
        world.stack.python(SUMMARY.format(pages=world.pages), timeout=300)["votes"][0]
        == (world.live["votes"][0])
    )


def test_manifest_lists_every_file_with_its_checksum(world):
    import json

    manifest = json.loads((world.backup / "manifest.json").read_text())
    paths = {f["path"] for f in manifest["files"]}
    assert manifest["missing"] == []
    assert manifest["database"]["vendor"] == world.kind
    assert manifest["migrations"]["voting"] and manifest["migrations"]["meeting"]
    assert manifest["pages"] is world.pages
    assert any(p.startswith("media/clips/") for p in paths)
    assert any(p.startswith("data/books/term-") for p in paths)
    assert any(p.startswith("data/docs/pages/") for p in paths) is world.pages
    assert all(len(f["sha256"]) == 64 and f["size"] >= 0 for f in manifest["files"])
