"""Issue 25 item 6: every refusal page is the Chinese 403/404 page, whatever DEBUG says.

A member who opens a staff page or another member's book gets the 403 page ("无权访问");
a clip hidden from them or an address with no page gets the 404 page ("未找到") — never
Django's technical 404 listing the URL patterns (it is what DEBUG=True showed before).
"""

from __future__ import annotations

import pytest
from django.test import Client

from tests.media.test_views import make_clip

TECHNICAL = ("URLconf", "Using the URLconf", "Page not found", "DEBUG = True")


def _member(committee, n: int = 0) -> Client:
    c = Client()
    c.force_login(committee.members[n].user)
    return c


def _chinese_403(resp) -> None:
    page = resp.content.decode()
    assert resp.status_code == 403, resp.status_code
    assert 'id="forbidden"' in page and "无权访问" in page
    assert not any(t in page for t in TECHNICAL)


def _chinese_404(resp) -> None:
    page = resp.content.decode()
    assert resp.status_code == 404, resp.status_code
    assert 'id="not-found"' in page and "未找到" in page
    assert not any(t in page for t in TECHNICAL), page[:400]


@pytest.fixture(params=[True, False], ids=["debug", "production"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


@pytest.mark.django_db
def test_staff_pages_refuse_a_member_with_the_chinese_403(committee, debug):
    c = _member(committee)
    _chinese_403(c.get("/briefs/"))
    _chinese_403(c.get(f"/briefs/sittings/{committee.group_a_sitting.pk}/"))


@pytest.mark.django_db
def test_another_members_book_and_record_are_403(committee, debug):
    other = committee.members[1]
    c = _member(committee)
    _chinese_403(c.get(f"/briefs/books/members/{other.pk}.pdf"))
    _chinese_403(c.get(f"/media/members/{other.pk}/record/"))


@pytest.mark.django_db
def test_a_clip_hidden_from_the_member_is_the_chinese_404(committee, debug):
    clip = make_clip(committee, committee.members[2], entry=41)
    c = _member(committee)
    _chinese_404(c.get(f"/briefs/clips/{clip.public_id}/at/1/"))
    _chinese_404(c.get(f"/media/clips/{clip.public_id}/"))


@pytest.mark.django_db
def test_an_address_with_no_page_is_the_chinese_404_and_slashes_still_redirect(committee, debug):
    c = _member(committee)
    _chinese_404(c.get("/no-such-page/at/all"))
    moved = c.get("/console")  # APPEND_SLASH still answers before the 404 page
    assert moved.status_code == 301 and moved["Location"] == "/console/"


@pytest.mark.django_db
def test_json_refusals_keep_their_json_body(committee, debug):
    r = _member(committee).post(f"/briefs/books/terms/{committee.term.pk}/")
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"


@pytest.mark.django_db
def test_the_refusal_page_names_the_person_not_the_login(committee, debug):
    """The wall's login opening the console: the 403 page had no ``member`` in its
    context and its top bar read "display" (a member's, "m1")."""
    for who in (committee.display, committee.members[0]):
        c = Client()
        c.force_login(who.user)
        resp = c.get(f"/console/{committee.plenary.pk}/")
        _chinese_403(resp)
        name = resp.content.decode().split('class="who">')[1].split("<")[0]
        assert name == who.full_name != who.user.username, name
