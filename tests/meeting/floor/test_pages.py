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
