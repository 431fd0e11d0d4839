"""Issue 25 item 12: one document on the agenda items of several sittings (同时列入).

A paper uploaded on the plenary's item is placed on a group sitting's item of the same
bill: that sitting's members read it under the item, its presenter opens it, its search
finds it, its 新 marks and read receipts work, and state, access level and watermark
stay the paper's own. Placing is the clerk's (the rulebook), within one session only.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import translation
from PIL import Image

from core.errors import DomainError
from core.models import AgendaItem, Member, Role, Session, Sitting
from docs_store.models import Document, DocumentPlacement, PresenterState
from docs_store.services import catalog, placement, presenter
from docs_store.services.access import get_readable
from harness.actors import CHAIR, CLERK, MEMBER
from harness.pdf import chinese_pdf
from realtime.models import SittingEvent

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def _item(sitting, order: int = 1) -> AgendaItem:
    return sitting.agenda_items.get(order=order)


def _listed(user, sitting) -> dict[int, dict]:
    resp = _client(user).get(f"/docs/sittings/{sitting.pk}/")
    assert resp.status_code == 200, resp.content
    return {d["id"]: d for d in resp.json()["documents"]}


def _place(committee, doc, item, actor=CLERK):
    return placement.place(
        committee.session, document_id=doc.pk, item_id=item.pk, actor=actor, by=committee.clerk.user
    )


def _unplace(committee, doc, item, actor=CLERK):
    placement.unplace(
        committee.session, document_id=doc.pk, item_id=item.pk, actor=actor, by=committee.clerk.user
    )


def _page(doc) -> str:
    return f"/docs/d/{doc.pk}/v/{doc.current.number}/p/1/800.jpg"


@pytest.fixture
def bill(committee, upload, pdf_bytes, rendered):
    """The bill's paper, uploaded and distributed on the plenary's first item."""
    [doc] = upload(
        ("草案.pdf", pdf_bytes(3, "bill")), item=_item(committee.plenary), distribute=True
    )
    rendered()
    return doc


@pytest.fixture
def group_b_paper(committee, upload, pdf_bytes, rendered):
    """A paper of group B's first item: group A's members may not read it."""
    [doc] = upload(
        ("乙组.pdf", pdf_bytes(2, "b")), item=_item(committee.group_b_sitting), distribute=True
    )
    rendered()
    return doc


@pytest.fixture
def clerk_of_a(committee):
    """A clerk assigned to group A's sitting only."""
    user = get_user_model().objects.create_user("clerk-a", password="pw-clerk-a")
    member = Member.objects.create(
        user=user, term=committee.term, full_name="甲组秘书", role=Role.CLERK
    )
    committee.group_a_sitting.clerk = member
    committee.group_a_sitting.save(update_fields=["clerk"])
    return member


def test_a_group_member_reads_the_plenary_paper_in_the_group_sitting_once_placed(committee, bill):
    m1, group_a = committee.members[0].user, committee.group_a_sitting
    target = _item(group_a, 2)
    assert bill.pk not in _listed(m1, group_a)  # before: not a paper of the group sitting
    _place(committee, bill, target)
    listed = _listed(m1, group_a)[bill.pk]
    assert (listed["item"], listed["item_title"]) == (target.pk, "议题2")
    assert (listed["state"], listed["access"], listed["version"]) == ("distributed", "committee", 1)
    assert listed["new"] is True
    assert _client(m1).get(_page(bill)).status_code == 200
    # the plenary lists it where it always was
    plenary = _listed(m1, committee.plenary)[bill.pk]
    assert plenary["item"] == _item(committee.plenary).pk
    # the group sitting's tablets were told, with the event they already react to
    last = SittingEvent.objects.filter(sitting=group_a).order_by("-seq").first()
    assert (last.type, last.payload) == (
        "documents.changed",
        {"reason": "placed", "documents": [bill.pk]},
    )


