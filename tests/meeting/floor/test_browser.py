"""In real headless Chromium over a real Daphne: two requests, grant, countdown, end, log.

Two member tablets ask for the floor; the chair's console grants the first; the
countdown runs on the speaker's tablet and on the wall display; the chair ends it and
grants the second; the speaking log holds both floors with their stored times.
"""

from __future__ import annotations

import datetime as dt

import pytest

from harness.browser import launch, live_pages, shot
from harness.servers import Stack
from meeting.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.e2e]
PW = DEMO_PASSWORD
SETUP = """
from core.models import Member, Sitting
from meeting.services import agenda
from core.policy import Acting
s = Sitting.objects.get(kind='plenary')
item = s.agenda_items.order_by('order').first()
agenda.open_item(s.pk, item.pk, actor=Acting(role='clerk'))
ids = {m.user.username: m.pk for m in Member.objects.select_related('user')}
result = {'sitting': s.pk, 'm002': ids['m002'], 'm003': ids['m003'], 'limit': item.first_speech_limit_s}
"""
LOG = """
from meeting.floor.models import Speech
result = [
    [s.member_id, s.started_at.isoformat(), s.ended_at and s.ended_at.isoformat(), s.ended_how]
    for s in Speech.objects.order_by('started_at')
]
"""


async def remaining(page, selector: str) -> int:
    await page.wait_for_selector(f"{selector}[data-remaining]:not([data-remaining=''])")
    return int(await page.get_attribute(selector, "data-remaining"))


async def countdown_runs(page, selector: str, limit: int) -> None:
    """The number on screen is within the limit and goes down while we watch."""
    first = await remaining(page, selector)
    assert 0 < first <= limit
    await page.wait_for_function(
        "([sel, v]) => Number(document.querySelector(sel).dataset.remaining) < v",
        arg=[selector, first],
        timeout=15000,
    )


async def test_two_requests_grant_countdown_end_grant_and_the_log(tmp_path):
    from playwright.async_api import async_playwright

    with Stack(tmp_path, workers=1).start(demo_members=12) as stack:
        base = stack.urls[0]
        ids = stack.python(SETUP)
        sid, limit = ids["sitting"], ids["limit"]
        async with async_playwright() as pw:
            browser = await launch(pw)
            try:
                m2, m3, chair, wall = await live_pages(
                    browser,
                    base,
                    PW,
                    [
                        ("m002", f"/tablet/{sid}/"),
                        ("m003", f"/tablet/{sid}/"),
                        ("chair", f"/console/{sid}/"),
                        ("display", f"/display/{sid}/"),
                    ],
                )

                await m2.click("#floor-ask [data-kind=speech]")
                await m2.wait_for_selector("#floor-mypos[data-position='1']")
                await m3.click("#floor-ask [data-kind=speech]")
                await m3.wait_for_selector("#floor-mypos[data-position='2']")
                await chair.wait_for_selector(f"#floor-queue li[data-member='{ids['m002']}']")
                assert await chair.locator("#floor-queue li").count() == 2

                await chair.click(f"#floor-queue li[data-member='{ids['m002']}'] [data-act=grant]")
                await m2.wait_for_selector("#floor-mine:not([hidden])")
                await countdown_runs(m2, "#floor-my-timer", limit)
                wall_timer = f"#floor-now [data-member='{ids['m002']}'] .floor-timer"
                await countdown_runs(wall, wall_timer, limit)
                await m3.wait_for_selector("#floor-mypos[data-position='1']")
                await shot(wall, "floor-wall-countdown")

                await chair.click(f"#floor-now [data-member='{ids['m002']}'] [data-act=finished]")
                await m2.wait_for_selector("#floor-mine", state="hidden")
                await chair.click("#floor-grant-next")
                await m3.wait_for_selector("#floor-mine:not([hidden])")
                await countdown_runs(m3, "#floor-my-timer", limit)
                await wall.wait_for_selector(f"#floor-now [data-member='{ids['m003']}']")
                # the speaker's tablet drops: the floor stays and the console says so
                await m3.context.close()
                await chair.wait_for_selector(
                    f"#floor-now [data-member='{ids['m003']}'] .floor-offline"
                )
                await wall.wait_for_selector(f"#floor-now [data-member='{ids['m003']}']")
                await chair.click(f"#floor-now [data-member='{ids['m003']}'] [data-act=finished]")
                await chair.wait_for_selector("#floor-log tr:nth-child(2)", state="attached")
                hows = await chair.eval_on_selector_all(
                    "#floor-log tr", "rows => rows.map(r => r.dataset.endedHow)"
                )
                assert hows == ["finished", "finished"]
                await shot(chair, "floor-console-log")
            finally:
                await browser.close()
        log = stack.python(LOG)
    assert [row[0] for row in log] == [ids["m002"], ids["m003"]]
    for _member, started, ended, how in log:
        assert how == "finished"
        assert dt.datetime.fromisoformat(ended) > dt.datetime.fromisoformat(started)
    assert dt.datetime.fromisoformat(log[1][1]) >= dt.datetime.fromisoformat(log[0][2])


SHORT_ITEM = """
from meeting.floor.services import set_rules
from core.models import Member, Sitting
from meeting.services import agenda
from core.policy import Acting
s = Sitting.objects.get(kind='plenary')
item = s.agenda_items.order_by('order').first()
item.first_speech_limit_s = 8
item.on_time_up = 'end'
item.save()
agenda.open_item(s.pk, item.pk, actor=Acting(role='clerk'))
set_rules(s.pk, role='clerk', warn_before_s=6)
result = {'sitting': s.pk, 'm002': Member.objects.get(user__username='m002').pk}
"""


async def test_warning_then_cut_at_zero_on_the_tablet_and_the_wall(tmp_path):
    """The server's own sweeper (single-process mode) warns, then ends the floor at zero."""
    from playwright.async_api import async_playwright

    from harness.servers import WsClient, login_cookie

    with Stack(tmp_path, workers=1).start(demo_members=12) as stack:
        base = stack.urls[0]
        ids = stack.python(SHORT_ITEM)
        sid = ids["sitting"]
        async with async_playwright() as pw:
            browser = await launch(pw)
            try:
                tablet, wall = await live_pages(
                    browser,
                    base,
                    PW,
                    [("m002", f"/tablet/{sid}/"), ("display", f"/display/{sid}/")],
                )
                clerk = WsClient(base, sid, login_cookie(base, "clerk", PW))
                await clerk.connect()
                r = await clerk.request("floor.grant", {"member": ids["m002"]}, key="g")
                assert r["ok"], r
                await tablet.wait_for_selector("#floor-mine.warned", timeout=20000)
                await wall.wait_for_selector(".floor-timer.warn, .floor-timer.up")
                await tablet.wait_for_selector("#floor-mine", state="hidden", timeout=20000)
                await wall.wait_for_selector("#floor-now .muted")  # nobody has the floor
                await clerk.close()
            finally:
                await browser.close()
        [[how, ended, started]] = stack.python(
            "from meeting.floor.models import Speech\n"
            "result = [[s.ended_how, s.ended_at.isoformat(), s.started_at.isoformat()]"
            " for s in Speech.objects.all()]"
        )
    assert how == "time_limit"
    assert dt.datetime.fromisoformat(ended) - dt.datetime.fromisoformat(started) == dt.timedelta(
        seconds=8
    )
