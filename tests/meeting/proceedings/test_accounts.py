"""The clerk's password reset (a one-time code) and the forced change at first login."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from core.errors import DomainError
from core.models import AuditEntry, Committee, Member, Role, Term
from meeting.proceedings import accounts
from meeting.proceedings.models import PasswordChangeRequired
from meeting.proceedings.roster_import import import_members

pytestmark = pytest.mark.django_db


def _login(username: str, password: str) -> Client:
    client = Client()
    resp = client.post("/login/", {"username": username, "password": password, "next": "/"})
    assert resp.status_code == 302, resp.content.decode()[:300]
    return client


def _sent_to_change(client: Client, path: str = "/") -> bool:
    resp = client.get(path)
    return resp.status_code == 302 and resp["Location"] == "/password_change/"


def test_the_code_is_readable_random_and_not_kept_in_clear(committee):
    m1 = committee.members[0]
    codes = {accounts.reset_password(m1, by=committee.clerk.user) for _ in range(20)}
    assert len(codes) == 20
    for code in codes:
        assert re.fullmatch(r"[A-HJ-NP-Z2-9]{8}", code), code  # no 0/O, 1/l/I
    m1.user.refresh_from_db()
    last = [c for c in codes if m1.user.check_password(c)]
    assert len(last) == 1  # only the last code logs in
    assert last[0] not in m1.user.password  # Django's hash, not the code
    for row in AuditEntry.objects.filter(action=accounts.ACTION):
        assert all(c not in row.summary and c not in str(row.data) for c in codes)


def test_a_reset_is_audited_in_words_with_the_member_and_the_session(committee):
    m1 = committee.members[0]
    accounts.reset_password(m1, by=committee.clerk.user, session=committee.session)
    row = AuditEntry.objects.get(action="account.password_reset")
    assert (row.user, row.actor, row.role, row.session) == (
        committee.clerk.user,
        "秘书",
        "clerk",
        committee.session,
    )
    assert (
        row.summary
        == "已将委员1（登录名 m1）的密码重设为一次性密码；其下次登录时须自行设置新密码。"
    )
    assert row.data == {"member": m1.pk, "username": "m1"}


def test_the_code_logs_in_once_then_the_member_must_choose_their_own(committee):
    m1 = committee.members[0]
    code = accounts.reset_password(m1, by=committee.clerk.user)
    assert not m1.user.check_password("pw-m1")  # the forgotten one is gone
    client = _login("m1", code)
    assert _sent_to_change(client)
    # the code is spent: a second login with it fails, this session goes on
    again = Client().post("/login/", {"username": "m1", "password": code})
    assert again.status_code == 200 and "_auth_user_id" not in again.client.session
    page = client.get("/password_change/")
    text = page.content.decode()
    assert page.status_code == 200 and "请先设置您自己的密码" in text
    assert 'name="old_password"' not in text  # the spent code is not asked for
    done = client.post(
        "/password_change/",
        {"new_password1": "晨会-议厅-2026-长口令", "new_password2": "晨会-议厅-2026-长口令"},
    )
    assert done.status_code == 302 and done["Location"] == "/password_change/done/"
    assert not accounts.must_change(m1.user)
    assert not _sent_to_change(client)
    m1.user.refresh_from_db()
    assert m1.user.check_password("晨会-议厅-2026-长口令")


def test_only_the_clerk_of_the_members_term_resets(committee):
    m1 = committee.members[0]
    for who in (committee.members[1], committee.chair, committee.staff, committee.display):
        with pytest.raises(DomainError) as e:
            accounts.reset_password(m1, by=who.user)
        assert e.value.code == "forbidden" and e.value.details["allowed"] == ["clerk"]
    with pytest.raises(DomainError) as e:
        accounts.reset_password(m1, by=committee.outsider)
    assert e.value.code == "forbidden"
    # the clerk of another term has no role in this one
    other = Term.objects.create(
        committee=Committee.objects.create(name="另一常委会"),
        name="第二届",
        starts_on=dt.date(2020, 1, 1),
    )
    user = get_user_model().objects.create_user("clerk2", password="pw-clerk2")
    Member.objects.create(user=user, term=other, full_name="另一秘书", role=Role.CLERK)
    with pytest.raises(DomainError) as e:
        accounts.reset_password(m1, by=user)
    assert e.value.code == "forbidden"
    assert m1.user.check_password("pw-m1") and not accounts.must_change(m1.user)
    assert not AuditEntry.objects.filter(action=accounts.ACTION).exists()


def test_not_ones_own_nor_a_superusers_password(committee):
    with pytest.raises(DomainError) as e:
        accounts.reset_password(committee.clerk, by=committee.clerk.user)
    assert e.value.code == "own_login"
    admin = committee.members[2]
    admin.user.is_superuser = True
    admin.user.save()
    with pytest.raises(DomainError) as e:
        accounts.reset_password(admin, by=committee.clerk.user)
    assert e.value.code == "protected_login"
    assert admin.user.check_password("pw-m3")


def test_a_reset_clears_the_login_lockout(committee):
    from axes.models import AccessAttempt

    for _ in range(10):
        Client().post("/login/", {"username": "m2", "password": "wrong"})
    assert AccessAttempt.objects.filter(username="m2").exists()
    code = accounts.reset_password(committee.members[1], by=committee.clerk.user)
    assert not AccessAttempt.objects.filter(username="m2").exists()
    _login("m2", code)


def test_an_imported_login_with_a_password_must_change_it_at_first_login(committee):
    text = (
        "登录名,姓名,身份,座位号,初始密码\nn1,新委员,委员,301,first-Pass-1\nn2,无密码,委员,302,\n"
    )
    import_members(committee.term, text.encode())
    n1 = get_user_model().objects.get(username="n1")
    row = PasswordChangeRequired.objects.get(user=n1)
    assert row.reason == "imported" and row.spent_at is None
    assert not PasswordChangeRequired.objects.filter(user__username="n2").exists()
    client = _login("n1", "first-Pass-1")
    assert _sent_to_change(client)
    n1.refresh_from_db()
    assert not n1.has_usable_password()  # the file's password is spent
    done = client.post(
        "/password_change/", {"new_password1": "议厅-n1-新口令", "new_password2": "议厅-n1-新口令"}
    )
    assert done["Location"] == "/password_change/done/"
    assert not PasswordChangeRequired.objects.filter(user=n1).exists()


def test_a_dry_run_import_leaves_no_requirement(committee):
    text = "登录名,姓名,身份,初始密码\nn1,新委员,委员,first-Pass-1\n"
    import_members(committee.term, text.encode(), dry_run=True)
    assert not PasswordChangeRequired.objects.exists()


def test_logins_made_otherwise_are_not_forced(committee):
    client = _login("m1", "pw-m1")
    assert not _sent_to_change(client)
    assert client.get("/password_change/").status_code == 200  # every login may change it
    assert not PasswordChangeRequired.objects.exists()


def test_the_demo_committees_logins_are_not_forced(db):
    from meeting.demo import DEMO_PASSWORD, load_demo

    load_demo(members=12, with_documents=False)
    assert not PasswordChangeRequired.objects.exists()
    for username in ("clerk", "chair", "m006", "staff"):
        assert not _sent_to_change(_login(username, DEMO_PASSWORD))
