"""会务通知 and 呼叫服务 in real headless Chromium over a real Daphne (issue 25 item 12 c/d).

The clerk sends "请各位委员回到座位" from the console: a portrait and a landscape tablet
show it under the top bar, with the floor dock and "知道了" both hit-testable. A member
calls for 茶水 from the top bar: the console shows the call live with seat, name and the
time in TIME_ZONE; the clerk takes it: the tablet shows "已受理 HH:MM". A dismissed notice
stays dismissed after a reload; one not dismissed is still there (kept in the database).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from harness.browser import ARTIFACTS, launch, live_page, shot
from harness.servers import Stack
from meeting.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.e2e]
PW = DEMO_PASSWORD
TZ = ZoneInfo("Asia/Shanghai")  # deploy.settings' TIME_ZONE by default
NOTICE = "请各位委员回到座位"
SETUP = """
from core.models import Member, Sitting
from harness.documents import distributed, numbered_pdf
s = Sitting.objects.get(kind='plenary')
m = Member.objects.get(user__username='m002')
doc = distributed(s, numbered_pdf(2), '会务安排说明', item=s.agenda_items.order_by('order').first())
result = {'sitting': s.pk, 'm002': m.pk, 'name': m.full_name, 'seat': m.seat, 'doc': doc.pk}
"""
CALL = """
from meeting.notices.models import ServiceCall
c = ServiceCall.objects.get()
result = [c.kind, c.state, c.called_at.isoformat(), c.taken_at and c.taken_at.isoformat()]
"""

HIT = """sel => {
  const el = document.querySelector(sel);
  if (!el) return 'missing';
  const r = el.getBoundingClientRect();
  if (r.width === 0 || r.height === 0) return 'no size';
  const x = r.left + r.width / 2, y = r.top + r.height / 2;
  if (x < 0 || y < 0 || x > innerWidth || y > innerHeight) return 'off screen';
  const hit = document.elementFromPoint(x, y);
  return hit && (hit === el || el.contains(hit)) ? 'ok' : 'covered by ' + (hit ? hit.outerHTML.slice(0, 80) : 'nothing');
}"""


async def hittable(page, selector: str) -> None:
    """On screen and the topmost element at its centre (scrolled to, inside its card)."""
    await page.locator(selector).first.scroll_into_view_if_needed()
    assert await page.evaluate(HIT, selector) == "ok", selector


def hm(iso: str) -> str:
    return dt.datetime.fromisoformat(iso).astimezone(TZ).strftime("%H:%M")


async def test_notice_reaches_tablets_and_a_call_is_taken_live(tmp_path):
    from playwright.async_api import async_playwright

    (ARTIFACTS / "screens").mkdir(parents=True, exist_ok=True)
    with Stack(tmp_path, workers=1).start(demo_members=12) as stack:
        base = stack.urls[0]
        ids = stack.python(SETUP)
        sid = ids["sitting"]
        async with async_playwright() as pw:
            browser = await launch(pw)
            try:
                clerk = await live_page(browser, base, PW, "clerk", f"/console/{sid}/", (1440, 900))
                m2 = await live_page(browser, base, PW, "m002", f"/tablet/{sid}/", (800, 1280))
                m3 = await live_page(browser, base, PW, "m003", f"/tablet/{sid}/", (1280, 800))

                # 新: the distributed document is new on both tablets until each opens it
                new = f"#documents-panel [data-doc='{ids['doc']}'] .docs-badge.new"
                for tablet in (m2, m3):
                    await tablet.wait_for_selector(new)
                    assert await tablet.locator(new).inner_text() == "新"
                await m2.click(f"#documents-panel [data-doc='{ids['doc']}']")
                await m2.wait_for_selector(new, state="detached")
                await m2.reload()
                await m2.wait_for_selector("#conn[data-state=live]")
                await m2.wait_for_function(
                    "() => (window.yitingDocs?.docs || []).some(d => 'new' in d)"
                )
                assert await m2.locator(new).count() == 0  # the server knows it was opened
                await m2.evaluate("window.yitingTablet.open('docs')")  # the list, mark gone
                await m3.wait_for_selector(new)

                # 会务通知: the clerk sends to every seat
                await hittable(clerk, "#notice-text")
                await clerk.fill("#notice-text", NOTICE)
                await hittable(clerk, "#notice-send")
                await clerk.click("#notice-send")
                await clerk.wait_for_selector(f"#desk-notices li:has-text('{NOTICE}')")
                for tablet, name in ((m2, "portrait-800x1280"), (m3, "landscape-1280x800")):
                    await tablet.wait_for_selector(
                        f"#tablet-notices .tn-notice:has-text('{NOTICE}')"
                    )
                    await hittable(tablet, "#tablet-notices .tn-ok")
                    await hittable(tablet, "#service-call")
                    await hittable(tablet, "#floor-ask button")  # the dock is not covered
                    await shot(tablet, f"screens/notices-tablet-{name}")

                # 呼叫服务: m002 calls for tea from the top bar
                await m2.click("#service-call")
                await m2.wait_for_selector("#service-menu:not([hidden])")
                await hittable(m2, "#service-menu [data-kind=tea]")
                await m2.click("#service-menu [data-kind=tea]")
                await m2.wait_for_selector("#service-state:has-text('待受理')")
                await m2.wait_for_selector("#service-menu li.waiting:has-text('等待受理')")
                await hittable(m2, "#tablet-notices .tn-ok")  # the open menu covers no notice
                assert await m2.is_disabled("#service-menu [data-kind=tea]")  # one open at a time
                await shot(m2, "screens/notices-tablet-call-menu-800x1280")
                await m2.keyboard.press("Escape")

                row = clerk.locator("#desk-calls li.waiting")
                await row.wait_for()
                kind, state, called_at, _ = stack.python(CALL)
                assert (kind, state) == ("tea", "waiting")
                text = await row.inner_text()
                assert ids["name"] in text and ids["seat"] in text and "茶水" in text
                assert hm(called_at) in text
                await hittable(clerk, "#desk-calls li.waiting [data-take]")
                await clerk.screenshot(path=str(ARTIFACTS / "screens/notices-console-1440x900.png"))

                await clerk.click("#desk-calls li.waiting [data-take]")
                await clerk.wait_for_selector("#desk-calls li.taken")
                _, state, _, taken_at = stack.python(CALL)
                assert state == "taken"
                pill = m2.locator("#service-state")
                await pill.filter(has_text=f"已受理 {hm(taken_at)}").wait_for()
                assert "茶水" in await pill.inner_text()
                await shot(m2, "screens/notices-tablet-call-taken-800x1280")
                await clerk.screenshot(
                    path=str(ARTIFACTS / "screens/notices-console-taken-1440x900.png")
                )

                # dismissed stays dismissed; the other tablet still has it after a reload
                await m2.click("#tablet-notices .tn-ok")
                await m2.wait_for_selector("#tablet-notices .tn-notice", state="detached")
                await clerk.wait_for_selector("#desk-notices li:has-text('已读 1')")
                await m2.reload()
                await m2.wait_for_selector("#conn[data-state=live]")
                await m2.wait_for_selector("#service-state:has-text('已受理')")
                assert await m2.locator("#tablet-notices .tn-notice").count() == 0
                await m3.reload()
                await m3.wait_for_selector(f"#tablet-notices .tn-notice:has-text('{NOTICE}')")
            finally:
                await browser.close()
