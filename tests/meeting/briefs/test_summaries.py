"""Speech summaries: versions, time-coded quotes checked against the clip, the audit trail."""

from __future__ import annotations

import pytest

from core.errors import DomainError
from core.models import AuditEntry
from media.models import Clip
from meeting.briefs.models import SummaryVersion
from meeting.briefs.services.summaries import history, save_summary


def test_every_change_is_a_version_and_an_audit_row(archive):
    staff = archive.staff.user
    s1 = save_summary(staff, archive.sp1, "建议增加罚则。", [{"at": 12.34, "text": "罚则要明确"}])
    assert (s1.version, s1.quotes) == (1, [{"at": 12.3, "text": "罚则要明确"}])
    s2 = save_summary(staff, archive.sp1, "建议增加罚则，细化条款。", [], base_version=1)
    assert s2.version == 2
    again = save_summary(staff, archive.sp1, "建议增加罚则，细化条款。", [], base_version=2)
    assert again.version == 2  # an autosave of nothing new writes nothing
    assert [v["version"] for v in history(archive.sp1)] == [2, 1]
    rows = AuditEntry.objects.filter(action="summary.save")
    assert rows.count() == 2 and rows.first().sitting_id == archive.group_a_sitting.pk


def test_quote_past_the_clip_end_is_refused_and_nothing_is_saved(archive):
    staff = archive.staff.user
    with pytest.raises(DomainError) as e:
        save_summary(staff, archive.sp1, "要点", [{"at": 30.5, "text": "超出"}])
    assert e.value.code == "quote_past_end" and e.value.details["duration_s"] == 30.0
    with pytest.raises(DomainError) as e:
        save_summary(staff, archive.sp1, "要点", [{"at": -1, "text": "负数"}])
    assert e.value.code == "quote_past_end"
    assert not SummaryVersion.objects.exists()
    assert not AuditEntry.objects.filter(action="summary.save").exists()


def test_quote_at_exactly_the_end_is_accepted(archive):
    s = save_summary(archive.staff.user, archive.sp1, "要点", [{"at": 30, "text": "最后一句"}])
    assert s.quotes[0]["at"] == 30.0


@pytest.mark.parametrize(
    "quotes, code",
    [
        ([{"at": "x", "text": "a"}], "invalid"),
        ([{"at": 3}], "invalid"),
        ([{"at": float("nan"), "text": "a"}], "invalid"),
        ("not a list", "invalid"),
        ([5], "invalid"),
    ],
)
def test_malformed_quotes(archive, quotes, code):
    with pytest.raises(DomainError) as e:
        save_summary(archive.staff.user, archive.sp1, "要点", quotes)
    assert e.value.code == code


def test_no_clip_or_deleted_clip_takes_no_quote(archive):
    staff = archive.staff.user
    with pytest.raises(DomainError) as e:
        save_summary(staff, archive.sp7, "要点", [{"at": 1, "text": "无录像"}])
    assert e.value.code == "no_clip"
    assert save_summary(staff, archive.sp7, "只有文字").version == 1
    from django.utils import timezone

    Clip.objects.filter(floor_entry_id=archive.sp1.pk).update(deleted_at=timezone.now())
    with pytest.raises(DomainError) as e:
        save_summary(staff, archive.sp1, "要点", [{"at": 1, "text": "已删"}])
    assert e.value.code == "no_clip"


def test_stale_version_is_refused(archive):
    staff = archive.staff.user
    save_summary(staff, archive.sp1, "一")
    save_summary(archive.staff2.user, archive.sp1, "二", base_version=1)
    with pytest.raises(DomainError) as e:
        save_summary(staff, archive.sp1, "三", base_version=1)
    assert e.value.code == "stale_version" and e.value.details["version"] == 2


def test_only_staff_write_summaries(archive):
    for who in (archive.members[0].user, archive.clerk.user, archive.outsider):
        with pytest.raises(DomainError) as e:
            save_summary(who, archive.sp1, "要点")
        assert e.value.code == "forbidden"
