"""Real headless Chromium on a real Daphne: the tablet under real fingers, and the vote bar.

Touch: a context with ``has_touch`` and touches sent through CDP
``Input.dispatchTouchEvent`` (the events a touch screen gives, not mouse events): a swipe
to the left turns to the next page, to the right back; two fingers spread apart zoom in
(the page grows past the stage) and pinched together zoom out again; with the pen on, a
sideways stroke is ink on the page (stored), never a page turn.

The vote-result bar: closed by the member, it stays closed after a reload (for that vote);
the next vote's result has its bar again.
"""

from __future__ import annotations

import pytest

from harness.browser import launch, live_page, shot
from harness.servers import Stack
from meeting.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.e2e]
PW = DEMO_PASSWORD

SETUP = """
from core.models import Sitting
from meeting.services import agenda, attendance
from core.roster import sitting_roster
from core.policy import Acting
from harness.documents import distributed, numbered_pdf
s = Sitting.objects.get(kind="plenary")
item = s.agenda_items.order_by("order").first()
agenda.open_item(s.pk, item.pk, actor=Acting(role="clerk"))
for m in sitting_roster(s).order_by("seat")[:8]:
    attendance.check_in(s.pk, m, method="clerk")
doc = distributed(s, numbered_pdf(6), "条例草案", item=item)
result = {"sitting": s.pk, "doc": doc.pk, "item": item.pk}
"""

VOTE_AND_CLOSE = """
from core.models import Sitting
from core.policy import Acting
from meeting.voting.services import VoteSpec, close_vote, open_vote, prepare
s = Sitting.objects.get(kind="plenary")
clerk = Acting(role="clerk")
v = prepare(s.pk, VoteSpec(item_id=s.agenda_items.order_by("order").first().pk,
                           question=QUESTION), actor=clerk)
open_vote(s.pk, v.pk, actor=clerk)
close_vote(s.pk, v.pk, actor=clerk)
result = v.pk
"""


async def loaded(page, doc: int, n: int) -> None:
    await page.wait_for_selector(f'#docs-page[data-loaded="{doc}:{n}"]', timeout=20000)


class Fingers:
    """Touches through CDP: touchStart / touchMove / touchEnd with one or two points."""

    def __init__(self, cdp) -> None:
        self.cdp = cdp

    async def send(self, type_: str, points: list[tuple[float, float]]) -> None:
        touch = [
            {"x": x, "y": y, "id": i, "radiusX": 4, "radiusY": 4} for i, (x, y) in enumerate(points)
        ]
        await self.cdp.send("Input.dispatchTouchEvent", {"type": type_, "touchPoints": touch})

    async def drag(self, start: list[tuple], end: list[tuple], steps: int = 10) -> None:
        await self.send("touchStart", start)
        for k in range(1, steps + 1):
            f = k / steps
            now = [
                (a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f)
                for a, b in zip(start, end, strict=True)
            ]
            await self.send("touchMove", now)
        await self.send("touchEnd", [])


