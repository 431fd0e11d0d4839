"""The floor panels render in each page with the labels their script reads."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def page(user, url: str) -> str:
    c = Client()
    c.force_login(user)
    response = c.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_tablet_console_and_wall_carry_the_floor_panel(committee):
    sid = committee.group_a_sitting.pk
    tablet = page(committee.members[0].user, f"/tablet/{sid}/")
    assert 'id="floor-panel"' in tablet and 'data-kind="point_of_order"' in tablet
    assert 'id="floor-my-timer"' in tablet and "data-k-point_of_order=" in tablet
    console = page(committee.clerk.user, f"/console/{sid}/")
    assert 'id="floor-grant-next"' in console and f"/floor/sittings/{sid}/log.csv" in console
    assert 'id="floor-priority"' not in console  # the priority action is the chair's
    chair = page(committee.chair.user, f"/console/{sid}/")
    assert 'id="floor-priority"' in chair
    wall = page(committee.display.user, f"/display/{sid}/")
    assert 'id="floor-now"' in wall and 'id="floor-next"' in wall


def test_admin_shows_the_log_read_only(committee, group_a_floor):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root", password="pw-root")
    c = Client()
    c.force_login(admin)
    page = c.get("/admin/floor/speech/")
    assert page.status_code == 200 and "委员1" in page.content.decode()
    speech_id = group_a_floor.pk
    assert c.post(f"/admin/floor/speech/{speech_id}/delete/", {"post": "yes"}).status_code == 403
    assert c.get("/admin/floor/speech/add/").status_code == 403


@pytest.fixture
def group_a_floor(committee):
    from meeting.floor import services as floor

    return floor.grant(
        committee.group_a_sitting.pk,
        role="chair",
        by_user_id=None,
        member_id=committee.members[0].pk,
    )
