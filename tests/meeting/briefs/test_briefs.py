"""The brief: numbering, draft → checked (never by its compiler) → released as a document."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from pypdf import PdfReader

from core.errors import DomainError
from core.models import AuditEntry
from docs_store.models import Document
from jobs.runner import run_until_idle
from media.models import Clip
from media.services.archive import delete_clip
from meeting.briefs.models import Brief
from meeting.briefs.services.briefs import check_brief, create_brief, release_brief, revise_brief
from meeting.briefs.services.summaries import save_summary


def _text(doc: Document) -> str:
    from docs_store import storage

    path = storage.original_path(doc.current.sha256)
    return "".join(p.extract_text() for p in PdfReader(path).pages)


def _summarised(archive):
    staff = archive.staff.user
    save_summary(staff, archive.sp1, "建议明确罚则。", [{"at": 12, "text": "罚则要明确"}])
    save_summary(staff, archive.sp3, "赞成草案。")
    return create_brief(staff, sitting=archive.group_a_sitting)


def test_brief_numbers_and_content_in_speaking_order(archive):
    b1 = _summarised(archive)
    b2 = create_brief(archive.staff.user, sitting=archive.group_a_sitting)
    assert (b1.number, b2.number, b1.state) == (1, 2, "draft")
    from meeting.briefs.services.content import compile_content

    c = compile_content(b1)
    assert [s["heading"] for s in c["sections"]] == ["议题1", "议题2"]
    assert [sp["member"] for sp in c["sections"][0]["speeches"]] == ["委员1", "委员3"]
    assert c["sections"][0]["speeches"][0]["quotes"] == [{"at": 12.0, "text": "罚则要明确"}]


def test_per_item_brief_across_groups(archive):
    b = create_brief(archive.staff.user, session=archive.session, item_order=1)
    assert b.sitting is None and b.item_order == 1
    assert b.title == "分组审议议题1的意见"


def test_an_item_titled_by_its_deliberation_says_it_once(archive):
    from core.models import AgendaItem

    AgendaItem.objects.filter(sitting__session=archive.session, order=1).update(
        title="审议《某省数据条例（草案）》"
    )
    b = create_brief(archive.staff.user, session=archive.session, item_order=1)
    assert b.title == "分组审议《某省数据条例（草案）》的意见"
    with pytest.raises(DomainError) as e:
        create_brief(archive.staff.user, session=archive.session, item_order=9)
    assert e.value.code == "not_found"


def test_bad_briefs_are_refused(archive):
    staff = archive.staff.user
    with pytest.raises(DomainError) as e:
        create_brief(staff, sitting=archive.plenary)
    assert e.value.code == "not_group_sitting"
    with pytest.raises(DomainError) as e:
        create_brief(staff, sitting=archive.group_b_sitting)
    assert e.value.code == "no_speeches"
    with pytest.raises(DomainError) as e:
        create_brief(archive.members[0].user, sitting=archive.group_a_sitting)
    assert e.value.code == "forbidden"
    assert not Brief.objects.exists()


def test_author_may_not_check_and_release_needs_a_check(archive):
    b = _summarised(archive)
    with pytest.raises(DomainError) as e:
        check_brief(archive.staff.user, b)
    assert e.value.code == "checker_is_author"
    with pytest.raises(DomainError) as e:
        release_brief(archive.staff.user, b)
    assert e.value.code == "not_checked"
    with pytest.raises(DomainError) as e:
        check_brief(archive.members[0].user, b)
    assert e.value.code == "forbidden"
    b.refresh_from_db()
    assert (b.state, b.checked_by_id, b.document_id) == ("draft", None, None)
    assert not Document.objects.exists()


def test_database_refuses_a_checker_who_is_the_compiler(archive):
    b = _summarised(archive)
    with pytest.raises(IntegrityError), transaction.atomic():
        Brief.objects.filter(pk=b.pk).update(checked_by=b.compiled_by)


def test_release_makes_a_distributed_document_and_a_revision_supersedes_it(archive):
    b = _summarised(archive)
    b = check_brief(archive.staff2.user, b)
    assert b.content["checked_by"] == "审查员二"
    save_summary(archive.staff.user, archive.sp3, "改过的要点。")  # after the check: not released
    with pytest.raises(DomainError) as e:
        release_brief(archive.staff2.user, b, access="secret")
    assert e.value.code == "bad_access"
    b = release_brief(archive.staff2.user, b, access="committee")
    doc = Document.objects.get(pk=b.document_id)
    assert (doc.state, doc.access, doc.session_id, doc.current.number) == (
        "distributed",
        "committee",
        archive.session.pk,
        1,
    )
    text = _text(doc)
    assert "简" in text and "第1期" in text and "委员1委员说" in text and "赞成草案" in text
    assert "改过的要点" not in text and "\ufffd" not in text
    with pytest.raises(DomainError) as e:
        release_brief(archive.staff2.user, b)
    assert e.value.code == "bad_state"
    b = revise_brief(archive.staff.user, b)
    assert (b.revision, b.state) == (2, "draft")
    b = release_brief(archive.staff.user, check_brief(archive.staff2.user, b), "confidential")
    doc.refresh_from_db()
    assert (Document.objects.count(), doc.current.number, doc.access) == (1, 2, "confidential")
    assert "改过的要点" in _text(doc)
    actions = list(
        AuditEntry.objects.filter(action__startswith="brief.").values_list("action", flat=True)
    )
    assert sorted(actions) == sorted(
        [
            "brief.create",
            "brief.check",
            "brief.release",
            "brief.revise",
            "brief.check",
            "brief.release",
        ]
    )


def test_deleted_clip_keeps_the_text_and_says_why(archive):
    b = release_brief(archive.staff.user, check_brief(archive.staff2.user, _summarised(archive)))
    clip = Clip.objects.get(floor_entry_id=archive.sp1.pk)
    delete_clip(clip, archive.staff.user, "当事人申请撤回录像")
    run_until_idle()
    doc = Document.objects.get(pk=b.document_id)
    assert doc.current.number == 2
    text = _text(doc)
    assert "建议明确罚则" in text and "罚则要明确" in text
    assert "录像已于" in text and "当事人申请撤回录像" in text
    assert AuditEntry.objects.filter(action="brief.reprint").count() == 1
