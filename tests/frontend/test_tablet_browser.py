"""Real headless Chromium on a real Daphne: the member's tablet, document first.

One member's tablet in portrait (820×1180) and landscape (1180×820): the documents list
is the screen until a document opens, then the page fills it; buttons, arrow keys and a
swipe turn pages; the presenter starts on the console and the tablet, reading freely,
says "the presenter moved to p. N" with one tap back; search opens a hit; a vote takes
the screen as a sheet with the rule in words, shrinks to a bar with the member's own
choice and, after the result, collapses to the bar again; the floor dock asks, shows the
place in the queue and "you are speaking" with the countdown; with the network gone the
pages already read (before a reload too) can still be read, and the indicator says so;
logging out leaves no page image on the tablet. Screenshots of each state go to
test-artifacts/screens/tablet-*.png.
"""

from __future__ import annotations

import pytest

from harness.browser import (
    ARTIFACTS,
    allow_console_error,
    launch,
    live_page,
    live_pages,
    shot,
)
from harness.servers import Stack
from meeting.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.e2e]
PW = DEMO_PASSWORD
TITLE = "关于《某某省数据条例（草案）》的说明——在省十四届人大常委会第二十次会议上"

SETUP = f"""
TITLE = {TITLE!r}
from core.models import Member, Sitting
from meeting.services import agenda, attendance
from core.roster import sitting_roster
from core.policy import Acting
from harness.documents import distributed
from harness.pdf import chinese_pdf

pdf = chinese_pdf([[f"第{{n}}页 第{{n}}章", "为了规范数据活动，制定本条例。",
                    "个人信息处理者应当遵循合法、正当、必要原则。" if n == 6 else "本章规定一般事项。"]
                   for n in range(1, 9)])
s = Sitting.objects.get(kind="plenary")
item = s.agenda_items.order_by("order").first()
agenda.open_item(s.pk, item.pk, actor=Acting(role="clerk"))
doc = distributed(s, pdf, TITLE, item=item)
for m in sitting_roster(s).order_by("seat")[:8]:
    attendance.check_in(s.pk, m, method="clerk")
ids = {{m.user.username: m.pk for m in Member.objects.select_related("user")}}
result = {{"sitting": s.pk, "doc": doc.pk, "item": item.pk, "ids": ids}}
"""

SIZES = ((820, 1180), (1180, 820))


async def screens(page, name: str) -> None:
    """The state in portrait and landscape, in test-artifacts/screens/."""
    (ARTIFACTS / "screens").mkdir(parents=True, exist_ok=True)
    start = page.viewport_size
    for w, h in SIZES:
        await page.set_viewport_size({"width": w, "height": h})
        await page.wait_for_timeout(250)  # layout settles; not an assertion
        await shot(page, f"screens/tablet-{name}-{w}x{h}")
    await page.set_viewport_size(start)


async def loaded(page, doc: int, n: int) -> None:
    await page.wait_for_selector(f'#docs-page[data-loaded="{doc}:{n}"]', timeout=20000)


async def console_send(clerk, type_: str, data: dict) -> dict:
    return await clerk.evaluate(
        "([t, d]) => window.yiting.client.send(t, d, {idempotent: true})", [type_, data]
    )


async def assert_page_fills_stage(t) -> None:
    """The page image is the screen: as wide as the stage, and starts under the bars."""
    vp = await t.locator("#docs-viewport").bounding_box()
    img = await t.locator("#docs-page").bounding_box()
    size = t.viewport_size
    assert vp["width"] >= size["width"] - 2
    assert vp["y"] < 160, vp  # the page starts right under the top bar and tool row
    assert vp["y"] + vp["height"] >= size["height"] - 2
    assert img["width"] >= size["width"] - 20


async def assert_title_on_one_line(t) -> None:
    box = await t.locator("#docs-title").bounding_box()
    assert box["width"] >= 120, box  # never one character per line
    assert box["height"] < 40, box


