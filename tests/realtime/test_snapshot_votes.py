"""The votes part of a resync snapshot after a named round closed and a secret one opened.

A review reported a socket syncing from ``last_seq`` 0 that was shown the closed named
round as still open. A snapshot read fresh is exact for every role (``open`` is the
secret round, ``latest`` the named one with its result); a shared read cached earlier is
exact too when nothing happened since. A shared read begun *before* the close is served
only at its own ``seq``, and the journal after that ``seq`` is exactly the close, the
prepare and the open, which a socket live before the read receives as events (the client
holds them until the answer). A socket that was synced already, applied those events and
then asks again must not be sent that older read: it would lose them
(``test_the_same_socket_syncing_again_is_not_sent_an_older_read``, over real sockets).
"""

from __future__ import annotations

import dataclasses
import json
import time

import pytest
from asgiref.sync import sync_to_async

from harness.actors import CLERK
from meeting.voting import services
from meeting.voting.models import Vote
from meeting.voting.services.payloads import result_payload
from realtime import snapshot
from realtime.consumers import arrive
from realtime.models import SittingEvent
from realtime.protocol import decode
from realtime.runner import run_command
from tests.meeting.voting.conftest import check_in

pytestmark = pytest.mark.django_db(transaction=True)

ROLES = ("member", "clerk", "display")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def room(committee):
    """The plenary with the chair and m1..m6 checked in (quorum reached)."""
    committee.voters = [committee.chair, *committee.members[:6]]
    check_in(committee.plenary, committee.voters)
    committee.item = committee.plenary.agenda_items.order_by("order").first()
    committee.users = {
        "member": committee.members[0].user,  # m1: casts in the named round
        "clerk": committee.clerk.user,
        "display": committee.display.user,
    }
    snapshot.SHARED_READS.clear()
    yield committee
    snapshot.SHARED_READS.clear()


def _prepare(room, kind: str, question: str) -> Vote:
    spec = services.VoteSpec(item_id=room.item.pk, question=question, kind=kind)
    return services.prepare(room.plenary.pk, spec, by_user_id=room.clerk.user_id, actor=CLERK)


def _open(room, kind: str, question: str) -> Vote:
    vote = _prepare(room, kind, question)
    return services.open_vote(room.plenary.pk, vote.pk, actor=CLERK)


def _named_round_closed(room):
    """A named round: opened, three ballots (m1 yes, m2 no, m3 yes), closed."""
    named = _open(room, Vote.Kind.NAMED, "关于《数据条例（草案）》的表决")
    s = room.plenary.pk
    for member, choice in zip(room.members[:3], ["yes", "no", "yes"], strict=True):
        services.cast(s, named.pk, member.pk, choice=choice)
    result = services.close_vote(s, named.pk, actor=CLERK)
    return named, result


def _sync(user, sitting_id: int, live_since: float) -> tuple[int, dict]:
    """A socket's connect (its own lookup) and its ``sync`` from 0: (seq, votes part)."""
    code, ctx, _ = arrive(user, sitting_id, f"test.{user.pk}")
    assert code is None
    ctx = dataclasses.replace(ctx, live_since=live_since)
    frame = json.dumps({"type": "sync", "id": "s", "data": {"last_seq": 0}})
    answer = run_command(ctx, decode(frame, 65536))
    assert answer["ok"], answer
    assert answer["data"]["mode"] == "snapshot"
    return answer["data"]["seq"], json.loads(json.dumps(answer["data"]["snapshot"]["votes"]))


def _wire(value):
    return json.loads(json.dumps(value, default=str))


def _state(room) -> int:
    room.plenary.refresh_from_db()
    return room.plenary.event_seq


def _assert_named_closed_secret_open(room, role, votes, named, secret, result):
    """Exactly: the secret round open, the named one closed with its result."""
    assert votes["open"] is not None, role
    assert votes["open"]["vote"]["id"] == secret.pk, role
    assert votes["open"]["vote"]["state"] == Vote.State.OPEN, role
    assert votes["open"]["vote"]["kind"] == Vote.Kind.SECRET, role
    assert "result" not in votes["open"], role
    latest = votes["latest"]
    assert latest["vote"]["id"] == named.pk, role
    assert latest["vote"]["state"] == Vote.State.CLOSED, role
    assert latest["vote"]["closed_at"] is not None, role
    expected = _wire(result_payload(result, with_named=False))
    got = {k: v for k, v in latest["result"].items() if k not in ("named", "named_available")}
    assert got == expected, role
    assert got["questions"][0]["counts"] == {"yes": 2, "no": 1, "abstain": 0}, role
    assert got["cast"] == 3, role
    if role == "clerk":
        assert latest["result"]["named_available"] is True
        assert [n["member"] for n in latest["result"]["named"]] == [m.pk for m in room.members[:3]]
        states = {h["id"]: h["state"] for h in votes["history"]}
        assert states == {named.pk: Vote.State.CLOSED, secret.pk: Vote.State.OPEN}
        assert votes["prepared"] == []
        # the running count of the secret round: who cast, never what
        assert votes["open"]["progress"]["cast"] == 0
        assert "counts" not in votes["open"]["progress"]
    else:
        assert "history" not in votes and "prepared" not in votes, role
    if role == "member":  # m1 cast yes in the named round, nothing yet in the secret one
        assert votes["open"]["mine"] == {"cast": False}
        line = str(named.questions.get().pk)
        assert latest["mine"]["cast"] is True and latest["mine"]["choices"] == {line: "yes"}
    if role == "display":
        assert votes["open"]["progress"] == {"cast": 0}  # the wall's count, no tally