def test_the_access_check_accepts_the_placements_sitting(committee, group_b_paper):
    """Group B's paper: m1 (group A) is refused until it is placed on a group A item."""
    m1 = committee.members[0].user
    url = _page(group_b_paper)
    assert _client(m1).get(url).status_code == 403
    assert _client(m1).get(f"/docs/d/{group_b_paper.pk}/").status_code == 403
    item = _item(committee.group_a_sitting)
    _place(committee, group_b_paper, item)
    assert _client(m1).get(url).status_code == 200
    assert _client(m1).get(f"/docs/d/{group_b_paper.pk}/").json()["item"] == (
        _item(committee.group_b_sitting).pk  # outside a sitting's listing: its own item
    )
    assert group_b_paper.pk in _listed(m1, committee.group_a_sitting)
    _unplace(committee, group_b_paper, item)
    assert _client(m1).get(url).status_code == 403
    assert Document.objects.filter(pk=group_b_paper.pk).exists()  # the paper stays
    assert group_b_paper.pk not in _listed(m1, committee.group_a_sitting)
    assert group_b_paper.pk in _listed(committee.members[1].user, committee.group_b_sitting)


def test_another_committee_and_outsiders_get_not_found(committee, group_b_paper):
    from core.models import Committee, Term

    other = Committee.objects.create(name="另一个常委会")
    term = Term.objects.create(committee=other, name="一", starts_on=dt.date(2025, 1, 1))
    alien = get_user_model().objects.create_user("alien", password="x")
    Member.objects.create(user=alien, term=term, full_name="外人", role=Role.MEMBER)
    _place(committee, group_b_paper, _item(committee.group_a_sitting))
    for user in (alien, committee.outsider):
        for url in (_page(group_b_paper), f"/docs/d/{group_b_paper.pk}/"):
            resp = _client(user).get(url)
            assert (resp.status_code, resp.json()["code"]) == (404, "not_found")
        resp = _client(user).get(f"/docs/sittings/{committee.group_a_sitting.pk}/")
        assert resp.status_code == 404


def test_a_confidential_paper_stays_confidential_where_it_is_placed(
    committee, upload, pdf_bytes, rendered
):
    [secret] = upload(
        ("密.pdf", pdf_bytes(2, "c")),
        item=_item(committee.group_b_sitting),
        access="confidential",
        distribute=True,
    )
    rendered()
    _place(committee, secret, _item(committee.group_a_sitting))
    m1 = committee.members[0].user
    listed = _listed(m1, committee.group_a_sitting)[secret.pk]
    assert listed["access"] == "confidential" and listed["pdf_url"] is None
    resp = _client(m1).get(f"/docs/d/{secret.pk}/v/1/pdf")
    assert (resp.status_code, resp.json()["code"]) == (403, "confidential_no_download")
    marked = _client(m1).get(_page(secret))
    plain = _client(committee.clerk.user).get(_page(secret))
    assert marked.status_code == plain.status_code == 200
    assert marked["Cache-Control"] == "private, no-store"
    a, b = (Image.open(io.BytesIO(r.getvalue())) for r in (marked, plain))
    assert a.size == b.size and a.tobytes() != b.tobytes()  # the member's copy is marked


def test_a_draft_placed_is_seen_by_members_only_once_distributed(
    committee, upload, pdf_bytes, clerk_of_a
):
    [draft] = upload(("稿.pdf", pdf_bytes(1, "d")), item=_item(committee.plenary))
    _place(committee, draft, _item(committee.group_a_sitting))
    assert draft.pk not in _listed(committee.members[0].user, committee.group_a_sitting)
    # the clerk of the sitting it is placed on manages it there (who may upload there)
    assert _listed(clerk_of_a.user, committee.group_a_sitting)[draft.pk]["state"] == "draft"


