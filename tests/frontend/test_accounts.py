"""修改密码 for every login, and the middleware that sends a given password there first."""

from __future__ import annotations

import pytest
from django.test import Client

from meeting.proceedings import accounts
from meeting.proceedings.models import PasswordChangeRequired

pytestmark = pytest.mark.django_db
NEW = "晨会-议厅-2026-长口令"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_every_page_offers_the_change_beside_log_out(committee):
    for who, path in (
        (committee.members[0], f"/tablet/{committee.plenary.pk}/"),
        (committee.clerk, f"/console/{committee.plenary.pk}/"),
        (committee.staff, "/review/"),
    ):
        text = _client(who.user).get(path).content.decode()
        link = text.index('id="password-change-link"')
        assert 'href="/password_change/"' in text[link - 80 : link + 80], path
        assert "修改密码" in text[link : link + 120]
        assert text.index("/logout/") > link  # beside 退出, before it


def test_the_change_page_is_chinese_and_checks_the_validators(committee):
    client = _client(committee.members[0].user)
    page = client.get("/password_change/").content.decode()
    for words in ("修改密码", "旧密码", "新密码", "确认修改"):
        assert words in page, words
    assert 'name="old_password"' in page  # a usable password: asked for, as Django does
    wrong = client.post(
        "/password_change/",
        {"old_password": "not-it", "new_password1": NEW, "new_password2": NEW},
    ).content.decode()
    assert "你的旧密码不正确" in wrong
    weak = client.post(
        "/password_change/",
        {"old_password": "pw-m1", "new_password1": "12345", "new_password2": "12345"},
    ).content.decode()
    assert "这个密码太短了，至少要有 8 个字符" in weak and "密码只包含数字" in weak
    assert "too short" not in weak  # Django 5.2's new wording has no zh_Hans of its own
    done = client.post(
        "/password_change/", {"old_password": "pw-m1", "new_password1": NEW, "new_password2": NEW}
    )
    assert done["Location"] == "/password_change/done/"
    page = client.get("/password_change/done/").content.decode()
    assert "您的密码已修改" in page and 'id="password-continue" href="/"' in page
    committee.members[0].user.refresh_from_db()
    assert committee.members[0].user.check_password(NEW)


def test_a_login_that_must_change_is_sent_there_from_every_page(committee):
    m1 = committee.members[0]
    accounts.require_change(m1.user, PasswordChangeRequired.Reason.IMPORTED)
    client = _client(m1.user)
    for path in (
        "/",
        f"/tablet/{committee.plenary.pk}/",
        "/review/",
        "/proceedings/",
        f"/votes/sittings/{committee.plenary.pk}/",
        "/admin/",
    ):
        resp = client.get(path)
        assert resp.status_code == 302 and resp["Location"] == "/password_change/", path
    assert client.post("/proceedings/sessions/new/", {})["Location"] == "/password_change/"
    # what it needs on the way stays open
    assert client.get("/password_change/").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.get("/tls/").status_code in (200, 404)  # the room CA's page, if any
    assert client.post("/i18n/setlang/", {"language": "zh-hans"}).status_code == 302
    assert client.post("/i18n/setlang/", {"language": "zh-hans"})["Location"] != (
        "/password_change/"
    )
    assert client.post("/logout/").status_code == 302
    assert client.get("/").status_code == 302  # logged out: the login page, as before


def test_the_change_lifts_the_requirement_and_keeps_the_session(committee):
    m1 = committee.members[0]
    accounts.require_change(m1.user, PasswordChangeRequired.Reason.RESET)
    client = _client(m1.user)
    assert client.get("/")["Location"] == "/password_change/"  # spends the given one
    resp = client.post("/password_change/", {"new_password1": NEW, "new_password2": NEW})
    assert resp["Location"] == "/password_change/done/"
    assert not PasswordChangeRequired.objects.filter(user=m1.user).exists()
    tablet = client.get(f"/tablet/{committee.plenary.pk}/")
    assert tablet.status_code == 200  # still logged in, nowhere sent
    fresh = Client()
    assert fresh.login(username="m1", password=NEW)


def test_a_mismatch_is_said_in_chinese_and_changes_nothing(committee):
    m1 = committee.members[0]
    accounts.require_change(m1.user, PasswordChangeRequired.Reason.RESET)
    client = _client(m1.user)
    client.get("/")
    page = client.post(
        "/password_change/", {"new_password1": NEW, "new_password2": NEW + "x"}
    ).content.decode()
    assert "两个密码" in page and "不一致" in page, page
    assert accounts.must_change(m1.user)
    assert client.get("/")["Location"] == "/password_change/"


def test_a_session_that_owes_no_change_asks_the_database_once(committee):
    """Page images load at every flip: the middleware's question is asked once per session."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client(committee.members[0].user)
    client.get("/healthz")  # the first request asks, and the session remembers the answer
    with CaptureQueriesContext(connection) as seen:
        client.get("/healthz")
    asked = [q["sql"] for q in seen.captured_queries if "passwordchangerequired" in q["sql"]]
    assert asked == []
