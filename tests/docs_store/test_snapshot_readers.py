"""The snapshot's documents part is read once per batch and filtered per reader.

The filter must be exactly the access matrix: for every kind of reader the shared,
cached snapshot lists the same documents, with the same links, as the reader's own
listing (``catalog.listing``, which looks the login up), and a reader not entitled to a
confidential paper never sees it — not even when a clerk's view of the same shared read
was made first.
"""

from __future__ import annotations

import dataclasses
import json
import time

import pytest
from django.contrib.auth import get_user_model

from docs_store.services import catalog
from realtime import snapshot
from realtime.consumers import arrive
from realtime.protocol import decode
from realtime.runner import run_command

pytestmark = pytest.mark.django_db(transaction=True)


def _sync(user, sitting_id: int, live_since: float) -> dict:
    """A socket's connect (its own lookup) and the sync sent right after it."""
    code, ctx, _ = arrive(user, sitting_id, f"test.{user.pk}")
    assert code is None
    ctx = dataclasses.replace(ctx, live_since=live_since)
    frame = json.dumps({"type": "sync", "id": "s", "data": {"last_seq": 0}})
    answer = run_command(ctx, decode(frame, 65536))
    assert answer["ok"], answer
    return dict(answer["data"]["snapshot"])


def _readers(committee):
    admin = get_user_model().objects.create_superuser("root", password="x")  # no member row
    return {
        "clerk": committee.clerk.user,
        "root": admin,
        "chair": committee.chair.user,
        "m1": committee.members[0].user,  # group A
        "m3": committee.members[2].user,  # group A
        "staff": committee.staff.user,
        "display": committee.display.user,
    }


@pytest.mark.parametrize("sitting", ["group_a_sitting", "plenary"])
def test_every_reader_sees_exactly_their_own_listing(committee, docs, sitting):
    sitting = getattr(committee, sitting)
    readers = _readers(committee)
    snapshot.SHARED_READS.clear()
    reads = snapshot.SHARED_READS.reads
    # two rounds: the first socket of each role makes the shared read; the second round
    # reuses it (live before it began), so every view below comes from a shared read
    before = time.monotonic()
    for _ in range(2):
        seen = {who: _sync(user, sitting.pk, before) for who, user in readers.items()}
    assert snapshot.SHARED_READS.reads - reads == len(
        {"clerk", "chair", "member", "staff", "display"}
    )
    for who, user in readers.items():
        assert seen[who]["documents"] == catalog.listing(sitting, user.pk), who


def test_no_confidential_paper_for_those_not_entitled(committee, docs):
    sitting = committee.group_a_sitting
    readers = _readers(committee)
    snapshot.SHARED_READS.clear()
    before = time.monotonic()
    ids = {
        who: {d["id"] for d in _sync(user, sitting.pk, before)["documents"]["documents"]}
        for who, user in readers.items()
    }
    for who in ("clerk", "root", "chair", "m1", "m3"):
        assert docs.secret.pk in ids[who], who
    for who in ("staff", "display"):
        assert docs.secret.pk not in ids[who], who
    assert ids["display"] == {docs.public.pk}
    assert docs.draft.pk in ids["clerk"] and docs.draft.pk not in ids["m1"]


def test_one_shared_read_filtered_for_a_clerk_then_a_display(committee, docs):
    """The same shared data, viewed first as a clerk: a display's view still omits it."""
    from core.roster import standing_of

    sitting = committee.group_a_sitting
    snapshot.SHARED_READS.clear()
    _, clerk_ctx, _ = arrive(committee.clerk.user, sitting.pk, "t.c")
    entry = snapshot.SHARED_READS.get(clerk_ctx, ["documents"], time.monotonic())
    as_clerk = json.loads(entry.view("documents", clerk_ctx))
    display = committee.display.user
    display_ctx = dataclasses.replace(
        clerk_ctx,
        user_id=display.pk,
        role="display",
        member_id=committee.display.pk,
        standing=standing_of(display.pk, sitting.pk),
    )
    member_ctx = dataclasses.replace(
        clerk_ctx,
        user_id=committee.members[0].user_id,
        role="member",
        member_id=committee.members[0].pk,
        standing=standing_of(committee.members[0].user_id, sitting.pk),
    )
    as_display = json.loads(entry.view("documents", display_ctx))
    as_member = json.loads(entry.view("documents", member_ctx))
    assert docs.secret.pk in {d["id"] for d in as_clerk["documents"]}
    assert [d["id"] for d in as_display["documents"]] == [docs.public.pk]
    secret = next(d for d in as_member["documents"] if d["id"] == docs.secret.pk)
    assert secret["pdf_url"] is None  # a member reads it as watermarked pages only
    assert as_member == catalog.listing(sitting, committee.members[0].user_id)
