"""The room's tablets for the multi-host tests: sockets that notice a dead path and come back.

A tablet here behaves like ``frontend/static/yiting/client.js`` where it matters for a
fault: it keeps its last sequence number, resyncs on every (re)connect with ``sync``
(replay or snapshot), treats a gap as a reason to resync, and resends an idempotent
command with the same key after a reconnect. It adds what a dead *path* needs: a
heartbeat (WebSocket ping through nginx to the worker, cheap for the server), so a
tablet whose worker host vanished behind nginx — the socket to nginx stays open, nobody
answers behind it — closes it and reconnects through nginx within seconds.

Run these in the room's loop (``Topology.room.run``): their sockets then leave from the
``room`` host's address.

The committee is seeded straight into the database (``SEED``; one password hash, one
session row per member): logging 1,000 members in through the form would take minutes
and test nothing of this suite. ``NEW_SITTING`` makes a fresh plenary (a distributed
document, everyone checked in) and a group sitting of the first ``speakers`` members for
each test, so tests sharing one topology do not share a sitting.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import random
import time

import websockets

SEED = """
import datetime as dt
from django.contrib.auth import get_user_model, BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.backends.db import SessionStore
from core.models import Committee, DeliberationGroup, Member, Term
N = {n}
User = get_user_model()
pw = make_password('multihost')
c = Committee.objects.create(name='多机测试常委会', short_name='多机')
term = Term.objects.create(committee=c, name='第一届', starts_on=dt.date(2025, 1, 1), is_current=True)
group = DeliberationGroup.objects.create(term=term, name='第一组', order=1)
User.objects.bulk_create([User(username=f'w{{i:05d}}', password=pw) for i in range(N)]
    + [User(username='clerk', password=pw)])
users = list(User.objects.filter(username__startswith='w').order_by('username'))
Member.objects.bulk_create([Member(user=u, term=term, full_name=f'委员{{i}}', role='member',
    seat=f'{{i + 1:05d}}', group=group if i < {speakers} else None) for i, u in enumerate(users)])
Member.objects.create(user=User.objects.get(username='clerk'), term=term, full_name='秘书', role='clerk')

def cookie(u):
    st = SessionStore()
    st[SESSION_KEY] = str(u.pk)
    st[BACKEND_SESSION_KEY] = 'django.contrib.auth.backends.ModelBackend'
    st[HASH_SESSION_KEY] = u.get_session_auth_hash()
    st.create()
    return 'sessionid=' + st.session_key

members = list(Member.objects.filter(term=term, role='member').select_related('user').order_by('seat'))
result = {{'term': term.pk, 'group': group.pk,
          'clerk': cookie(User.objects.get(username='clerk')),
          'clerks': [cookie(User.objects.get(username='clerk')) for _ in range(8)],
          'members': [[m.pk, cookie(m.user)] for m in members]}}
"""

NEW_SITTING = """
from django.utils import timezone
from core.models import AgendaItem, Attendance, Member, Session, Sitting, Term
from harness.documents import distributed, numbered_pdf
term = Term.objects.get(pk={term})
n = Session.objects.filter(term=term).count() + 1
session = Session.objects.create(term=term, number=n, title=f'第{{n}}次会议',
                                 starts_on=timezone.localdate(), state='open')
s = Sitting.objects.create(session=session, kind='plenary', title='全体会议',
                           starts_at=timezone.now(), state='live')
item = AgendaItem.objects.create(sitting=s, order=1, title='条例草案')
AgendaItem.objects.create(sitting=s, order=2, title='决定草案')
g = Sitting.objects.create(session=session, kind='group', group_id={group}, title='分组会议',
                           starts_at=timezone.now(), state='live')
AgendaItem.objects.create(sitting=g, order=1, title='条例草案')
members = list(Member.objects.filter(term=term, role='member'))
now = timezone.now()
Attendance.objects.bulk_create([Attendance(sitting=s, member=m, checked_in_at=now, method='clerk')
                                for m in members])
doc = distributed(s, numbered_pdf(12), '条例草案（草案）', item=item)
result = {{'sitting': s.pk, 'group_sitting': g.pk, 'item': item.pk, 'doc': doc.pk}}
"""

TRUTH = """
from django.db.models import Count
from core.models import Sitting
from meeting.voting.models import AuditEntry, Ballot, NamedChoice, Vote
s = Sitting.objects.get(pk={sitting})
result = {{'seq': s.event_seq}}
if {vote}:
    v = Vote.objects.get(pk={vote})
    result['ballots'] = Ballot.objects.filter(vote=v).count()
    result['audit_ballots'] = AuditEntry.objects.filter(vote=v, kind='ballot').count()
    result['doubled'] = (Ballot.objects.filter(vote=v).values('member_id')
                         .annotate(n=Count('id')).filter(n__gt=1).count())
    result['choices'] = {{str(k): o for k, o in NamedChoice.objects.filter(ballot__vote=v)
                          .values_list('ballot__member_id', 'option')}}