def test_fresh_snapshot_after_close_then_open(room):
    """Each role syncs from 0 after the close and the open: a read of its own, exact."""
    named, result = _named_round_closed(room)
    secret = _open(room, Vote.Kind.SECRET, "关于任命事项的无记名表决")
    now = _state(room)
    for role in ROLES:
        seq, votes = _sync(room.users[role], room.plenary.pk, time.monotonic())
        assert seq == now, role
        _assert_named_closed_secret_open(room, role, votes, named, secret, result)


def test_cached_shared_read_shows_the_same(room):
    """Two rounds of sockets live before the first read: the second reuses it, exactly."""
    named, result = _named_round_closed(room)
    secret = _open(room, Vote.Kind.SECRET, "关于任命事项的无记名表决")
    now = _state(room)
    reads = snapshot.SHARED_READS.reads
    before = time.monotonic()
    for _ in range(2):
        for role in ROLES:
            seq, votes = _sync(room.users[role], room.plenary.pk, before)
            assert seq == now, role
            _assert_named_closed_secret_open(room, role, votes, named, secret, result)
    assert snapshot.SHARED_READS.reads - reads == len(ROLES)  # one read per role


def test_sync_between_the_close_and_the_open(room):
    """Synced after the close (nothing open), and again after the open."""
    named, result = _named_round_closed(room)
    closed_seq = _state(room)
    for role in ROLES:
        seq, votes = _sync(room.users[role], room.plenary.pk, time.monotonic())
        assert seq == closed_seq, role
        assert votes["open"] is None, role
        assert votes["latest"]["vote"]["id"] == named.pk, role
        assert votes["latest"]["vote"]["state"] == Vote.State.CLOSED, role
        assert votes["latest"]["result"]["questions"][0]["counts"] == {
            "yes": 2,
            "no": 1,
            "abstain": 0,
        }, role
    secret = _open(room, Vote.Kind.SECRET, "关于任命事项的无记名表决")
    now = _state(room)
    for role in ROLES:  # sockets that went live after that read: a new read, exact
        seq, votes = _sync(room.users[role], room.plenary.pk, time.monotonic())
        assert seq == now, role
        _assert_named_closed_secret_open(room, role, votes, named, secret, result)


def test_a_read_begun_before_the_close_is_consistent_at_its_seq(room):
    """A socket live before a shared read of the open named round, whose first sync comes
    after the close and the open: it is served that read, but at that read's ``seq``
    (where the named round *was* open), and the journal after that ``seq`` is exactly the
    close, the prepare and the open, which reached the socket as events (live before the
    read)."""
    named = _open(room, Vote.Kind.NAMED, "关于《数据条例（草案）》的表决")
    s = room.plenary.pk
    for member, choice in zip(room.members[:3], ["yes", "no", "yes"], strict=True):
        services.cast(s, named.pk, member.pk, choice=choice)
    open_seq = _state(room)
    before = time.monotonic()
    for role in ROLES:  # the first round: reads while the named round is open
        seq, votes = _sync(room.users[role], s, before)
        assert seq == open_seq and votes["open"]["vote"]["id"] == named.pk, role
    services.close_vote(s, named.pk, actor=CLERK)
    secret = _open(room, Vote.Kind.SECRET, "关于任命事项的无记名表决")
    for role in ROLES:  # live before that read: shared with it, at its own seq
        seq, votes = _sync(room.users[role], s, before)
        assert seq == open_seq, role
        assert votes["open"]["vote"]["id"] == named.pk, role
        assert votes["open"]["vote"]["state"] == Vote.State.OPEN, role
    journal = list(
        SittingEvent.objects.filter(sitting_id=s, seq__gt=open_seq)
        .order_by("seq")
        .values_list("type", "payload")
    )
    assert [(t, p["vote"]["id"], p["vote"]["state"]) for t, p in journal] == [
        ("vote.closed", named.pk, Vote.State.CLOSED),
        ("vote.prepared", secret.pk, Vote.State.PREPARED),
        ("vote.opened", secret.pk, Vote.State.OPEN),
    ]
    for role in ROLES:  # a socket live after the close and the open: read again, exact
        seq, votes = _sync(room.users[role], s, time.monotonic())
        assert seq == _state(room), role
        assert votes["open"]["vote"]["id"] == secret.pk, role
        assert votes["latest"]["vote"]["id"] == named.pk, role


