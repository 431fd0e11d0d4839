"""The speaking log downloads under the session's and the sitting's names (issue 28)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.downloads import download_name

pytestmark = pytest.mark.django_db


def test_the_speaking_log_is_named_by_its_session_and_sitting(committee):
    c = Client()
    c.force_login(committee.clerk.user)
    s = committee.plenary
    named = download_name(c.get(f"/floor/sittings/{s.pk}/log.csv"))
    assert named == ("attachment", f"speaking-log-{s.pk}.csv", "第一次会议 全体会议发言记录.csv")
