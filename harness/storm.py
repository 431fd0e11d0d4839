"""A vote storm over real sockets: N members vote within one second, some drop and resend.

Shared by the end-to-end test (tests/meeting/voting/test_storm.py) and the benchmark
(bench/vote_storm.py). The committee is seeded directly in the stack's database with
one password hash and one session per member (hashing 2,000 passwords would take
minutes and measures nothing of ours). Voters are spread over the stack's Daphne
workers and over ``procs`` client processes; each casts at a random moment of a
one-second window; a ``resend`` fraction closes its socket right after sending
(before the reply), reconnects to the *other* worker, resyncs and sends the same
frame with the same idempotency key.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing as mp
import os
import random
import time
from pathlib import Path

SEED = """
import datetime as dt
from django.contrib.auth import get_user_model, BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from core.models import Attendance, AgendaItem, Committee, Member, Session, Sitting, Term
N = {n}
User = get_user_model()
pw = make_password('storm')
c = Committee.objects.create(name='风暴测试常委会', short_name='风暴')
term = Term.objects.create(committee=c, name='第一届', starts_on=dt.date(2025, 1, 1), is_current=True)
users = User.objects.bulk_create([User(username=f'v{{i:05d}}', password=pw) for i in range(N)]
    + [User(username='stormclerk', password=pw)])
users = list(User.objects.filter(username__startswith='v').order_by('username'))
clerk_user = User.objects.get(username='stormclerk')
Member.objects.bulk_create([Member(user=u, term=term, full_name=f'委员{{i}}', role='member',
    seat=f'{{i + 1:05d}}') for i, u in enumerate(users)])
Member.objects.create(user=clerk_user, term=term, full_name='秘书', role='clerk')
session = Session.objects.create(term=term, number=1, title='风暴', starts_on=dt.date(2026, 11, 24), state='open')
s = Sitting.objects.create(session=session, kind='plenary', title='全体会议', starts_at=timezone.now(), state='live')
item = AgendaItem.objects.create(sitting=s, order=1, title='议题')
AgendaItem.objects.create(sitting=s, order=2, title='议题二')
from meeting.services.agenda import open_item
from core.policy import Acting
open_item(s.pk, item.pk, actor=Acting(role='clerk'))  # the first event: tablets resync from seq 1 by replay
members = list(Member.objects.filter(term=term, role='member').select_related('user').order_by('seat'))
now = timezone.now()
Attendance.objects.bulk_create([Attendance(sitting=s, member=m, checked_in_at=now, method='clerk') for m in members])

def cookie(u):
    st = SessionStore()
    st[SESSION_KEY] = str(u.pk)
    st[BACKEND_SESSION_KEY] = 'django.contrib.auth.backends.ModelBackend'
    st[HASH_SESSION_KEY] = u.get_session_auth_hash()
    st.create()
    return 'sessionid=' + st.session_key

result = {{'sitting': s.pk, 'item': item.pk, 'clerk': cookie(clerk_user),
          'members': [[m.pk, cookie(m.user)] for m in members]}}
"""

CHECK = """
from django.db.models import Count
from meeting.voting.models import AuditEntry, Ballot, NamedChoice, Vote
v = Vote.objects.get(pk={vote})
per_member = dict(NamedChoice.objects.filter(ballot__vote=v).values_list('ballot__member_id', 'option'))
dup = Ballot.objects.filter(vote=v).values('member_id').annotate(n=Count('id')).filter(n__gt=1).count()
result = {{'stored': Ballot.objects.filter(vote=v).count(), 'dup_rows': dup,
          'audit_ballots': AuditEntry.objects.filter(vote=v, kind='ballot').count(),
          'choices': {{str(k): o for k, o in per_member.items()}},
          'counted': sum(v.result.questions[0]['counts'].values()), 'cast': v.result.cast}}
