"""Login, language and the landing page of each role, over Django's test client."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"


def login(client, username: str) -> None:
    assert client.login(username=username, password=f"pw-{username}")


@pytest.mark.django_db
def test_login_page_is_chinese_by_default(client):
    page = client.get("/login/").content.decode()
    assert '<html lang="zh-hans">' in page
    assert "用户名" in page and "密码" in page


@pytest.mark.django_db
def test_english_when_the_browser_asks_for_it(client):
    page = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in page
    assert "User name" in page


@pytest.mark.django_db
def test_language_switch_is_remembered(client, committee):
    login(client, "m1")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(f"/tablet/{committee.group_a_sitting.pk}/").content.decode()
    assert '<html lang="en">' in page


@pytest.mark.django_db
def test_wrong_password_says_so_and_stays_logged_out(client, committee):
    page = client.post("/login/", {"username": "m1", "password": "nope"}).content.decode()
    assert "用户名或密码不正确" in page
    assert client.get("/").status_code == 302  # back to login


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "target"),
    [("staff", "/review/"), ("clerk", "/console/")],
)
def test_each_role_lands_on_its_page(client, committee, username, target):
    login(client, username)
    assert client.get("/").headers["Location"] == target


@pytest.mark.django_db
def test_a_member_lands_on_the_tablet_of_their_sitting(client, committee):
    login(client, "m2")  # group B: the plenary and group B are theirs
    response = client.get("/")
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/tablet/")
    else:
        page = response.content.decode()
        assert f"/tablet/{committee.group_b_sitting.pk}/" in page
        assert f"/tablet/{committee.group_a_sitting.pk}/" not in page


@pytest.mark.django_db
def test_login_without_a_seat_gets_a_clear_page(client, committee):
    login(client, "outsider")
    response = client.get("/")
    assert response.status_code == 403
    assert "此账号在本届没有角色" in response.content.decode()


@pytest.mark.django_db
def test_member_of_another_group_may_not_open_the_sitting(client, committee):
    login(client, "m2")  # group B
    assert client.get(f"/tablet/{committee.group_a_sitting.pk}/").status_code == 403
    assert client.get(f"/console/{committee.group_b_sitting.pk}/").status_code == 403


@pytest.mark.django_db
def test_health_endpoint_reports_the_database(client):
    body = client.get("/healthz").json()
    assert body == {"status": "ok", "db": "ok"}


def _single_line_entries(po: Path) -> dict[tuple[str, str], str]:
    """(context, msgid) → msgstr for the entries written on single lines."""
    text = po.read_text(encoding="utf-8")
    pattern = r'^(?:msgctxt "(.+)"\n)?msgid "(.+)"\nmsgstr "(.+)"$'
    found = re.findall(pattern, text, flags=re.MULTILINE)
    return {(ctx, msgid): msgstr for ctx, msgid, msgstr in found}


def test_compiled_catalogue_carries_every_translation_of_the_parts():
    """The committed django.mo is rebuilt from locale/parts (scripts/i18n.py)."""
    catalogue = gettext.GNUTranslations(MO.open("rb"))
    source = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    in_code = set(_single_line_entries(source))
    checked = 0
    for part in (ROOT / "locale" / "parts").glob("*.po"):
        for (ctx, msgid), msgstr in _single_line_entries(part).items():
            if (ctx, msgid) in in_code:
                got = catalogue.pgettext(ctx, msgid) if ctx else catalogue.gettext(msgid)
                assert got == msgstr, (part.name, ctx, msgid)
                checked += 1
    assert checked > 50
