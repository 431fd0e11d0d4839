"""A member's first screen and the header's brand (issue 25, items 9 and 11).

With one sitting in progress the member lands in it; otherwise a list of their sittings,
each with its state and its start in TIME_ZONE. Chinese pages carry no English brand
word beside 议厅.
"""

from __future__ import annotations

import re

import pytest


def login(client, username: str) -> None:
    assert client.login(username=username, password=f"pw-{username}")


def header(page: str) -> str:
    return re.search(r"<header.*?</header>", page, flags=re.S).group(0)


@pytest.mark.django_db
def test_a_member_lands_in_the_sitting_in_progress(client, committee):
    committee.group_b_sitting.state = "live"
    committee.group_b_sitting.save()
    login(client, "m2")  # the plenary and group B are theirs
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/tablet/{committee.group_b_sitting.pk}/"


@pytest.mark.django_db
def test_without_one_in_progress_the_list_says_each_state_and_time(client, committee):
    committee.plenary.state = "ended"
    committee.plenary.save()
    login(client, "m2")
    response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    plenary, group = committee.plenary.pk, committee.group_b_sitting.pk
    assert f'data-sitting="{plenary}"' in page and f'data-sitting="{group}"' in page
    assert f"/tablet/{committee.group_a_sitting.pk}/" not in page  # not their group
    assert "已结束" in page and "未开始" in page
    # 09:00 UTC is 17:00 in Asia/Shanghai (TIME_ZONE), never the UTC hour
    assert "2026-11-24 17:00" in page and "09:00" not in page


@pytest.mark.django_db
def test_two_in_progress_lists_both(client, committee):
    for s in (committee.plenary, committee.group_b_sitting):
        s.state = "live"
        s.save()
    login(client, "m2")
    page = client.get("/").content.decode()
    assert page.count('data-state="live"') == 2
    assert page.count("进行中") >= 2


@pytest.mark.django_db
def test_no_english_brand_word_on_chinese_pages(client, committee):
    committee.plenary.state = "ended"
    committee.plenary.save()
    login(client, "m2")
    home = client.get("/").content.decode()
    tablet = client.get(f"/tablet/{committee.group_b_sitting.pk}/").content.decode()
    for page in (home, tablet):
        assert "议厅" in header(page)
        assert "Yiting" not in header(page)
    # an English page may name it
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get(f"/tablet/{committee.group_b_sitting.pk}/").content.decode()
    assert "Yiting" in header(english)
