"""What the console, the wall and the tablet write, in real Chromium (issue 25, item 11).

- The quorum pill says what its numbers are ("出席 3 / 13 · 未达法定人数（需 7）", then
  "出席 7 / 13 · 已达法定人数（≥ 7）"), not a bare "38 / 65 · ✔ ≥ 33", on the console
  (head pill and attendance), the wall, the tablet and the session overview.
- A speech's length reads "11 秒" in the console's speaking log (it was the clock
  "00:11"); time.js ``fmtDuration`` and the server's ``|duration`` filter agree.
- The wall's "下一位：…" takes the full-width colon; no ASCII colon after Chinese text.

Screenshots: test-artifacts/screens/wording-console-1440x900.png, wording-wall-1920x1080.png.
"""

from __future__ import annotations

import re

import pytest

from harness.browser import launch, live_page, logged_in_page, shot
from harness.servers import Stack
from meeting.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.timeout(600)]
PW = DEMO_PASSWORD
CONSOLE, WALL, TABLET = (1440, 900), (1920, 1080), (820, 1180)

SETUP = """
import datetime as dt
from core.models import Sitting
from core.policy import Acting
from core.roster import sitting_roster
from meeting.floor.models import Speech
from meeting.services import agenda, attendance
from meeting.services.quorum import quorum

p = Sitting.objects.get(kind="plenary")
item = p.agenda_items.order_by("order").first()
agenda.open_item(p.pk, item.pk, actor=Acting(role="clerk"))
roster = list(sitting_roster(p).order_by("seat"))
for m in roster[:3]:
    attendance.check_in(p.pk, m, method="clerk")
speaker = [m for m in roster if m.role == "member"][0]
start = dt.datetime(2026, 11, 24, 9, 30, tzinfo=dt.UTC)
Speech.objects.create(sitting=p, member=speaker, agenda_item=item, kind="speech",
    started_at=start, ended_at=start + dt.timedelta(seconds=10.6), ended_how="finished")
q = quorum(p)
result = {"sitting": p.pk, "required": q.required, "roster": q.roster_size,
          "later": [m.seat for m in roster[3:q.required]], "speaker": speaker.user.username}
"""
ASCII_COLON = re.compile(r"[\u3400-\u9fff\u3001-\u303f\uff01-\uff5e]\s*:")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with Stack(tmp_path_factory.mktemp("wording"), workers=1).start(demo_members=12) as st:
        st.info = st.python(SETUP)
        yield st


async def no_ascii_colon(page, where: str) -> None:
    text = await page.evaluate("document.body.innerText")
    bad = [m.group(0) for m in ASCII_COLON.finditer(text)]
    assert not bad, f"ASCII colon after Chinese text ({where}): {bad}"