"""

OPTIONS = ("yes", "no", "abstain")


def choice_for(member_id: int) -> str:
    """A fixed choice per member, so every stored ballot can be checked one by one."""
    return OPTIONS[member_id % 3]


class Gone(Exception):
    """The tablet could not get back within its deadline."""


class Tablet:
    """One seat's socket through nginx: heartbeat, reconnect, resync, resend by key."""

    def __init__(
        self,
        base: str,
        sitting: int,
        cookie: str,
        member: int | None = None,
        *,
        heartbeat: float = 2.0,
        reconnect_within: float = 120.0,
    ) -> None:
        self.url = base.replace("http://", "ws://") + f"/ws/sittings/{sitting}/"
        self.sitting = sitting
        self.origin, self.cookie, self.member = base, cookie, member
        self.heartbeat, self.reconnect_within = heartbeat, reconnect_within
        self.ws = None
        self.seq = 0
        self.server: str | None = None
        self.servers: list[str] = []  # every worker this tablet was welcomed by
        self.presenter: dict | None = None  # the page it shows (presenter state)
        self.last: dict[str, dict] = {}  # the latest data of each sequenced event type
        self.seen: list[int] = []  # the seqs it applied live or by replay
        self.snapshots = 0
        self.reconnects = 0
        self.refusals: collections.Counter = collections.Counter()  # error codes answered
        self.resynced_at: float | None = None  # when the last (re)connect finished its sync
        self.synced = asyncio.Event()
        self._pending: dict[str, asyncio.Future] = {}
        self._buffer: list[dict] = []
        self._n = 0
        self._reader: asyncio.Task | None = None
        self._watch: asyncio.Task | None = None
        self._closing = False
        self._lock = asyncio.Lock()

    # -- the socket ------------------------------------------------------------------------
    async def connect(self) -> None:
        """Open the socket and sync (first connect, or a reconnect after a drop)."""
        self.synced.clear()
        ws = await websockets.connect(
            self.url,
            additional_headers={"Cookie": self.cookie},
            origin=self.origin,
            open_timeout=20,
            ping_interval=self.heartbeat,  # the heartbeat: no pong in time, the socket is dead
            ping_timeout=self.heartbeat * 1.5,
            close_timeout=1,
            max_size=2**24,
            max_queue=None,
        )
        async with asyncio.timeout(20):
            welcome = json.loads(await ws.recv())
        self.ws = ws
        self.server = welcome["data"]["server"]
        self.servers.append(self.server)
        self._buffer = []
        self._reader = asyncio.create_task(self._read(ws))
        await self._sync()

    async def _sync(self) -> None:
        ans = await self.request("sync", {"last_seq": self.seq}, raw=True)
        if not ans["ok"]:
            raise ConnectionError(f"sync refused: {ans['error']}")
        data = ans["data"]
        if data["mode"] == "snapshot":
            self.snapshots += 1
            self.seq = data["seq"]
            self.presenter = _page(data["snapshot"].get("presenter"))
        else:
            for ev in data["events"]:
                self._apply(ev)
            self.seq = max(self.seq, data["seq"])
        buffered, self._buffer = self._buffer, []
        self.synced.set()
        self.resynced_at = time.monotonic()
        for ev in buffered:
            self._apply(ev)

    async def _read(self, ws) -> None:
        try:
            async for text in ws:
                msg = json.loads(text)
                if msg.get("type") == "reply":
                    fut = self._pending.pop(msg.get("id"), None)
                    if fut is not None and not fut.done():
                        fut.set_result(msg)
                elif msg.get("seq") is not None:
                    if self.synced.is_set():
                        self._apply(msg)
                    else:
                        self._buffer.append(msg)
        except websockets.ConnectionClosed:
            pass
        finally:
            self._lost(ws)

    def _lost(self, ws) -> None:
        if ws is not self.ws:
            return
        self.synced.clear()
        for fut in self._pending.values():
            if not fut.done():
                fut.set_exception(ConnectionError("socket lost"))
        self._pending.clear()
        if not self._closing and (self._watch is None or self._watch.done()):
            self._watch = asyncio.create_task(self._come_back())

    async def _come_back(self) -> None:
        """Reconnect through nginx with jittered backoff (as client.js), within a deadline."""
        deadline = time.monotonic() + self.reconnect_within
        attempt = 0
        while not self._closing:
            await asyncio.sleep(random.random() * min(2.0, 0.25 * 2**attempt))
            attempt += 1
            try:
                async with self._lock:
                    await self.connect()
                self.reconnects += 1
                return
            except Exception:
                with contextlib.suppress(Exception):
                    if self.ws is not None:
                        self.ws.transport.abort()
                if time.monotonic() > deadline:
                    return

    def _apply(self, ev: dict) -> None:
        seq = ev["seq"]
        if seq <= self.seq:
            return
        if seq != self.seq + 1:  # a gap: resync from where we are (client.js does the same)
            self.synced.clear()
            self._buffer = [ev]
            asyncio.get_running_loop().create_task(self._resync_gap())
            return
        self.seq = seq
        self.seen.append(seq)
        self.last[ev["type"]] = ev.get("data") or {}
        if ev["type"] == "presenter.page":
            self.presenter = _page(ev.get("data"))

    async def _resync_gap(self) -> None:
        with contextlib.suppress(Exception):
            await self._sync()

    # -- commands ------------------------------------------------------------------------------
    async def request(
        self, type_: str, data: dict | None = None, key: str | None = None, *, raw: bool = False,
        timeout: float = 30,
    ) -> dict:  # fmt: skip
        """Send one command on the current socket and wait for its reply (bounded)."""
        if not raw:
            async with asyncio.timeout(timeout):
                await self.synced.wait()
        self._n += 1
        rid = f"t{self._n}"
        frame = {"v": 1, "type": type_, "id": rid, "data": data or {}}
        if key:  # keys are the user's (the clerk's span tests): scoped to the sitting here
            frame["key"] = f"s{self.sitting}:{key}"
        fut = asyncio.get_running_loop().create_future()
        self._pending[rid] = fut
        await self.ws.send(json.dumps(frame))
        async with asyncio.timeout(timeout):
            return await fut

    async def command(self, type_: str, data: dict, key: str, *, within: float = 120.0) -> dict:
        """An idempotent command: resent with the same key after a drop or ``try_again``,
        until answered (or ``within`` seconds pass). Returns the answer and how it went."""
        deadline = time.monotonic() + within
        tries = 0
        while True:
            tries += 1
            try:
                ans = await self.request(type_, data, key=key, timeout=10)
                if not ans["ok"]:
                    self.refusals[ans["error"]["code"]] += 1
                if ans["ok"] or ans["error"]["code"] != "try_again":
                    ans["tries"] = tries
                    return ans
            except (ConnectionError, TimeoutError, websockets.ConnectionClosed):
                pass
            if time.monotonic() > deadline:
                raise Gone(f"{type_} not answered within {within}s")
            await asyncio.sleep(min(2.0, 0.1 * 2**tries) * (0.5 + random.random() / 2))

    async def cast(self, vote: int) -> dict:
        return await self.command(
            "vote.cast",
            {"vote": vote, "choice": choice_for(self.member)},
            key=f"mh-ballot-{vote}-{self.member}",
        )

    async def live(self, timeout: float = 60) -> None:
        """Wait until this tablet is synced on a working socket."""
        async with asyncio.timeout(timeout):
            await self.synced.wait()

    async def close(self) -> None:
        self._closing = True
        for task in (self._watch,):
            if task is not None and not task.done():
                task.cancel()
        if self.ws is not None:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(3):
                    await self.ws.close()
            with contextlib.suppress(Exception):
                self.ws.transport.abort()


