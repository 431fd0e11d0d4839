"""Login throttling (django-axes): ten failures lock a user name for the cool-down."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _post(client: Client, username: str, password: str):
    return client.post("/login/", {"username": username, "password": password, "next": "/"})


def test_ten_failures_lock_the_name_even_for_the_right_password(committee, settings):
    assert settings.AXES_FAILURE_LIMIT == 10
    client = Client()
    for _ in range(9):
        assert _post(client, "m1", "wrong").status_code == 200  # the form again, with an error
    assert not AuditEntry.objects.filter(action="login.locked_out").exists()
    tenth = _post(client, "m1", "wrong")
    assert tenth.status_code == 429
    right = _post(Client(), "m1", "pw-m1")  # another device, the right password
    assert right.status_code == 429 and "_auth_user_id" not in right.client.session
    page = right.content.decode()
    assert "登录失败次数过多" in page and "15 分钟" in page  # Chinese, says how long
    rows = AuditEntry.objects.filter(action="login.locked_out")
    assert rows.count() == 2 and {r.data["username"] for r in rows} == {"m1"}
    assert rows.first().source == AuditEntry.Source.WEB
    # another name is not affected
    other = _post(Client(), "m2", "pw-m2")
    assert other.status_code == 302 and other["Location"] == "/"


def test_after_the_cool_down_the_right_password_works_again(committee, settings):
    from axes.models import AccessAttempt

    client = Client()
    for _ in range(10):
        _post(client, "m3", "wrong")
    assert _post(Client(), "m3", "pw-m3").status_code == 429
    # the cool-down has passed: move the recorded failures back beyond it
    from django.utils import timezone

    past = timezone.now() - timezone.timedelta(minutes=16)
    AccessAttempt.objects.filter(username="m3").update(attempt_time=past)
    done = _post(Client(), "m3", "pw-m3")
    assert done.status_code == 302 and done["Location"] == "/"


def test_password_validators_refuse_weak_passwords(committee):
    user = committee.members[0].user
    for weak in ("1234567890", "password", "short"):
        with pytest.raises(ValidationError):
            validate_password(weak, user)
    validate_password("晨会-议厅-2026-长口令", user)
