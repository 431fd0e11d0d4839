"""The console index (side-by-side sittings), the console and the wall display pages."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def page(member, url: str):
    c = Client()
    c.force_login(member.user)
    return c.get(url)


def columns(html: str) -> int:
    return html.count('class="col" data-sitting=')


def test_session_clerk_sees_every_sitting_side_by_side(committee):
    html = page(committee.clerk, "/console/").content.decode()
    assert columns(html) == 3
    for s in (committee.plenary, committee.group_a_sitting, committee.group_b_sitting):
        assert f'data-ws="/ws/sittings/{s.pk}/"' in html
    assert "/proceedings/sessions/" in html


def test_clerk_of_one_group_sitting_sees_and_runs_only_it(committee):
    committee.group_b_sitting.clerk = committee.clerk
    committee.group_b_sitting.save()
    html = page(committee.clerk, "/console/").content.decode()
    assert columns(html) == 1 and f'data-sitting="{committee.group_b_sitting.pk}"' in html
    assert page(committee.clerk, f"/console/{committee.group_b_sitting.pk}/").status_code == 200
    assert page(committee.clerk, f"/console/{committee.plenary.pk}/").status_code == 403


def test_console_has_agenda_attendance_shortcuts_and_every_panel(committee):
    html = page(committee.clerk, f"/console/{committee.plenary.pk}/").content.decode()
    for needle in (
        'id="agenda"',
        'id="roster"',
        'id="quorum"',
        'id="online-count"',
        'id="keys-help"',
        'id="floor-panel"',
        'id="vote-console"',
        'id="documents-console"',
        f"/display/{committee.plenary.pk}/",
    ):
        assert needle in html, needle


def test_wall_display_is_read_only(committee):
    html = page(committee.display, f"/display/{committee.plenary.pk}/").content.decode()
    assert 'id="current-item"' in html and 'id="wall-vote"' in html
    assert "<form" not in html.split('id="wall"')[1]  # no controls on the wall
    assert page(committee.members[0], f"/display/{committee.plenary.pk}/").status_code == 403
