"""The clerk's "compare with": reading at upload, computing, refusing, warning, telling."""

from __future__ import annotations

import pytest

from core import policy
from core.errors import DomainError
from core.models import AuditEntry
from docs_store.drafts import services
from docs_store.drafts.models import DraftComparison, DraftStructure
from realtime.models import SittingEvent
from tests.docs_store.drafts import samples

pytestmark = pytest.mark.django_db


def test_every_upload_is_read_in_the_background(bill):
    s1, s2 = (DraftStructure.objects.get(version=v) for v in (bill.v1, bill.v2))
    assert (s1.status, s1.articles, s1.title) == ("parsed", 12, samples.TITLE_OLD)
    assert (s2.status, s2.articles) == ("parsed", 12)
    labels = [a.label for a in services.articles_of(bill.v2)]
    assert labels[6] == "第六条之一" and labels[-1] == "第十一条"
    again = services.read_version(bill.v2)  # idempotent: kept as it was
    assert again.parsed_at == s2.parsed_at


def test_mark_computes_at_once_and_tells_the_sittings(committee, bill, clerk_actor):
    c = services.mark_comparison(clerk_actor, bill.v2, bill.v1)
    assert c.status == DraftComparison.Status.READY
    assert c.aligned_share == 0.917 and c.message == ""
    assert [(p["old"], p["new"], p["status"]) for p in c.pairs][:5] == [
        ("第一条", "第一条", "unchanged"),
        (None, "第二条", "added"),
        ("第二条", "第三条", "modified"),
        ("第三条", "第四条", "unchanged"),
        ("第四条", None, "deleted"),
    ]
    assert services.comparison_for(bill.v2).pk == c.pk
    assert services.comparison_for(bill.v1) is None
    for sitting in (committee.plenary, committee.group_a_sitting, committee.group_b_sitting):
        last = SittingEvent.objects.filter(sitting=sitting).order_by("-seq").first()
        assert (last.type, last.payload) == (
            "documents.compared",
            {
                "document": bill.doc.pk,
                "version": 2,
                "old_document": bill.doc.pk,
                "old_version": 1,
                "status": "ready",
            },
        )
    entry = AuditEntry.objects.filter(action="drafts.compare").get()
    assert "版" in entry.summary or "version" in entry.summary
    assert bill.doc.title in entry.summary


def test_unmark(committee, bill, clerk_actor):
    services.mark_comparison(clerk_actor, bill.v2, bill.v1)
    services.unmark_comparison(clerk_actor, bill.v2)
    assert services.comparison_for(bill.v2) is None
    last = SittingEvent.objects.filter(sitting=committee.group_a_sitting).order_by("-seq").first()
    assert last.payload["status"] == "none"
    assert AuditEntry.objects.filter(action="drafts.uncompare").count() == 1


@pytest.mark.parametrize("role", ["member", "chair", "staff", "display"])
def test_only_the_clerk_marks(bill, committee, role):
    actor = policy.Acting(role=role, user_id=committee.members[0].user.pk)
    with pytest.raises(DomainError) as err:
        services.mark_comparison(actor, bill.v2, bill.v1)
    assert err.value.code == "forbidden"
    with pytest.raises(DomainError):
        services.unmark_comparison(actor, bill.v2)
    assert not DraftComparison.objects.exists()


def test_a_report_cannot_be_compared(committee, upload, rendered, bill, clerk_actor):
    [report] = upload(("报告.pdf", samples.report_pdf()), item=bill.item)
    rendered()
    c = services.mark_comparison(clerk_actor, bill.v2, report.current)
    assert c.status == DraftComparison.Status.NOT_COMPARABLE
    assert c.pairs == []
    assert report.title in c.message
    data = services.comparison_json(c)
    assert data["status"] == "not_comparable" and data["pairs"] == []


def test_a_comparison_waits_for_the_reading(committee, upload, bill, clerk_actor):
    """Marked before the new upload was read: pending, computed when the job ends."""
    from jobs.runner import run_until_idle

    [other] = upload(("修改稿.pdf", samples.new_pdf(footer="page")), item=bill.item)
    c = services.mark_comparison(clerk_actor, other.current, bill.v1)
    assert c.status == DraftComparison.Status.PENDING
    run_until_idle()
    c.refresh_from_db()
    assert c.status == DraftComparison.Status.READY
    assert [p["status"] for p in c.pairs].count("moved") == 1
    last = SittingEvent.objects.filter(sitting=committee.plenary).order_by("-seq").first()
    assert (last.type, last.payload["status"]) == ("documents.compared", "ready")


def test_two_different_drafts_warn(upload, rendered, bill, clerk_actor):
    from docs_store.drafts.sample import articles, draft_pdf

    other = draft_pdf(
        "城市绿化条例（草案）",
        articles(
            [
                "为了加强城市绿化管理，改善生态环境，制定本条例。",
                "城市绿化规划纳入城市总体规划，由园林部门组织编制。",
                "任何单位和个人不得擅自砍伐城市树木。",
            ]
        ),
    )
    [green] = upload(("绿化.pdf", other), item=bill.item)
    rendered()
    c = services.mark_comparison(clerk_actor, green.current, bill.v1)
    assert c.status == DraftComparison.Status.READY
    assert c.aligned_share < 0.3 and c.message
    assert services.comparison_json(c)["warning"] is True


def test_refusals(committee, upload, rendered, bill, clerk_actor):
    with pytest.raises(DomainError) as err:
        services.mark_comparison(clerk_actor, bill.v2, bill.v2)
    assert err.value.code == "invalid"
    from core.models import Session

    other_session = Session.objects.create(
        term=committee.term, number=2, title="第二次会议", starts_on=committee.session.starts_on
    )
    from docs_store.services.upload import Upload, upload_documents

    [elsewhere] = upload_documents(
        other_session, [Upload("x.pdf", samples.old_pdf())], by=committee.clerk.user
    )
    with pytest.raises(DomainError) as err:
        services.mark_comparison(clerk_actor, bill.v2, elsewhere.current)
    assert err.value.code == "not_found"