@pytest.mark.parametrize("again", ["from_0", "ahead"])
async def test_the_same_socket_syncing_again_is_not_sent_an_older_read(room, connect, again):
    """One socket per role, synced while the named round was open; after the close and
    the open (applied as events) each sends ``sync`` again, from 0 or (a client ahead of
    the server after a restore, which the real client does) from past the sitting's seq:
    the answer must not be the shared read made for its first sync (the named round
    open, at a seq older than the events the socket has applied)."""
    s = room.plenary.pk
    named = await sync_to_async(_open)(room, Vote.Kind.NAMED, "关于《数据条例（草案）》的表决")
    socks = {role: await connect(room.users[role], s) for role in ROLES}
    for role, sock in socks.items():
        r = await sock.request("sync", {"last_seq": 0})
        assert r["data"]["snapshot"]["votes"]["open"]["vote"]["id"] == named.pk, role

    def close_and_open():
        for member, choice in zip(room.members[:3], ["yes", "no", "yes"], strict=True):
            services.cast(s, named.pk, member.pk, choice=choice)
        result = services.close_vote(s, named.pk, actor=CLERK)
        return result, _open(room, Vote.Kind.SECRET, "关于任命事项的无记名表决")

    result, secret = await sync_to_async(close_and_open)()
    for role, sock in socks.items():  # the events reached the socket (it applied them)
        closed = await sock.event("vote.closed")
        opened = await sock.event("vote.opened")
        assert (closed["data"]["vote"]["id"], opened["data"]["vote"]["id"]) == (
            named.pk,
            secret.pk,
        ), role
    now = await sync_to_async(_state)(room)
    last_seq = 0 if again == "from_0" else now + 5
    for role, sock in socks.items():
        r = await sock.request("sync", {"last_seq": last_seq})
        assert r["data"]["mode"] == "snapshot", role
        assert r["data"]["seq"] == now, role
        votes = r["data"]["snapshot"]["votes"]
        await sync_to_async(_assert_named_closed_secret_open)(
            room, role, votes, named, secret, result
        )


async def test_a_first_sync_served_an_older_read_gets_the_rest_as_events(room, connect):
    """m1's socket is live; m2's sync makes the members' shared read (the named round
    open); the round closes and a secret one opens; only then does m1 send its first
    sync. It is served m2's read, at that read's seq, and holds every later event: applied
    in order as the client does, they leave it exactly current."""
    s = room.plenary.pk
    named = await sync_to_async(_open)(room, Vote.Kind.NAMED, "关于《数据条例（草案）》的表决")
    m1 = await connect(room.members[0].user, s)
    m2 = await connect(room.members[1].user, s)
    first = await m2.request("sync", {"last_seq": 0})
    assert first["data"]["snapshot"]["votes"]["open"]["vote"]["id"] == named.pk

    def close_and_open():
        services.close_vote(s, named.pk, actor=CLERK)
        return _open(room, Vote.Kind.SECRET, "关于任命事项的无记名表决")

    secret = await sync_to_async(close_and_open)()
    now = await sync_to_async(_state)(room)
    r = await m1.request("sync", {"last_seq": 0})
    seq, votes = r["data"]["seq"], r["data"]["snapshot"]["votes"]
    assert seq == first["data"]["seq"] < now  # the shared read, at its own seq
    assert votes["open"]["vote"]["id"] == named.pk
    held = [await m1.event() for _ in range(now - seq)]  # buffered by the client meanwhile
    assert [e["seq"] for e in held] == list(range(seq + 1, now + 1))
    assert [(e["type"], e["data"]["vote"]["id"]) for e in held] == [
        ("vote.closed", named.pk),
        ("vote.prepared", secret.pk),
        ("vote.opened", secret.pk),
    ]
    # applied as the client applies them: the named round closed, the secret one open
    state = {"open": votes["open"]["vote"], "latest": None}
    for e in held:
        if e["type"] == "vote.closed":
            state = {"open": None, "latest": e["data"]["vote"]}
        elif e["type"] == "vote.opened":
            state["open"] = e["data"]["vote"]
    assert (state["open"]["id"], state["open"]["state"]) == (secret.pk, Vote.State.OPEN)
    assert (state["latest"]["id"], state["latest"]["state"]) == (named.pk, Vote.State.CLOSED)
