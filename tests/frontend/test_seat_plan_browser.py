"""The console's seat plan (座位图) in real Chromium: drawn, tapped, typed, edited.

With 70 members (more than the demo committee's 65) every seat is drawn inside the
attendance panel of a 1440×900 console that does not scroll, no two seats overlap, and
each says its state in a sign as well as a colour. A tap checks a member in and the
member's tablet says so; a second tap undoes it; a seat typed in the field still works;
"在线者全部签到" checks in the tablets online; the clerk edits the room's layout and the
plan is redrawn from it.
"""

from __future__ import annotations

import pytest

from harness.browser import launch, logged_in_page, shot
from harness.servers import Stack
from meeting.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.e2e]
PW = DEMO_PASSWORD
MEMBERS = 70
SETUP = """
from meeting.briefs.models import Leave
from core.models import Member, Sitting
p = Sitting.objects.get(kind="plenary")
ids = dict(Member.objects.filter(term=p.session.term).values_list("user__username", "pk"))
Leave.objects.create(sitting=p, member_id=ids["m070"], reason="因公出差")
result = {"plenary": p.pk, "ids": ids}
"""
# Every seat's box, and whether it lies inside the plan and clear of every other seat.
GEOMETRY = """() => {
  const room = document.querySelector("#roster .seat-room").getBoundingClientRect();
  const boxes = [...document.querySelectorAll("#roster .seat-room button.seat")].map((b) => {
    const r = b.getBoundingClientRect();
    const name = b.querySelector(".seat-name");
    return { x: r.left, y: r.top, r: r.right, b: r.bottom, name: name.textContent,
             whole: name.scrollWidth <= name.clientWidth };
  });
  const inside = boxes.every((q) => q.x >= room.left - 1 && q.r <= room.right + 1 && q.y >= room.top - 1 && q.b <= room.bottom + 1);
  let overlaps = 0;
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i], c = boxes[j];
    if (a.x < c.r - 1 && c.x < a.r - 1 && a.y < c.b - 1 && c.y < a.b - 1) overlaps++;
  }
  const minW = Math.min(...boxes.map((q) => q.r - q.x));
  const named = boxes.every((q) => q.name.length > 0 && q.whole);
  return { n: boxes.length, inside, overlaps, minW, named };
}"""


def seat(mid: int) -> str:
    return f"#roster button.seat[data-member='{mid}']"


async def test_the_seat_plan_is_tapped_typed_and_edited(tmp_path):
    from playwright.async_api import async_playwright

    with Stack(tmp_path, workers=1).start(demo_members=MEMBERS) as stack:
        base = stack.urls[0]
        info = stack.python(SETUP)
        sid, ids = info["plenary"], info["ids"]
        async with async_playwright() as pw:
            browser = await launch(pw)
            try:
                tablet = await logged_in_page(browser, base, "m005", PW, width=820, height=1180)
                await tablet.goto(f"{base}/tablet/{sid}/")
                await tablet.wait_for_selector("#conn[data-state=live]")
                clerk = await logged_in_page(browser, base, "clerk", PW, width=1440, height=900)
                await clerk.goto(f"{base}/console/{sid}/")
                await clerk.wait_for_selector("#conn[data-state=live]")
                await clerk.wait_for_selector(f"{seat(ids['m005'])}[data-state=online]")

                # drawn: every member, inside the panel, none overlapping, the page not scrolled
                geo = await clerk.evaluate(GEOMETRY)
                assert geo["n"] == MEMBERS and geo["inside"] and geo["overlaps"] == 0, geo
                assert geo["named"] and geo["minW"] >= 36, geo  # every name whole
                size = await clerk.evaluate(
                    "[document.scrollingElement.scrollWidth, document.scrollingElement.scrollHeight]"
                )
                assert size[0] <= 1440 and size[1] <= 900, size
                assert "主席台" in await clerk.text_content("#roster .seat-table")
                # the state is said in a sign, not in colour alone
                leave = clerk.locator(seat(ids["m070"]))
                assert await leave.get_attribute("data-state") == "leave"
                assert "假" in await leave.text_content()
                assert "请假" in await leave.get_attribute("aria-label")
                assert "◉" in await clerk.text_content(seat(ids["m005"]))
                assert "○" in await clerk.text_content(seat(ids["m006"]))
                assert "未到" in await clerk.get_attribute(seat(ids["m006"]), "aria-label")

                # tap: checked in, on the console and on the member's tablet
                await clerk.click(seat(ids["m005"]))
                await clerk.wait_for_selector(f"{seat(ids['m005'])}.present[data-state=present]")
                assert "✔" in await clerk.text_content(seat(ids["m005"]))
                await tablet.wait_for_selector("#checked-in:visible")
                assert await tablet.is_hidden("#check-in")
                # tap again: undone
                await clerk.click(seat(ids["m005"]))
                await clerk.wait_for_selector(f"{seat(ids['m005'])}[data-state=online]")
                await tablet.wait_for_selector("#checked-in", state="hidden")
                assert await tablet.is_visible("#check-in")

                # a seat typed (without its zeros) and a card number still check in
                await clerk.fill("#seat-checkin input[name=seat]", "7")
                await clerk.press("#seat-checkin input[name=seat]", "Enter")
                await clerk.wait_for_selector(f"{seat(ids['m007'])}[data-state=present]")
                await clerk.fill("#seat-checkin input[name=seat]", "880009")
                await clerk.press("#seat-checkin input[name=seat]", "Enter")
                await clerk.wait_for_selector(f"{seat(ids['m009'])}[data-state=present]")
                # every tablet online, checked in at once
                await clerk.click("#check-in-online")
                await clerk.wait_for_selector(f"{seat(ids['m005'])}[data-state=present]")
                await tablet.wait_for_selector("#checked-in:visible")
                await shot(clerk, f"screens/console-seat-plan-{MEMBERS}")

                # the clerk edits the room's layout: two rows, an aisle, the rest unplaced
                await clerk.click("#seating-edit")
                await clerk.fill("#seating-form textarea", "003 002 | 001\n005 004")
                await clerk.click("#seating-save")
                await clerk.wait_for_selector("#seating-dialog", state="hidden")
                await clerk.wait_for_selector("#roster .seat-unplaced")
                front = await clerk.eval_on_selector_all(
                    "#roster .seat-room button.seat", "bs => bs.map((b) => b.dataset.member)"
                )
                assert front == [str(ids[u]) for u in ("m003", "m002", "chair", "m005", "m004")]
                unplaced = await clerk.locator("#roster .seat-unplaced button.seat").count()
                assert unplaced == MEMBERS - 5
                assert "自动排列" not in await clerk.text_content("#roster .seat-table")
                # a seat no one holds is refused in Chinese, naming it; nothing changes
                await clerk.click("#seating-edit")
                await clerk.fill("#seating-form textarea", "003 999")
                await clerk.click("#seating-save")
                await clerk.wait_for_selector("#seating-error:visible")
                text = await clerk.text_content("#seating-error")
                assert "999" in text and "座位" in text, text
                # back to the default layout
                await clerk.click("#seating-reset")
                await clerk.wait_for_selector("#seating-dialog", state="hidden")
                await clerk.wait_for_selector("#roster .seat-unplaced", state="detached")
                assert await clerk.locator("#roster .seat-room button.seat").count() == MEMBERS
            finally:
                await browser.close()
