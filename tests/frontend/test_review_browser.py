"""The review page in real Chromium (issue 25, items 4, 7 and 11).

With the demo's recorded past session: with 会议 = 全部 every 场次 and 议题 choice reads
differently and names its session; durations read "4 秒"; and "播放" on the last row,
with the page scrolled to the bottom, plays in a player that is on screen and
hit-testable at its centre (it stays beside the list). Screenshot at 1440×900.
"""

from __future__ import annotations

import pytest

from harness.browser import ARTIFACTS, launch, logged_in_page, shot
from harness.servers import Stack
from meeting.demo import DEMO_PASSWORD
from tests.frontend.test_control_room_browser import HIT

pytestmark = [pytest.mark.browser, pytest.mark.e2e]
OPTIONS = """(name) => [...document.querySelectorAll(`#review-filter select[name=${name}] option`)]
  .filter((o) => o.value).map((o) => o.textContent)"""


async def test_review_filters_durations_and_the_player_in_view(tmp_path):
    from playwright.async_api import async_playwright

    with Stack(tmp_path, workers=1).start(demo_members=12) as stack:
        stack.manage("demo", "--members", "12", "--no-documents", "--history", timeout=300)
        base = stack.urls[0]
        async with async_playwright() as pw:
            browser = await launch(pw)
            try:
                staff = await logged_in_page(
                    browser, base, "staff", DEMO_PASSWORD, width=1440, height=900
                )
                await staff.goto(f"{base}/review/")
                await staff.wait_for_selector("#review-table tbody tr >> nth=5")
                sittings = await staff.evaluate(OPTIONS, "sitting")
                items = await staff.evaluate(OPTIONS, "item")
                assert len(sittings) == len(set(sittings)) and len(sittings) > 2, sittings
                assert all(" · " in s for s in sittings), sittings  # the session named
                assert len(items) == len(set(items)) and len(items) > 2, items
                header = await staff.text_content("#review-table thead")
                assert "时长" in header and "（秒）" not in header
                durations = await staff.eval_on_selector_all(
                    "#review-table tbody tr td:nth-child(6)", "els => els.map((e) => e.textContent)"
                )
                assert all(d.strip().startswith("4 秒") for d in durations), durations

                await staff.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
                await staff.click("#review-table tbody tr:last-child button.play")
                await staff.wait_for_function(
                    "document.getElementById('review-video').readyState >= 2", timeout=20000
                )
                assert await staff.evaluate(HIT, "#review-video") == "ok"
                await staff.evaluate("window.scrollTo(0, 0)")
                assert await staff.evaluate(HIT, "#review-video") == "ok"
                await staff.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
                await shot(staff, "screens/review-1440x900-playing")
                await staff.screenshot(path=str(ARTIFACTS / "screens/review-1440x900-viewport.png"))
            finally:
                await browser.close()
