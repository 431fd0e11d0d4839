"""Issue 12's page-level defects over Django's test client: 403 pages that say whom a page
is for, the favicon, no connection badge where there is no connection, times in
TIME_ZONE, Chinese labels, and the client's error map against the protocol's codes."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "frontend" / "static" / "yiting"


def login(client, username: str) -> None:
    assert client.login(username=username, password=f"pw-{username}")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "says"), [("/console/", "会务人员和会议主持人"), ("/review/", "机关档案工作人员")]
)
def test_a_member_gets_403_with_a_page_saying_whom_it_is_for(client, committee, path, says):
    login(client, "m1")
    response = client.get(path)
    assert response.status_code == 403
    page = response.content.decode()
    assert says in page and 'id="forbidden"' in page


@pytest.mark.django_db
def test_staff_and_clerk_still_open_their_pages(client, committee):
    login(client, "staff")
    assert client.get("/review/").status_code == 200
    login(client, "clerk")
    assert client.get("/console/").status_code == 200


@pytest.mark.django_db
def test_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("yiting/favicon.svg")
    assert (STATIC / "favicon.svg").read_text().startswith("<svg")


@pytest.mark.django_db
def test_connection_badge_only_on_pages_with_a_socket(client, committee):
    assert 'id="conn"' not in client.get("/login/").content.decode()
    login(client, "clerk")
    assert 'id="conn"' not in client.get("/console/").content.decode()
    assert 'id="conn"' not in client.get("/proceedings/").content.decode()
    assert 'id="conn"' in client.get(f"/console/{committee.plenary.pk}/").content.decode()
    login(client, "staff")
    assert 'id="conn"' not in client.get("/review/").content.decode()


@pytest.mark.django_db
def test_deputy_record_shows_local_times(client, committee):
    from core.models import Attendance

    at = dt.datetime(2026, 11, 30, 7, 59, 0, tzinfo=dt.UTC)  # 15:59 in Asia/Shanghai
    Attendance.objects.create(
        sitting=committee.plenary, member=committee.members[0], checked_in_at=at, method="clerk"
    )
    login(client, "staff")
    page = client.get(f"/media/members/{committee.members[0].pk}/record/").content.decode()
    assert "2026-11-30 15:59" in page and "07:59" not in page


def test_time_filter_formats_iso_and_datetimes_in_time_zone(settings):
    from frontend.templatetags.yiting_time import localtime

    settings.TIME_ZONE = "Asia/Shanghai"
    assert localtime("2026-11-30T08:00:28+00:00", "second") == "2026-11-30 16:00:28"
    assert localtime(dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)) == "2026-11-30 16:00"
    assert localtime("") == "" and localtime("not a time") == ""


def test_the_browser_holds_no_error_sentences_of_its_own():
    """One map: realtime/protocol/messages.py. errors.js reads the page's table."""
    text = (STATIC / "errors.js").read_text(encoding="utf-8")
    assert not re.search(r"[\u4e00-\u9fff]", text)
    assert "yiting-errors" in text and "ERROR_MESSAGES" not in text


@pytest.mark.django_db
def test_every_page_carries_the_chinese_sentence_of_every_code(client, committee):
    import json

    import realtime.handlers  # noqa: F401  (features register their codes at import)
    from realtime.protocol.errors import ERROR_CODES

    login(client, "clerk")
    page = client.get(f"/console/{committee.plenary.pk}/").content.decode()
    raw = re.search(r'<script id="yiting-errors" type="application/json">(.+?)</script>', page)
    assert raw, "the page has no error table"
    table = json.loads(raw.group(1))
    missing = sorted(set(ERROR_CODES) - set(table["messages"]))
    assert not missing, f"no sentence for {missing}"
    for code in [*ERROR_CODES, "offline", "disconnected"]:
        assert re.search(r"[\u4e00-\u9fff]", table["messages"][code]), code
    assert "{required}" in table["details"]["no_quorum"]


@pytest.mark.django_db
def test_label_table_is_chinese_for_every_code(settings):
    from django.utils import translation

    from frontend.labels import labels

    with translation.override("zh-hans"):
        table = labels()
    for kind, words in table.items():
        for code, word in words.items():
            assert re.search(r"[\u4e00-\u9fff]", word), (kind, code, word)
    assert table["doc_state"]["distributed"] == "已分发"
    assert table["sitting_state"]["live"] != table["role"].get("live", "?")


def test_pinyin_initials_of_member_names():
    from frontend.review_filters import initials

    assert initials("李玉兰") == "lyl"
    assert initials("王建国").startswith("wjg")


@pytest.mark.django_db
def test_review_offers_names_not_ids(client, committee):
    login(client, "staff")
    page = client.get("/review/").content.decode()
    assert "委员1" in page and "第一次会议" in page
    assert 'name="who"' in page and 'inputmode="numeric"' not in page


@pytest.mark.django_db
def test_clip_list_takes_several_members(client, committee):
    login(client, "staff")
    ids = f"{committee.members[0].pk},{committee.members[1].pk}"
    assert client.get(f"/media/clips/?member={ids}").status_code == 200
    bad = client.get("/media/clips/?member=1,x")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid"