def test_only_the_clerk_places_the_rulebooks_refusal(committee, bill, clerk_of_a):
    target = _item(committee.group_a_sitting)
    for actor in (MEMBER, CHAIR):
        with pytest.raises(DomainError) as err:
            _place(committee, bill, target, actor=actor)
        assert err.value.code == "forbidden" and err.value.details["allowed"] == ["clerk"]
    url = f"/docs/sessions/{committee.session.pk}/placements/"
    body = json.dumps({"document": bill.pk, "item": target.pk})
    for user in (committee.members[0].user, committee.chair.user, committee.staff.user):
        resp = _client(user).post(url, body, content_type="application/json")
        assert (resp.status_code, resp.json()["code"]) == (403, "forbidden")
    assert not DocumentPlacement.objects.exists()
    # the clerk of the target sitting may (as they may upload there)
    resp = _client(clerk_of_a.user).post(url, body, content_type="application/json")
    assert resp.status_code == 200, resp.content
    [shown] = resp.json()["placements"]
    assert (shown["document"], shown["item"], shown["sitting"]) == (
        bill.pk,
        target.pk,
        committee.group_a_sitting.pk,
    )
    assert shown["from_sitting"] == committee.plenary.pk
    resp = _client(clerk_of_a.user).post(
        url,
        json.dumps({"document": bill.pk, "item": target.pk, "remove": True}),
        content_type="application/json",
    )
    assert resp.status_code == 200 and resp.json()["placements"] == []
    # the console's listing of where a paper may go: every sitting's items
    sittings = _client(committee.clerk.user).get(url).json()["sittings"]
    assert [len(s["items"]) for s in sittings] == [3, 3, 3]


