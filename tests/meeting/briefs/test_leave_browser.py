"""Real headless Chromium on a real Daphne process: the clerk's leave page (请假登记).

From the console's attendance card the clerk opens the page, enters a member's leave,
changes its reason and withdraws it; a console open beside it shows 假 on that seat and
takes it off again without a reload. A member checked in meanwhile is refused with the
reason in Chinese. Screenshots at the console's 1440 × 900; every control used is what
a click at its centre reaches.
"""

from __future__ import annotations

import re

import pytest

from harness.browser import allow_console_error, launch, logged_in_page
from harness.servers import Stack
from meeting.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.e2e]
SHOTS = "/tmp/shots/leave"


async def _hit(page, selector: str) -> None:
    ok = await page.evaluate(
        """(sel) => { const el = document.querySelector(sel); if (!el) return false;
          el.scrollIntoView({ block: 'center' }); const r = el.getBoundingClientRect();
          const at = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
          return r.width > 0 && r.height > 0 && (at === el || el.contains(at)); }""",
        selector,
    )
    assert ok, f"{selector} is covered or not shown"


async def _no_english(page) -> None:
    text = await page.locator("main").inner_text()
    words = [w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in ("MB", "PDF")]
    assert not words, words


async def test_the_clerk_records_leave_and_the_console_shows_it_live(tmp_path):
    from playwright.async_api import async_playwright

    with Stack(tmp_path, workers=1).start(demo_members=12) as stack:
        base = stack.urls[0]
        plenary, member, present = stack.python(
            "from core.models import Sitting\n"
            "from core.roster import sitting_roster\n"
            "from meeting.briefs.models import Leave\n"
            "s = Sitting.objects.get(kind='plenary', session__number=20)\n"
            "free = [m.pk for m in sitting_roster(s).order_by('seat')\n"
            "        if not Leave.objects.filter(sitting=s, member=m).exists()\n"
            "        and not s.attendance.filter(member=m).exists()]\n"
            "result = [s.pk, free[1], free[2]]"
        )
        async with async_playwright() as pw:
            browser = await launch(pw)
            try:
                console = await logged_in_page(
                    browser, base, "clerk", DEMO_PASSWORD, width=1440, height=900
                )
                await console.goto(f"{base}/console/{plenary}/")
                await console.wait_for_selector("#conn[data-state=live]")
                seat = f"#roster button[data-member='{member}']"
                await console.wait_for_selector(seat)
                assert await console.get_attribute(seat, "data-state") != "leave"
                await _hit(console, "#leave-link")
                assert await console.text_content("#leave-link") == "请假登记"

                page = await console.context.new_page()
                await page.set_viewport_size({"width": 1440, "height": 900})
                await page.goto(f"{base}/briefs/sittings/{plenary}/leave/")
                row = f"#leave-table tr[data-member='{member}']"
                await page.wait_for_selector(row)
                await _no_english(page)
                await page.screenshot(path=f"{SHOTS}/leave-page-1440x900.png")

                # enter: the page says so, the console's seat turns to 假 without a reload
                await page.fill(f"{row} input[name=reason]", "因公出差")
                await _hit(page, f"{row} button[value=enter]")
                await page.click(f"{row} button[value=enter]")
                await page.wait_for_selector("#leave-done", timeout=10000)
                assert "因公出差" in await page.text_content("#leave-done")
                assert await page.get_attribute(row, "data-status") == "leave"
                await console.wait_for_selector(f"{seat}[data-state=leave]", timeout=10000)
                assert "假" in await console.text_content(seat)
                await _no_english(page)
                await page.screenshot(path=f"{SHOTS}/leave-entered-1440x900.png")
                await console.screenshot(path=f"{SHOTS}/console-seat-on-leave-1440x900.png")

                # change the reason, then withdraw: the seat is no longer 假
                await page.fill(f"{row} input[name=reason]", "因病")
                await _hit(page, f"{row} button[value=change]")
                await page.click(f"{row} button[value=change]")
                await page.wait_for_selector(
                    f"{row} input[name=reason][value='因病']", timeout=10000
                )
                await _hit(page, f"{row} button[value=withdraw]")
                await page.click(f"{row} button[value=withdraw]")
                await page.wait_for_selector(f"{row}[data-status=absent]", timeout=10000)
                await console.wait_for_selector(f"{seat}[data-state=absent]", timeout=10000)

                # a member checked in on the console after the page was loaded: refused
                other = f"#leave-table tr[data-member='{present}']"
                await page.fill(f"{other} input[name=reason]", "因事")
                other_seat = f"#roster button[data-member='{present}']"
                await _hit(console, other_seat)
                await console.click(other_seat)
                await console.wait_for_selector(f"{other_seat}[data-state=present]", timeout=10000)
                allow_console_error("status of 409")  # the refusal, on purpose
                await page.click(f"{other} button[value=enter]")
                refusal = page.locator("#refusal[data-code=checked_in]")
                await refusal.wait_for(timeout=10000)
                text = await refusal.text_content()
                assert "已签到" in text and "撤销签到" in text
                assert await page.get_attribute(other, "data-status") == "present"
                await _no_english(page)
                await page.screenshot(path=f"{SHOTS}/leave-refused-1440x900.png")
                # the session page links each sitting's leave page too
                session = stack.python(
                    f"from core.models import Sitting\nresult = Sitting.objects.get(pk={plenary}).session_id"
                )
                await page.goto(f"{base}/proceedings/sessions/{session}/")
                link = f"article[data-sitting='{plenary}'] a.leave-link"
                await _hit(page, link)
                assert await page.text_content(link) == "请假登记"
                await page.screenshot(path=f"{SHOTS}/session-page-link-1440x900.png")
                await page.click(link)
                await page.wait_for_selector("#leave-table", timeout=10000)
                left = stack.python(
                    "from meeting.briefs.models import Leave\n"
                    f"result = Leave.objects.filter(sitting_id={plenary}, member_id__in="
                    f"[{member}, {present}]).count()"
                )
                assert left == 0
            finally:
                await browser.close()