"""

OPTIONS = ("yes", "no", "abstain")


def choice_for(member_id: int) -> str:
    """A fixed choice per member, so the stored ballots can be checked one by one."""
    return OPTIONS[member_id % 3]


async def _open(url: str, cookie: str):
    import websockets

    origin = url.split("/ws/")[0].replace("ws://", "http://")
    last: Exception | None = None
    for attempt in range(30):
        try:
            return await websockets.connect(
                url,
                additional_headers={"Cookie": cookie},
                origin=origin,
                open_timeout=120,
                max_size=2**24,
                max_queue=None,  # a clerk not reading for a while must not stall its socket
            )
        except Exception as exc:  # the server is busy accepting the others: back off
            last = exc
            await asyncio.sleep(0.2 * (attempt + 1))
    raise RuntimeError(f"could not connect to {url}: {last!r}")


REPLY_S = 120.0  # the longest a tablet waits for one reply; then it counts as failed


class Voter:
    """One tablet: a socket, its sequence position, the time it saw the result."""

    def __init__(self, urls: list[str], index: int, sitting: int, member: int, cookie: str):
        self.urls = [f"{u.replace('http://', 'ws://')}/ws/sittings/{sitting}/" for u in urls]
        self.index, self.member, self.cookie = index, member, cookie
        self.ws = None
        self.n = 0
        self.closed_at: float | None = None
        self.events: dict[str, float] = {}
        self.acked: dict | None = None

    async def connect(self, which: int) -> None:
        """Open a socket and resync as a tablet that was following the room does.

        The tablet says the last sequence number it saw; in the storm that is the one
        the server welcomed it with, so the answer is a (usually empty) replay, not a
        full snapshot per socket: the storm measures voting, not reconnect snapshots.
        """
        self.ws = await _open(self.urls[which % len(self.urls)], self.cookie)
        async with asyncio.timeout(REPLY_S):
            welcome = json.loads(await self.ws.recv())
        self.seq = max(getattr(self, "seq", 0), welcome["data"]["seq"])
        ans = await self.request("sync", {"last_seq": self.seq})
        self.seq = max(self.seq, ans["data"]["seq"])

    async def request(self, type_: str, data: dict, key: str | None = None) -> dict:
        self.n += 1
        rid = f"s{self.n}"
        frame = {"v": 1, "type": type_, "id": rid, "data": data}
        if key:
            frame["key"] = key
        await self.ws.send(json.dumps(frame))
        async with asyncio.timeout(REPLY_S):  # a reply that never comes is a failure
            while True:
                msg = json.loads(await self.ws.recv())
                if msg.get("type") == "reply" and msg.get("id") == rid:
                    return msg
                self._seen(msg)

    def _seen(self, msg: dict) -> None:
        t = msg.get("type")
        if t and t not in self.events:
            self.events[t] = time.time()

    async def cast(self, vote: int, resend: bool) -> dict:
        """Cast (resending after a lost socket, or on ``try_again``); the answer carries
        ``answer_ms``: from the first send to the answer, what the member waits."""
        t0 = time.monotonic()
        ans = await self._cast(vote, resend)
        return {**ans, "answer_ms": (time.monotonic() - t0) * 1000, "resent": resend}

    async def _cast(self, vote: int, resend: bool) -> dict:
        key = f"storm-{vote}-{self.member}"
        data = {"vote": vote, "choice": choice_for(self.member)}
        for attempt in range(20):
            if resend and attempt == 0:
                # Send, then lose the connection before the reply arrives.
                self.n += 1
                frame = {"v": 1, "type": "vote.cast", "id": f"s{self.n}", "key": key, "data": data}
                await self.ws.send(json.dumps(frame))
                await asyncio.sleep(random.random() * 0.02)
                await self.ws.close()
                await self.connect(self.index + 1)  # come back on the other worker
                continue
            ans = await self.request("vote.cast", data, key=key)
            if ans["ok"] or ans["error"]["code"] != "try_again":
                return ans
            await asyncio.sleep(0.1 * (attempt + 1))
        return ans

    async def wait_for(self, type_: str, timeout: float = 120) -> float:
        async with asyncio.timeout(timeout):
            while type_ not in self.events:
                self._seen(json.loads(await self.ws.recv()))
        return self.events[type_]


async def _proc_main(urls, sitting, shard, resend_set, conn) -> None:
    voters = [Voter(urls, i, sitting, m, c) for i, (m, c) in shard]
    sem = asyncio.Semaphore(25)  # connect in waves, as tablets do

    async def connect(v: Voter):
        async with sem:
            await v.connect(v.index)

    opened = await asyncio.gather(*(connect(v) for v in voters), return_exceptions=True)
    voters = [v for v, r in zip(voters, opened, strict=True) if not isinstance(r, BaseException)]
    conn.send(("ready", len(voters)))
    while True:
        cmd, arg = await asyncio.to_thread(conn.recv)  # keep the sockets answering pings
        if cmd == "stop":
            break
        if cmd == "plain":  # baseline: wait for a plain sequenced event on every socket
            type_ = arg
            for v in voters:
                v.events.pop(type_, None)
            conn.send(("armed", None))
            times = await asyncio.gather(
                *(v.wait_for(type_) for v in voters), return_exceptions=True
            )
            conn.send(("times", [t for t in times if isinstance(t, float)]))
        if cmd == "vote":
            vote, window = arg
            answers = await asyncio.gather(
                *(_cast_later(v, vote, window, v.member in resend_set) for v in voters),
                return_exceptions=True,
            )
            answers = [  # a tablet whose cast raised (no reply in time) is a counted failure
                a if isinstance(a, dict) else {"ok": False, "error": {"code": type(a).__name__}}
                for a in answers
            ]
            bad = [a for a in answers if not a["ok"]]
            repeats = sum(1 for a in answers if a.get("repeat"))
            waits = [(a["answer_ms"], a["resent"]) for a in answers if a["ok"] and "answer_ms" in a]
            summary = {"ok": len(answers) - len(bad), "bad": bad[:5], "repeats": repeats}
            conn.send(("cast", summary | {"answer_ms": waits}))
            times = await asyncio.gather(
                *(v.wait_for("vote.closed") for v in voters), return_exceptions=True
            )
            conn.send(("times", [t for t in times if isinstance(t, float)]))
    for v in voters:
        await v.ws.close()


async def _cast_later(v: Voter, vote: int, window: float, resend: bool) -> dict:
    """Cast at a random moment of the window, as members do when the vote opens."""
    await asyncio.sleep(random.random() * window)
    return await v.cast(vote, resend)


def _proc_entry(urls, sitting, shard, resend_set, conn) -> None:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))
    asyncio.run(_proc_main(urls, sitting, shard, resend_set, conn))


class Storm:
    """Coordinator: client processes hold the member sockets; this process holds the clerk's."""

    def __init__(self, urls: list[str], seeded: dict, procs: int = 2, resend: float = 0.1):
        self.urls, self.seeded = urls, seeded
        members = seeded["members"]
        rng = random.Random(7)
        self.resend_set = set(rng.sample([m for m, _ in members], int(len(members) * resend)))
        self.pipes, self.procs = [], []
        ctx = mp.get_context("spawn")
        indexed = list(enumerate((m, c) for m, c in members))
        for p in range(procs):
            shard = [(i, mc) for i, mc in indexed if i % procs == p]
            a, b = ctx.Pipe()
            proc = ctx.Process(
                target=_proc_entry, args=(urls, seeded["sitting"], shard, self.resend_set, b)
            )
            proc.start()
            self.pipes.append(a)
            self.procs.append(proc)
        for a in self.pipes:
            assert _recv(a, 1800)[0] == "ready"
        self.clerk = Voter(urls, 0, seeded["sitting"], 0, seeded["clerk"])

    async def start_clerk(self) -> None:
        await self.clerk.connect(0)

    async def plain_event(self) -> float:
        """Baseline: one plain sequenced event (agenda.step) → last socket, in ms."""
        for a in self.pipes:
            a.send(("plain", "agenda.current"))
        for a in self.pipes:
            assert (await asyncio.to_thread(_recv, a))[0] == "armed"
        direction = "next" if not getattr(self, "_stepped", False) else "previous"
        self._stepped = not getattr(self, "_stepped", False)
        t0 = time.time()
        ans = await self.clerk.request("agenda.step", {"direction": direction})
        assert ans["ok"], ans
        times = [t for a in self.pipes for t in (await asyncio.to_thread(_recv, a))[1]]
        return (max(times, default=t0) - t0) * 1000

    async def vote(self, window: float = 1.0, kind: str = "named") -> dict:
        """Prepare, open, storm, close; returns counts from the clients and the latency."""
        prep = await self.clerk.request(
            "vote.prepare",
            {"item": self.seeded["item"], "question": "风暴表决", "kind": kind},
            key=f"prep-{time.time()}",
        )
        assert prep["ok"], prep
        vote = prep["data"]["vote"]["id"]
        opened = await self.clerk.request("vote.open", {"vote": vote})
        assert opened["ok"], opened
        t_start = time.time()
        mark = os.environ.get("YITING_STORM_MARK")  # for a profiler started beside the bench
        if mark:
            Path(mark).write_text(str(t_start))
        for a in self.pipes:
            a.send(("vote", (vote, window)))
        # Wait in threads: a blocked event loop would leave the clerk's socket unable to
        # answer the server's pings, and Daphne would drop it during a long storm.
        cast = [(await asyncio.to_thread(_recv, a, 1800))[1] for a in self.pipes]
        t_cast = time.time() - t_start
        t0 = time.time()
        closed = await self.clerk.request("vote.close", {"vote": vote})
        assert closed["ok"], closed
        times = [t for a in self.pipes for t in (await asyncio.to_thread(_recv, a, 600))[1]]
        last = max(times, default=t0)
        waits = sorted(w for c in cast for w, _ in c["answer_ms"])
        sent_once = sorted(w for c in cast for w, resent in c["answer_ms"] if not resent)
        resent = sorted(w for c in cast for w, again in c["answer_ms"] if again)
        return {
            "ballot_answer_p50_ms": round(_quantile(waits, 0.50), 1),
            "ballot_answer_p99_ms": round(_quantile(waits, 0.99), 1),
            # the same, for the ballots sent once, and for those whose socket was dropped
            # right after sending (reconnect, resync and resend on the other worker)
            "sent_once_p50_ms": round(_quantile(sent_once, 0.50), 1),
            "sent_once_p99_ms": round(_quantile(sent_once, 0.99), 1),
            "resent_p50_ms": round(_quantile(resent, 0.50), 1),
            "resent_p99_ms": round(_quantile(resent, 0.99), 1),
            "ballot_answer_max_ms": round(waits[-1], 1) if waits else None,
            "tablets_with_result": len(times),
            "vote": vote,
            "acked": sum(c["ok"] for c in cast),
            "repeats": sum(c["repeats"] for c in cast),
            "refused": [b for c in cast for b in c["bad"]],
            "all_acked_s": round(t_cast, 2),
            "close_to_last_result_ms": round((last - t0) * 1000, 1),
            "cast_in_result": closed["data"]["result"]["cast"],
        }

    def stop(self) -> None:
        for a in self.pipes:
            with contextlib.suppress(Exception):  # the process may be gone already
                a.send(("stop", None))
        for p in self.procs:
            p.join(timeout=20)
            if p.is_alive():
                p.kill()


def _quantile(sorted_values: list[float], q: float) -> float:
    """The q-quantile by nearest rank (no interpolation); NaN when nothing was measured."""
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def _recv(conn, timeout: float = 300):
    if not conn.poll(timeout):
        raise TimeoutError("a client process did not answer")
    return conn.recv()