def test_a_placement_on_another_sessions_item_is_refused(committee, bill):
    later = Session.objects.create(
        term=committee.term, number=2, title="第二次会议", starts_on=dt.date(2026, 12, 20)
    )
    sitting = Sitting.objects.create(
        session=later,
        kind="plenary",
        title="第二次全体会议",
        starts_at=dt.datetime(2026, 12, 20, 9, tzinfo=dt.UTC),
    )
    elsewhere = AgendaItem.objects.create(sitting=sitting, order=1, title="另一议题")
    with pytest.raises(DomainError) as err:
        _place(committee, bill, elsewhere)
    assert err.value.code == "wrong_session"
    resp = _client(committee.clerk.user).post(
        f"/docs/sessions/{committee.session.pk}/placements/",
        json.dumps({"document": bill.pk, "item": elsewhere.pk}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert resp.status_code == 400
    assert resp.json()["code"] == "wrong_session"
    assert "另一议题" in resp.json()["message"] and "会议" in resp.json()["message"]
    with translation.override("zh-hans"), pytest.raises(DomainError) as err:
        _place(committee, bill, elsewhere)
    assert "只能" in err.value.message  # the clerk reads why, in Chinese
    assert not DocumentPlacement.objects.exists()


def test_a_sitting_has_a_paper_once(committee, bill, upload, pdf_bytes):
    group_a = committee.group_a_sitting
    first = _place(committee, bill, _item(group_a, 1))
    assert _place(committee, bill, _item(group_a, 1)).pk == first.pk  # resent: the same
    for item in (_item(group_a, 2), _item(committee.plenary, 2)):  # again there; its own
        with pytest.raises(DomainError) as err:
            _place(committee, bill, item)
        assert err.value.code == "already_in_sitting"
    [whole] = upload(("全会.pdf", pdf_bytes(1)), distribute=True)  # a session-wide paper
    with pytest.raises(DomainError) as err:
        _place(committee, whole, _item(group_a))
    assert err.value.code == "already_in_sitting"
    # on several sittings' items at once
    _place(committee, bill, _item(committee.group_b_sitting, 3))
    assert DocumentPlacement.objects.filter(document=bill).count() == 2
    with pytest.raises(DomainError) as err:
        _unplace(committee, bill, _item(group_a, 2))
    assert err.value.code == "not_found"


def test_recall_recalls_it_where_it_is_placed(committee, bill):
    from docs_store.services.distribution import recall

    _place(committee, bill, _item(committee.group_a_sitting))
    recall(committee.session, actor=CLERK, by=committee.clerk.user, ids=[bill.pk])
    resp = _client(committee.members[0].user).get(_page(bill))
    assert resp.status_code == 410


def test_the_new_mark_and_read_receipts_work_in_the_group_sitting(committee, group_b_paper):
    m1, m3 = committee.members[0].user, committee.members[2].user
    group_a = committee.group_a_sitting
    _place(committee, group_b_paper, _item(group_a))
    assert _listed(m1, group_a)[group_b_paper.pk]["new"] is True
    resp = _client(m1).post(
        f"/docs/d/{group_b_paper.pk}/read/",
        json.dumps({"seconds": 30, "opened": True}),
        content_type="application/json",
    )
    assert resp.json() == {"recorded": True, "opens": 1, "seconds": 30}
    assert _listed(m1, group_a)[group_b_paper.pk]["new"] is False
    assert _listed(m3, group_a)[group_b_paper.pk]["new"] is True  # each member their own


@pytest.mark.django_db(transaction=True)
def test_the_snapshot_lists_it_as_the_http_listing_does(committee, group_b_paper, clerk_of_a):
    """The tablet's first list is the sync's shared read (``listing_on``, no query of its
    own): a placed paper is in it, under the item it is placed on, for every reader."""
    import time

    from realtime import snapshot
    from tests.docs_store.test_snapshot_readers import _sync

    group_a = committee.group_a_sitting
    _place(committee, group_b_paper, _item(group_a))
    snapshot.SHARED_READS.clear()
    for user in (committee.members[0].user, committee.chair.user, clerk_of_a.user):
        snap = _sync(user, group_a.pk, time.monotonic() - 60)
        assert snap["documents"] == {"documents": list(_listed(user, group_a).values())}
        assert group_b_paper.pk in {d["id"] for d in snap["documents"]["documents"]}


@pytest.mark.django_db(transaction=True)
async def test_the_presenter_opens_it_in_the_group_sitting_and_tablets_follow(
    committee, bill, connect
):
    group_a = committee.group_a_sitting
    item = await sync_to_async(_item)(group_a)
    clerk = await connect(committee.clerk.user, group_a.pk)
    m1 = await connect(committee.members[0].user, group_a.pk)
    reply = await clerk.request("presenter.open", {"document": bill.pk, "page": 1})
    assert reply["error"]["code"] == "not_found"  # not a paper of this sitting yet
    await sync_to_async(_place)(committee, bill, item)
    changed = await m1.event("documents.changed")
    assert changed["data"] == {"reason": "placed", "documents": [bill.pk]}
    reply = await clerk.request("presenter.open", {"document": bill.pk, "page": 2})
    assert reply["ok"], reply
    shown = await m1.event("presenter.page")
    assert (shown["data"]["document"], shown["data"]["page"]) == (bill.pk, 2)
    # the tablet follows: the page it is told to show is one it may read
    doc, reader = await sync_to_async(get_readable)(committee.members[0].user, bill.pk)
    assert reader.role == "member"
    # taken off the item, the group sitting stops presenting it
    await sync_to_async(_unplace)(committee, bill, item)
    stopped = await m1.event("presenter.page")
    assert stopped["data"]["document"] is None
    assert (await sync_to_async(presenter.current)(group_a.pk))["document"] is None
    assert await sync_to_async(PresenterState.objects.filter(document=bill).count)() == 0
    gone = await m1.event("documents.changed")
    assert gone["data"] == {"reason": "unplaced", "documents": [bill.pk]}


def test_search_in_the_group_sitting_finds_it(committee, upload, rendered):
    [doc] = upload(
        ("法.pdf", chinese_pdf([["第一条 为了规范数据处理活动，保障数据安全。"]])),
        item=_item(committee.plenary),
        distribute=True,
    )
    rendered()
    m1 = committee.members[0].user
    url = f"/docs/sittings/{committee.group_a_sitting.pk}/search/"
    assert _client(m1).get(url, {"q": "数据安全"}).json()["results"] == []
    _place(committee, doc, _item(committee.group_a_sitting, 3))
    [hit] = _client(m1).get(url, {"q": "数据安全"}).json()["results"]
    assert (hit["document"], hit["page"], hit["item_title"]) == (doc.pk, 1, "议题3")


def test_the_listing_keeps_reading_order_with_placed_papers(committee, upload, pdf_bytes, bill):
    """Placed papers sit under their item here, among the sitting's own, in item order."""
    group_a = committee.group_a_sitting
    [own3] = upload(("三.pdf", pdf_bytes(1)), item=_item(group_a, 3), distribute=True)
    [own1] = upload(("一.pdf", pdf_bytes(1)), item=_item(group_a, 1), distribute=True)
    _place(committee, bill, _item(group_a, 2))
    docs = catalog.sitting_documents(group_a)
    assert [d.pk for d in docs] == [own1.pk, bill.pk, own3.pk]
    assert catalog.item_here(docs[1]) == (_item(group_a, 2).pk, "议题2")
