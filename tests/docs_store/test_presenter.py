"""Presenter mode: who may flip, page bounds, the state as truth, events and snapshots."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async

from core.errors import DomainError
from core.models import AgendaItem, Sitting
from docs_store.models import PresenterState
from docs_store.services import presenter
from docs_store.services.distribution import recall
from harness.actors import CLERK
from realtime.models import SittingEvent

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def paper(committee, upload, pdf_bytes, rendered):
    item = committee.plenary.agenda_items.get(order=1)
    [doc] = upload(("bill.pdf", pdf_bytes(5, "bill")), item=item, distribute=True)
    rendered()
    return doc


def who(member, role):
    return {"user_id": member.user_id, "role": role, "member_id": member.pk}


def seq(sitting) -> int:
    return Sitting.objects.get(pk=sitting.pk).event_seq


def test_clerk_opens_and_flips_and_every_change_is_an_event(committee, paper):
    sid = committee.plenary.pk
    clerk = who(committee.clerk, "clerk")
    before = seq(committee.plenary)
    state = presenter.open_document(sid, document=paper.pk, page=1, **clerk)
    assert (state["document"], state["page"], state["pages"]) == (paper.pk, 1, 5)
    presenter.flip(sid, page=3, **clerk)
    presenter.flip(sid, page=3, **clerk)  # same page: nothing to announce
    events = list(SittingEvent.objects.filter(sitting_id=sid, seq__gt=before).order_by("seq"))
    assert [(e.type, e.payload["page"]) for e in events] == [
        ("presenter.page", 1),
        ("presenter.page", 3),
    ]
    assert PresenterState.objects.get(sitting_id=sid).page == 3  # the row is the truth


def test_page_out_of_range_is_refused_and_changes_nothing(committee, paper):
    sid, clerk = committee.plenary.pk, who(committee.clerk, "clerk")
    presenter.open_document(sid, document=paper.pk, page=2, **clerk)
    before = seq(committee.plenary)
    for bad in (0, 6, 1000):
        with pytest.raises(DomainError) as err:
            presenter.flip(sid, page=bad, **clerk)
        assert err.value.code == "no_such_page" and err.value.details["pages"] == 5
    assert presenter.current(sid)["page"] == 2 and seq(committee.plenary) == before


def test_members_may_not_flip_unless_presenting_the_current_item(committee, paper):
    sid = committee.plenary.pk
    m1 = committee.members[0]
    with pytest.raises(DomainError) as err:
        presenter.open_document(sid, document=paper.pk, **who(m1, "member"))
    assert err.value.code == "forbidden"
    item = AgendaItem.objects.get(sitting_id=sid, order=1)
    AgendaItem.objects.filter(pk=item.pk).update(presenter=m1, state="current")
    assert presenter.open_document(sid, document=paper.pk, **who(m1, "member"))["page"] == 1
    with pytest.raises(DomainError):
        presenter.flip(sid, page=2, **who(committee.members[2], "member"))
    for role in ("staff", "display"):
        with pytest.raises(DomainError):
            presenter.flip(sid, page=2, **who(committee.staff, role))


def test_only_this_sittings_distributed_documents(committee, paper, upload, pdf_bytes):
    clerk = who(committee.clerk, "clerk")
    with pytest.raises(DomainError) as err:  # plenary paper in group B's sitting
        presenter.open_document(committee.group_b_sitting.pk, document=paper.pk, **clerk)
    assert err.value.code == "not_found"
    [draft] = upload(("draft.pdf", pdf_bytes(2)))
    with pytest.raises(DomainError) as err:
        presenter.open_document(committee.plenary.pk, document=draft.pk, **clerk)
    assert err.value.code == "not_distributed"
    with pytest.raises(DomainError) as err:
        presenter.open_document(committee.plenary.pk, document=10**6, **clerk)
    assert err.value.code == "not_found"
    with pytest.raises(DomainError) as err:
        presenter.flip(committee.group_b_sitting.pk, page=1, **clerk)
    assert err.value.code == "no_document_open"


def test_recall_stops_the_presenter(committee, paper):
    sid = committee.plenary.pk
    presenter.open_document(sid, document=paper.pk, page=4, **who(committee.clerk, "clerk"))
    recall(committee.session, by=committee.clerk.user, actor=CLERK)
    assert presenter.current(sid)["document"] is None
    last = SittingEvent.objects.filter(sitting_id=sid).order_by("-seq")[:2]
    assert {e.type for e in last} == {"presenter.page", "documents.changed"}


async def test_flip_reaches_following_sockets_and_late_joiners(committee, paper, connect):
    sid = committee.plenary.pk
    clerk = await connect(committee.clerk.user, sid)
    m1 = await connect(committee.members[0].user, sid)
    reply = await clerk.request("presenter.open", {"document": paper.pk, "page": 1})
    assert reply["ok"], reply
    reply = await clerk.request("presenter.flip", {"page": 3})
    assert reply["ok"] and reply["data"]["page"] == 3
    first = await m1.event("presenter.page")
    second = await m1.event("presenter.page")
    assert (first["data"]["page"], second["data"]["page"]) == (1, 3)
    assert second["seq"] == first["seq"] + 1
    late = await connect(committee.members[2].user, sid)
    snap = await late.request("sync", {"last_seq": 0})
    data = snap["data"]
    if data["mode"] == "snapshot":
        assert data["snapshot"]["presenter"]["page"] == 3
    else:
        assert [e["data"]["page"] for e in data["events"] if e["type"] == "presenter.page"][-1] == 3


async def test_snapshot_part_carries_presenter_and_documents(committee, paper):
    from realtime.context import Context
    from realtime.snapshot import build_snapshot

    await sync_to_async(presenter.open_document)(
        committee.plenary.pk, document=paper.pk, page=2, **who(committee.clerk, "clerk")
    )
    m1 = committee.members[0]
    ctx = Context(m1.user_id, committee.plenary.pk, "member", m1.pk)
    _, snap = await sync_to_async(build_snapshot)(ctx)
    assert snap["presenter"]["page"] == 2 and snap["presenter"]["may_present"] is False
    [doc] = snap["documents"]["documents"]
    assert doc["id"] == paper.pk and doc["pages_ready"] == 5
    assert doc["page_url"].endswith("/p/{page}/{width}.jpg")


async def test_refused_flip_on_the_socket_names_the_error(committee, paper, connect):
    sid = committee.plenary.pk
    m1 = await connect(committee.members[0].user, sid)
    reply = await m1.request("presenter.flip", {"page": 2})
    assert reply["ok"] is False and reply["error"]["code"] == "forbidden"
    clerk = await connect(committee.clerk.user, sid)
    reply = await clerk.request("presenter.flip", {"page": 0})
    assert reply["error"]["code"] == "invalid"
    reply = await clerk.request("presenter.open", {"document": paper.pk, "page": 9})
    assert reply["error"]["code"] == "no_such_page"
    assert await sync_to_async(presenter.current)(sid) == presenter.state_payload(None)


async def test_distribute_and_recall_over_the_socket(committee, upload, pdf_bytes, connect):
    [doc] = await sync_to_async(upload)(("x.pdf", pdf_bytes(1)))
    sid = committee.group_b_sitting.pk
    clerk = await connect(committee.clerk.user, sid)
    m2 = await connect(committee.members[1].user, sid)
    reply = await m2.request("documents.distribute", {}, key="k-m2")
    assert reply["error"]["code"] == "forbidden"
    reply = await clerk.request("documents.distribute", {}, key="k1")
    assert reply["ok"] and reply["data"]["documents"] == [doc.pk]
    ev = await m2.event("documents.changed")
    assert ev["data"] == {"reason": "distributed", "documents": [doc.pk]}
    again = await clerk.request("documents.distribute", {}, key="k1")  # retried: same answer
    assert again["data"] == reply["data"]
    reply = await clerk.request("documents.distribute", {}, key="k2")
    assert reply["error"]["code"] == "nothing_to_distribute"
    reply = await clerk.request("documents.recall", {}, key="k3")
    assert reply["ok"]
    ev = await m2.event("documents.changed")
    assert ev["data"]["reason"] == "recalled"


def test_a_page_turn_is_four_statements_on_postgresql(committee, paper):
    """presenter.flip from the clerk's socket (issue 27): each statement named.

    Before: the lock, the state's get_or_create and its locking read, its UPDATE, the
    journal and the audit entry each their own (seven, beside the authority check).
    """
    import json

    from django.db import connection

    from core.models import AuditEntry
    from realtime.context import Context
    from realtime.protocol import decode
    from realtime.runner import run_command
    from tests.realtime.test_query_budget import Queries

    sid = committee.plenary.pk
    presenter.open_document(sid, document=paper.pk, page=1, **who(committee.clerk, "clerk"))
    ctx = Context(
        user_id=committee.clerk.user_id,
        sitting_id=sid,
        role="clerk",
        member_id=committee.clerk.pk,
        channel_name="test.clerk",
    )
    frame = json.dumps({"type": "presenter.flip", "id": "q", "data": {"page": 4}})
    with Queries(connection) as q:
        answer = run_command(ctx, decode(frame, 65536))
    assert answer["ok"] and answer["data"]["page"] == 4, answer
    head = [
        "SELECT meeting_sitting",  # authority per command (policy), before the transaction
        "SELECT meeting_sitting",  # the sitting's lock (with its session)
        # the presenter state, locked, with its document and version: one statement
        "SELECT docs_store_presenterstate",
    ]
    if connection.vendor == "postgresql":
        # the journal's statement: the seq's UPDATE, the state's UPDATE and the audit
        # entry's INSERT as CTEs of the journal row's INSERT
        assert q.tables() == [*head, "WITH realtime_sittingevent"]
        journal = q.statements()[-1]
        assert 'UPDATE "docs_store_presenterstate"' in journal
        assert 'INSERT INTO "proceedings_auditentry"' in journal
    else:  # SQLite: its CTEs cannot write
        assert q.tables() == [
            *head,
            "UPDATE docs_store_presenterstate",  # emit's writes: the state's row
            "INSERT proceedings_auditentry",  # the audit entry, carried by the emit
            "UPDATE meeting_sitting",  # emit: the next seq
            "INSERT realtime_sittingevent",  # emit: the journal row
        ]
    state = PresenterState.objects.get(sitting_id=sid)
    assert (state.page, state.by_id, state.document_id) == (4, committee.clerk.user_id, paper.pk)
    last = SittingEvent.objects.filter(sitting_id=sid).order_by("-seq").first()
    assert (last.type, last.payload["page"]) == ("presenter.page", 4)
    assert last.payload["at"] == state.updated_at.isoformat()
    entry = AuditEntry.objects.order_by("-pk").first()
    assert (entry.action, entry.data) == ("presenter.flip", {"page": 4})