def _page(presenter: dict | None) -> dict | None:
    if not presenter or not presenter.get("document"):
        return None
    return {"document": presenter["document"], "page": presenter["page"]}


def host_of(server: str | None) -> str:
    """``app1`` for a worker named ``app1:<pid>``."""
    return (server or "").split(":", 1)[0]


async def connect_all(tablets: list[Tablet], concurrency: int = 50) -> None:
    """Connect every tablet, a wave at a time (as a room switching on), bounded per tablet."""
    sem = asyncio.Semaphore(concurrency)

    async def one(t: Tablet) -> None:
        async with sem:
            for attempt in range(10):
                try:
                    await t.connect()
                    return
                except Exception:
                    await asyncio.sleep(0.2 * (attempt + 1))
            await t.connect()  # the last try raises

    await asyncio.gather(*(one(t) for t in tablets))


async def close_all(tablets: list[Tablet]) -> None:
    await asyncio.gather(*(t.close() for t in tablets), return_exceptions=True)


async def all_at(tablets: list[Tablet], seq: int, timeout: float = 60) -> float:
    """Wait until every tablet is synced at ``seq``; returns when the last got there."""
    async with asyncio.timeout(timeout):
        while not all(t.synced.is_set() and t.seq >= seq for t in tablets):
            await asyncio.sleep(0.05)
    return time.monotonic()