async def test_member_tablet_document_first(tmp_path):
    from playwright.async_api import async_playwright

    with Stack(tmp_path, workers=1).start(demo_members=12) as stack:
        base = stack.urls[0]
        info = stack.python(SETUP)
        sid, doc, ids = info["sitting"], info["doc"], info["ids"]
        async with async_playwright() as pw:
            browser = await launch(pw)
            try:
                clerk, t = await live_pages(
                    browser,
                    base,
                    PW,
                    [("clerk", f"/console/{sid}/"), ("m006", f"/tablet/{sid}/", (820, 1180))],
                )

                # nothing open: the documents list is the screen; the item is in the top bar
                await t.wait_for_selector(f'#docs-list button[data-doc="{doc}"]')
                assert await t.get_attribute("#tb-item", "data-item") == str(info["item"])
                await screens(t, "1-documents")

                # read: the page fills the stage; buttons, keys and a swipe turn
                await t.click(f'#docs-list button[data-doc="{doc}"]')
                await loaded(t, doc, 1)
                assert await t.is_hidden("[data-drawer-panel=docs]")
                await assert_page_fills_stage(t)
                await assert_title_on_one_line(t)
                await t.click("#docs-next")
                await loaded(t, doc, 2)
                await t.locator("#docs-viewport").focus()
                await t.keyboard.press("ArrowRight")
                await loaded(t, doc, 3)
                box = await t.locator("#docs-viewport").bounding_box()
                y = box["y"] + 300
                await t.mouse.move(box["x"] + box["width"] * 0.8, y)
                await t.mouse.down()
                await t.mouse.move(box["x"] + box["width"] * 0.5, y + 5, steps=5)
                await t.mouse.move(box["x"] + box["width"] * 0.2, y + 10, steps=5)
                await t.mouse.up()
                await loaded(t, doc, 4)
                assert "4 / 8" in await t.text_content("#docs-page-label")
                await t.click("#docs-fit")  # the whole page on the screen
                await loaded(t, doc, 4)
                img = await t.locator("#docs-page").bounding_box()
                assert (
                    img["height"]
                    <= (await t.locator("#docs-viewport").bounding_box())["height"] + 2
                )
                await screens(t, "2-reading-fit-page")
                await t.click("#docs-fit")  # back to fit width
                await loaded(t, doc, 4)
                await t.set_viewport_size({"width": 1180, "height": 820})
                await assert_page_fills_stage(t)
                await assert_title_on_one_line(t)
                await t.set_viewport_size({"width": 820, "height": 1180})

                # the presenter starts on page 2: reading freely, the tablet says where
                await console_send(clerk, "presenter.open", {"document": doc, "page": 2})
                await t.wait_for_selector('#docs-presenter[data-page="2"]')
                assert "主讲人已翻到第 2 页" in await t.text_content("#docs-presenter")
                assert await t.get_attribute("body", "data-follow") == "free"
                assert await t.get_attribute("#docs-page", "data-page") == "4"
                await screens(t, "3-reading-freely")
                await t.click("#docs-follow")  # one tap back
                await loaded(t, doc, 2)
                await t.wait_for_selector("#docs-following", state="visible")
                assert await t.get_attribute("body", "data-follow") == "following"
                await console_send(clerk, "presenter.flip", {"page": 5})
                await loaded(t, doc, 5)
                assert "第 5 页" in await t.text_content("#docs-following")
                await screens(t, "4-following")

                # search and open a hit (reading freely again)
                await t.click("button[data-drawer=search]")
                await t.fill("#docs-q", "个人信息处理")
                for _ in range(40):  # the index is built by the worker after upload
                    await t.click("#docs-search-go")
                    await t.wait_for_function(
                        "document.getElementById('docs-search-status').textContent !== '正在检索…'"
                    )
                    if await t.locator("#docs-results button").count():
                        break
                    await t.wait_for_timeout(500)
                await screens(t, "5-search")
                await t.locator("#docs-results button").first.click()
                await loaded(t, doc, 6)
                await t.wait_for_selector("#docs-hits[data-count]")
                assert await t.get_attribute("body", "data-follow") == "free"
                await screens(t, "6-search-hit")

                # a vote takes the screen: the rule in words, big buttons
                prepared = await console_send(
                    clerk,
                    "vote.prepare",
                    {
                        "item": info["item"],
                        "question": "关于《某某省数据条例（草案）》的表决",
                        "kind": "named",
                        "duration_s": 300,
                        "allow_change": True,
                        "rule": {
                            "base": "roster",
                            "numerator": 1,
                            "denominator": 2,
                            "strict": True,
                        },
                    },
                )
                vote = prepared["vote"]["id"]
                await console_send(clerk, "vote.open", {"vote": vote})
                await t.wait_for_selector(
                    "#tablet-vote[data-mode=sheet] #vote-panel[data-state=open]"
                )
                assert "全体组成人员的过半数" in await t.text_content("#tv-head")
                sheet = await t.locator("#tablet-vote").bounding_box()
                # covers the reader: from the top bar down to the rail (issue 25)
                stage = await t.locator("#docs-viewport").bounding_box()
                rail = await t.locator(".tablet-rail").bounding_box()
                assert sheet["y"] <= stage["y"] + 1
                assert sheet["y"] + sheet["height"] >= rail["y"] - 1
                await screens(t, "7-vote-sheet")
                await t.click("#vote-ballot button[data-option=yes]")
                await t.click("#vote-confirm-yes")
                # after the ballot: a bar with the member's own choice
                await t.wait_for_selector("#tablet-vote[data-mode=bar]", timeout=10000)
                assert "赞成" in await t.text_content("#vote-mine")
                bar = await t.locator("#tablet-vote").bounding_box()
                assert bar["height"] < 90, bar
                await screens(t, "8-vote-bar")
                # a named vote that allows it: change from the bar
                await t.click("#vote-change")
                await t.wait_for_selector("#tablet-vote[data-mode=sheet]")
                await t.click("#vote-ballot button[data-option=abstain]")
                await t.click("#vote-confirm-yes")
                await t.wait_for_selector("#tablet-vote[data-mode=bar]", timeout=10000)
                assert "弃权" in await t.text_content("#vote-mine")

                # the result shows for a moment, then collapses to the bar
                await t.evaluate("window.yitingVoteSheet.momentS = 2")
                await console_send(clerk, "vote.close", {"vote": vote})
                await t.wait_for_selector("#tablet-vote[data-mode=sheet] .outcome")
                await screens(t, "9-vote-result")
                await t.wait_for_selector("#tablet-vote[data-mode=bar] .tv-outcome", timeout=10000)
                assert await t.is_hidden("#vote-result")
                await console_send(clerk, "vote.announce", {"vote": vote})
                await t.wait_for_selector("#tablet-vote[data-mode=sheet]")
                await t.wait_for_selector("#tablet-vote[data-mode=bar]", timeout=10000)
                await screens(t, "10-vote-result-bar")
                await t.click("#tablet-vote [data-act=dismiss]")
                await t.wait_for_selector("#tablet-vote", state="hidden")

                # the floor in one tap: ask, the place in the queue, "you are speaking"
                await t.click("#floor-ask [data-kind=speech]")
                await t.wait_for_selector("#floor-mypos[data-position='1']")
                await screens(t, "11-floor-queued")
                granted = await console_send(clerk, "floor.grant", {"member": ids["m006"]})
                await t.wait_for_selector("#floor-mine:not([hidden])")
                assert "您正在发言" in await t.text_content("#floor-mine")
                await t.wait_for_function(
                    "Number(document.getElementById('floor-my-timer').dataset.remaining) > 0"
                )
                await screens(t, "12-floor-speaking")
                await console_send(
                    clerk, "floor.end", {"speech": granted["speech"]["id"], "how": "finished"}
                )
                await t.wait_for_selector("#floor-mine", state="hidden")
                await t.click("#floor-ask [data-kind=speech]")
                await t.wait_for_selector("#floor-withdraw", state="visible")
                await t.click("#floor-withdraw")
                await t.wait_for_selector("#floor-mypos[data-position='']", state="attached")

                # offline: pages read before a reload are still there; the indicator says so
                await t.reload()
                await t.wait_for_selector("#conn[data-state=live]")
                await loaded(t, doc, 5)  # following the presenter again
                allow_console_error("ERR_INTERNET_DISCONNECTED")  # offline on purpose
                await t.context.set_offline(True)
                await t.wait_for_selector("#docs-offline", state="visible")
                await t.wait_for_selector("#conn:not([data-state=live])")
                await t.fill("#docs-goto", "3")  # read before the reload, not since
                await t.press("#docs-goto", "Enter")
                await loaded(t, doc, 3)
                await screens(t, "13-offline")
                await t.click("#docs-next")
                await loaded(t, doc, 4)
                await t.context.set_offline(False)
                await t.wait_for_selector("#conn[data-state=live]", timeout=40000)
                await t.wait_for_selector("#docs-offline", state="hidden")

                # thumbnails in a drawer
                await t.click("button[data-drawer=thumbs]")
                await t.wait_for_selector("#docs-thumbs button.current[data-page='4']")
                await screens(t, "14-thumbnails")
                await t.click("#docs-thumbs button[data-page='7']")
                await loaded(t, doc, 7)

                # logging out leaves no page image on the tablet
                kept = await t.evaluate(
                    "caches.keys().then(k => k.filter(n => n.startsWith('yiting-pages-')).length)"
                )
                assert kept == 1
                await t.click("header form[action$='/logout/'] button")
                await t.wait_for_url("**/login/**")
                kept = await t.evaluate(
                    "caches.keys().then(k => k.filter(n => n.startsWith('yiting-pages-')).length)"
                )
                assert kept == 0

                # the chair's tablet at 1180 px: the long title stays on one line
                chair = await live_page(browser, base, PW, "chair", f"/tablet/{sid}/", (1180, 820))
                await loaded(chair, doc, 5)
                await chair.wait_for_selector("#docs-present", state="visible")
                await assert_title_on_one_line(chair)
                await shot(chair, "screens/tablet-15-chair-1180x820")
            finally:
                await browser.close()
