"""One test per class of outside value that used to reach ``int()`` or the database.

Huge and non-ASCII numbers in list filters and forms, lone surrogates in JSON bodies:
each answers 400 naming the field, in Chinese, and stores nothing.
"""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from harness.actors import CLERK

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
NUMBERS = ["99999999999999999999999", "²", "١٢", "-1", "1.5"]


def _client(user) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    c.force_login(user)
    return c


def _error(resp) -> dict:
    body = resp.json()
    return body.get("error", body)


@pytest.mark.parametrize("value", NUMBERS)
@pytest.mark.parametrize("name", ["member", "session", "sitting", "item", "term"])
def test_clip_list_filters_name_the_bad_field(committee, name, value):
    resp = _client(committee.staff.user).get("/media/clips/", {name: value})
    assert resp.status_code == 400
    err = _error(resp)
    assert err["code"] == "invalid" and err["details"]["field"] == name
    assert CJK.search(err["message"])


@pytest.mark.parametrize("value", NUMBERS)
def test_floor_totals_session_names_the_field(committee, value):
    member = committee.members[0]
    resp = _client(member.user).get(f"/floor/members/{member.pk}/totals.json", {"session": value})
    assert resp.status_code == 400
    err = _error(resp)
    assert err["code"] == "invalid" and err["details"]["field"] == "session"


@pytest.mark.parametrize("value", NUMBERS)
def test_audit_filter_refuses_bad_numbers(committee, value):
    resp = _client(committee.clerk.user).get("/proceedings/audit/", {"session": value})
    assert resp.status_code == 400


@pytest.mark.parametrize(
    "body",
    [{"page": 1, "text": "\ud800"}, {"page": 1, "text": "a\udfffb"}],
)
def test_a_note_with_a_lone_surrogate_is_invalid(committee, body):
    from docs_store.services.distribution import distribute
    from docs_store.services.upload import Upload, upload_documents
    from tests.docs_store.conftest import make_pdf

    [doc] = upload_documents(
        committee.session, [Upload("a.pdf", make_pdf(1))], by=committee.clerk.user
    )
    distribute(committee.session, actor=CLERK, by=committee.clerk.user, ids=[doc.pk])
    resp = _client(committee.members[0].user).post(
        f"/docs/d/{doc.pk}/notes/", json.dumps(body), content_type="application/json"
    )
    assert resp.status_code == 400
    err = _error(resp)
    assert err["code"] == "invalid" and CJK.search(err["message"])
    from docs_store.models import PageNote

    assert not PageNote.objects.exists()


@pytest.mark.parametrize("value", ["99999999999999999999999", "²", "0"])
def test_preparation_form_numbers_are_bounded(committee, value):
    resp = _client(committee.clerk.user).post(
        f"/proceedings/sittings/{committee.plenary.pk}/items/",
        {"title": "议题", "presenter": value, "first_speech_limit_s": value},
    )
    assert resp.status_code == 400, resp.status_code
