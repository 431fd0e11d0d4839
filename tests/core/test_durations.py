"""A length of time reads one way everywhere (issue 25, item 11): "11 秒", "2 分 05 秒".

The minutes printed "10.6" under "时长（秒）" and the members' books "1.5" under
"阅读时长（分钟）"; the pages wrote "11 秒" (the |duration filter). Every one of them now
goes through ``core.durations.format_duration``.
"""

from __future__ import annotations

from django.utils import translation

from core.audit import _actor_name
from core.durations import format_duration
from meeting.proceedings import minutes_pdf


def test_whole_seconds_minutes_and_hours():
    with translation.override("zh-hans"):
        assert [format_duration(x) for x in (10.6, 0, 125, 3720)] == [
            "11 秒",
            "0 秒",
            "2 分 05 秒",
            "1 小时 02 分",
        ]
        assert format_duration(None) == "" and format_duration("x") == ""
    with translation.override("en"):
        assert format_duration(125) == "2 min 05 s"
        assert format_duration(125, "zh-hans") == "2 分 05 秒"  # a Chinese PDF stays Chinese


def test_the_minutes_write_a_speech_length_as_the_pages_do():
    speech = {
        "name": "委员1",
        "seat": "002",
        "kind": "speech",
        "started_at": "2026-11-24T09:30:00+00:00",
        "ended_at": "2026-11-24T09:30:10.600000+00:00",
        "duration_s": 10.6,
        "clip": None,
    }
    with translation.override("en"):  # whoever asked, the minutes are Chinese
        table = minutes_pdf._speeches([speech])[0]
    header, row = table._cellvalues
    assert "时长" in header and "时长（秒）" not in header
    assert "11 秒" in row and 10.6 not in row


def test_the_audit_trail_names_a_login_without_a_membership_by_its_name(db):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    named = User.objects.create_user("root", first_name="明", last_name="王")
    bare = User.objects.create_user("ops")
    assert _actor_name(named.pk, None) == named.get_full_name() != "root"
    assert _actor_name(bare.pk, None) == "ops"  # the login only when nothing else exists
