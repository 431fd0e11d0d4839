"""The clerk's page of the term's logins: the one-time code shown once, refusals in Chinese."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from core.models import AuditEntry
from meeting.proceedings import accounts

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(committee, member=None) -> str:
    base = f"/proceedings/sessions/{committee.session.pk}/accounts/"
    return base if member is None else f"{base}{member.pk}/reset/"


def test_the_session_page_leads_to_the_logins(committee):
    page = _client(committee.clerk.user).get(f"/proceedings/sessions/{committee.session.pk}/")
    text = page.content.decode()
    assert f'href="{_url(committee)}" id="accounts-link"' in text and "成员账号与密码" in text


def test_the_page_lists_the_terms_logins_with_a_reset_for_each_but_ones_own(committee):
    accounts.require_change(committee.members[1].user, "imported")
    resp = _client(committee.clerk.user).get(_url(committee))
    assert resp.status_code == 200 and resp["Cache-Control"] == "no-store"
    text = resp.content.decode()
    for m in (committee.chair, *committee.members, committee.staff, committee.display):
        assert f'action="{_url(committee, m)}"' in text, m.full_name
    assert f'action="{_url(committee, committee.clerk)}"' not in text  # their own: 修改密码
    assert "下次登录须修改" in text and "重设密码" in text


def test_the_code_is_shown_once_in_the_answer_to_the_post(committee):
    clerk = _client(committee.clerk.user)
    m1 = committee.members[0]
    resp = clerk.post(_url(committee, m1))
    assert resp.status_code == 200 and resp["Cache-Control"] == "no-store"
    text = resp.content.decode()
    code = re.search(r'<code class="otp" id="otp">([A-Z2-9]{8})</code>', text).group(1)
    assert "委员1（登录名 m1）的一次性密码" in text
    m1.user.refresh_from_db()
    assert m1.user.check_password(code)
    assert code not in clerk.get(_url(committee)).content.decode()  # never again
    row = AuditEntry.objects.get(action="account.password_reset")
    assert row.session == committee.session and code not in row.summary + str(row.data)


def test_members_staff_and_strangers_do_not_open_the_page(committee):
    for user in (committee.members[0].user, committee.staff.user, committee.outsider):
        client = _client(user)
        assert client.get(_url(committee)).status_code == 403
        assert client.post(_url(committee, committee.members[1])).status_code == 403
    assert committee.members[1].user.check_password("pw-m2")
    assert Client().get(_url(committee)).status_code == 302  # to the login page


def test_a_refusal_is_said_in_chinese_and_changes_nothing(committee):
    clerk = _client(committee.clerk.user)
    resp = clerk.post(_url(committee, committee.clerk))
    text = resp.content.decode()
    assert resp.status_code == 409 and 'data-code="own_login"' in text
    assert "您自己的密码请用页面顶部的“修改密码”修改。" in text
    assert committee.clerk.user.check_password("pw-clerk")


def test_a_member_of_another_term_is_not_found(committee):
    import datetime as dt

    from django.contrib.auth import get_user_model

    from core.models import Member, Role, Term

    other = Term.objects.create(
        committee=committee.committee, name="第二届", starts_on=dt.date(2030, 1, 1)
    )
    user = get_user_model().objects.create_user("x1", password="pw-x1")
    stranger = Member.objects.create(user=user, term=other, full_name="外届", role=Role.MEMBER)
    resp = _client(committee.clerk.user).post(_url(committee, stranger))
    assert resp.status_code == 404
    user.refresh_from_db()
    assert user.check_password("pw-x1")


def test_get_does_not_reset(committee):
    resp = _client(committee.clerk.user).get(_url(committee, committee.members[0]))
    assert resp.status_code == 405
    assert committee.members[0].user.check_password("pw-m1")