async def test_swipe_pinch_and_the_pen_under_real_touches(tmp_path):
    from playwright.async_api import async_playwright

    with Stack(tmp_path, workers=1).start(demo_members=12) as stack:
        base = stack.urls[0]
        info = stack.python(SETUP)
        sid, doc = info["sitting"], info["doc"]
        async with async_playwright() as pw:
            browser = await launch(pw)
            try:
                t = await live_page(
                    browser, base, PW, "m006", f"/tablet/{sid}/", (820, 1180), has_touch=True
                )
                fingers = Fingers(await t.context.new_cdp_session(t))
                await t.click(f'#docs-list button[data-doc="{doc}"]')
                await loaded(t, doc, 1)
                box = await t.locator("#docs-viewport").bounding_box()
                x0, w = box["x"], box["width"]
                y = box["y"] + 400

                # a swipe to the left: the next page; to the right: back
                await fingers.drag([(x0 + w * 0.8, y)], [(x0 + w * 0.2, y + 8)])
                await loaded(t, doc, 2)
                await fingers.drag([(x0 + w * 0.8, y)], [(x0 + w * 0.2, y - 8)])
                await loaded(t, doc, 3)
                await fingers.drag([(x0 + w * 0.2, y)], [(x0 + w * 0.8, y)])
                await loaded(t, doc, 2)
                # a short drag is no swipe
                await fingers.drag([(x0 + w * 0.5, y)], [(x0 + w * 0.5 - 20, y)])
                await t.wait_for_timeout(300)  # a wrong turn would have started; not timing
                assert await t.get_attribute("#docs-page", "data-page") == "2"

                # two fingers spread apart: zoom in, the page grows past the stage
                cx = x0 + w / 2
                await fingers.drag([(cx - 60, y), (cx + 60, y)], [(cx - 180, y), (cx + 180, y)])
                await t.wait_for_function(
                    "document.getElementById('docs-zoom').textContent !== '100%'"
                )
                zoom = int((await t.text_content("#docs-zoom")).rstrip("%"))
                assert zoom > 150, zoom
                sheet = await t.locator("#docs-sheet").bounding_box()
                assert sheet["width"] > w * 1.5
                await loaded(t, doc, 2)
                await shot(t, "screens/tablet-touch-pinched-820x1180")
                # zoomed in, a sideways drag looks around the page: no turn
                await fingers.drag([(x0 + w * 0.8, y)], [(x0 + w * 0.2, y)])
                await t.wait_for_timeout(300)  # a wrong turn would have started; not timing
                assert await t.get_attribute("#docs-page", "data-page") == "2"
                # pinched together: back to the fitted page
                await fingers.drag([(cx - 200, y), (cx + 200, y)], [(cx - 40, y), (cx + 40, y)])
                await t.wait_for_function(
                    "document.getElementById('docs-zoom').textContent === '100%'"
                )

                # the pen on: a sideways stroke is ink, not a page turn
                await t.click("#docs-ink-pen")
                await fingers.drag([(x0 + w * 0.8, y)], [(x0 + w * 0.2, y + 30)], steps=15)
                await t.wait_for_selector("#docs-ink[data-strokes='1']")
                await t.wait_for_function(
                    "!document.getElementById('docs-ink-state').textContent"
                )  # saved
                assert await t.get_attribute("#docs-page", "data-page") == "2"
                await shot(t, "screens/tablet-touch-pen-820x1180")
                await t.click("#docs-ink-pen")  # off: swiping turns again
                await fingers.drag([(x0 + w * 0.8, y)], [(x0 + w * 0.2, y)])
                await loaded(t, doc, 3)
            finally:
                await browser.close()
        [[page, points]] = stack.python(
            "from docs_store.models import InkStroke\n"
            "result = [[s.page, len(s.points)] for s in InkStroke.objects.all()]"
        )
    assert page == 2
    assert points >= 10


async def test_a_closed_result_bar_stays_closed_after_a_reload(tmp_path):
    from playwright.async_api import async_playwright

    with Stack(tmp_path, workers=1).start(demo_members=12) as stack:
        base = stack.urls[0]
        info = stack.python(SETUP)
        sid = info["sitting"]
        first = stack.python("QUESTION = '第一项表决'\n" + VOTE_AND_CLOSE)
        async with async_playwright() as pw:
            browser = await launch(pw)
            try:
                t = await live_page(browser, base, PW, "m006", f"/tablet/{sid}/", (820, 1180))
                # a result from before this page: a bar, closed by the member
                await t.wait_for_selector("#tablet-vote[data-mode=bar] .tv-outcome")
                assert await t.evaluate("window.yitingVoteSheet.vote.id") == first
                await t.click("#tablet-vote [data-act=dismiss]")
                await t.wait_for_selector("#tablet-vote", state="hidden")
                await t.reload()
                await t.wait_for_selector("#conn[data-state=live]")
                await t.wait_for_function("window.yitingVoteSheet.vote !== null")
                assert await t.get_attribute("#tablet-vote", "data-mode") == "none"
                assert await t.is_hidden("#tablet-vote")
                await shot(t, "screens/tablet-vote-bar-closed-820x1180")

                # the next vote's result has its bar (set up from outside this server
                # process, so it is seen at the next snapshot: a reload)
                second = stack.python("QUESTION = '第二项表决'\n" + VOTE_AND_CLOSE)
                await t.reload()
                await t.wait_for_selector("#conn[data-state=live]")
                await t.wait_for_selector("#tablet-vote[data-mode=bar] .tv-outcome")
                assert await t.evaluate("window.yitingVoteSheet.vote.id") == second
            finally:
                await browser.close()