async def test_the_quorum_pill_and_the_speaking_log_say_what_they_are(stack):
    from playwright.async_api import async_playwright

    base, info = stack.urls[0], stack.info
    sid, need, roster = info["sitting"], info["required"], info["roster"]
    short = f"出席 3 / {roster} · 未达法定人数（需 {need}）"
    reached = f"出席 {need} / {roster} · 已达法定人数（≥ {need}）"
    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            clerk = await live_page(browser, base, PW, "clerk", f"/console/{sid}/", CONSOLE)
            wall = await live_page(browser, base, PW, "display", f"/display/{sid}/", WALL)
            tablet = await live_page(browser, base, PW, info["speaker"], f"/tablet/{sid}/", TABLET)
            overview = await logged_in_page(browser, base, "clerk", PW, width=1440, height=900)
            await overview.goto(f"{base}/console/")  # the session overview: no #conn
            for page in (clerk, wall):
                await page.wait_for_selector("#quorum.warn[data-present='3']")
                assert await page.text_content("#quorum") == short
            assert await clerk.text_content("#quorum-detail") == short
            await tablet.wait_for_selector("#quorum.warn[data-present='3']", state="attached")
            assert await tablet.text_content("#quorum") == short
            col = f"[data-sitting='{sid}'] [data-f=quorum]"
            await overview.wait_for_function(
                f"document.querySelector(\"{col}\").textContent.startsWith('出席')"
            )
            assert await overview.text_content(col) == short

            # the speaking log: a 10.6-second speech is "11 秒", not the clock "00:11"
            await clerk.click("#floor-log-box summary")
            cell = "#floor-log tr td.floor-log-length"
            await clerk.wait_for_selector(cell)
            assert await clerk.text_content(cell) == "11 秒"
            summary = await clerk.text_content("#floor-log-box summary")
            assert re.fullmatch(r"发言记录（\d+）", summary.strip()), summary
            # the browser's formatter and the label table read as the server's filter
            got = await clerk.evaluate(
                """async () => {
                  const { fmtDuration } = await import('/static/yiting/time.js');
                  return [10.6, 65, 3720, null].map(fmtDuration);
                }"""
            )
            assert got == ["11 秒", "1 分 05 秒", "1 小时 02 分", "0 秒"], got

            # the clerk checks the rest in by seat number (a check-in made outside the
            # server's processes would not be broadcast)
            box = "#seat-checkin input[name=seat]"
            for n, seat in enumerate(info["later"], start=4):
                await clerk.fill(box, seat)
                await clerk.press(box, "Enter")
                await clerk.wait_for_selector(f"#quorum[data-present='{n}']")
                # the form clears on the command's answer, which may follow the event
                await clerk.wait_for_function(f"document.querySelector('{box}').value === ''")
            # a seat nobody has is named back, not refused in general terms
            await clerk.fill(box, "998")
            await clerk.press(box, "Enter")
            await clerk.wait_for_selector("#console-error[data-code='not_on_roster']")
            said = await clerk.text_content("#console-error")
            assert said == "本次会议名单中没有座位号或卡号为 998 的人员。", said
            for page in (clerk, wall):
                await page.wait_for_selector(f"#quorum.ok[data-present='{need}']")
                assert await page.text_content("#quorum") == reached
            await overview.wait_for_function(
                f"document.querySelector(\"{col}\").textContent.includes('已达')"
            )
            assert await overview.text_content(col) == reached
            await tablet.wait_for_selector(f"#quorum.ok[data-present='{need}']", state="attached")
            assert await tablet.text_content("#quorum") == reached

            # the pill is in view and not covered, on the console and on the wall
            for page, size in ((clerk, CONSOLE), (wall, WALL)):
                hit = await page.evaluate(
                    """() => {
                      const el = document.querySelector('#quorum');
                      const r = el.getBoundingClientRect();
                      const h = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
                      return {ok: !!h && (h === el || el.contains(h)), w: r.width, right: r.right};
                    }"""
                )
                assert hit["ok"] and hit["right"] <= size[0], hit
            await no_ascii_colon(clerk, "console")
            await no_ascii_colon(wall, "wall")
            await shot(clerk, "screens/wording-console-1440x900")
            await shot(wall, "screens/wording-wall-1920x1080")
            # the tablet's agenda drawer carries the same pill, whole, in both orientations
            await tablet.evaluate("window.yitingTablet.open('agenda')")
            await tablet.wait_for_selector("[data-drawer-panel=agenda]:not([hidden]) #quorum")
            for w, h in (TABLET, TABLET[::-1]):
                await tablet.set_viewport_size({"width": w, "height": h})
                box = await tablet.evaluate(
                    """() => {
                      const r = document.querySelector('#quorum').getBoundingClientRect();
                      const a = document.querySelector('#drawer-agenda').getBoundingClientRect();
                      return {left: r.left, right: r.right, aRight: a.right, h: r.height};
                    }"""
                )
                assert box["left"] >= 0 and box["right"] <= box["aRight"] + 0.5, box
                await shot(tablet, f"screens/wording-tablet-agenda-{w}x{h}")
        finally:
            await browser.close()
