"""Real headless Chromium on a real Daphne process: search and pen in the tablet reader.

A member searches a Chinese phrase of a distributed bill, opens the hit (reading freely)
and sees the hit boxes over the page; the boxes follow zoom and go on a page turn. With
the pen on, a drawn stroke is saved, still drawn after a reload and on the member's other
tablet, and undo takes it away for good.
"""

from __future__ import annotations

import pytest

from harness.browser import ARTIFACTS, allow_console_error, launch, logged_in_page, shot
from harness.servers import Stack
from meeting.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.e2e]
PW = DEMO_PASSWORD
PHRASE = "个人信息处理"

SETUP = """
from django.contrib.auth import get_user_model
from core.models import Sitting
from docs_store.services.upload import Upload, upload_documents
from docs_store.services.distribution import distribute
from core.policy import Acting
from harness.pdf import chinese_pdf

pdf = chinese_pdf([
    ["第一章 总则", "为了规范数据活动，制定本条例。"],
    ["第二章 个人信息保护", "第十条 个人信息处理者应当遵循合法、正当、必要原则。",
     "第十一条 处理敏感个人信息应当取得个人的单独同意。"],
    ["第三章 附则", "本条例自公布之日起施行。"],
])
sitting = Sitting.objects.get(kind="plenary")
item = sitting.agenda_items.order_by("order").first()
clerk = get_user_model().objects.get(username="clerk")
[doc] = upload_documents(sitting.session, [Upload("bill.pdf", pdf, "数据条例（草案）")],
                         by=clerk, item=item)
distribute(sitting.session, actor=Acting(role="clerk"), by=clerk)
result = {"sitting": sitting.pk, "doc": doc.pk}
"""


async def loaded(page, doc: int, n: int) -> None:
    await page.wait_for_selector(f'#docs-page[data-loaded="{doc}:{n}"]', timeout=20000)


async def screens(page, name: str) -> None:
    """Portrait and landscape tablet screenshots in test-artifacts/screens/."""
    (ARTIFACTS / "screens").mkdir(parents=True, exist_ok=True)
    for w, h in ((820, 1180), (1180, 820)):
        await page.set_viewport_size({"width": w, "height": h})
        await page.wait_for_timeout(200)  # layout settles; not an assertion
        await shot(page, f"screens/{name}-{w}x{h}")
    await page.set_viewport_size({"width": 820, "height": 1180})


async def search_until_found(page, query: str) -> None:
    """The index is built by the server's worker after upload: search again until it is."""
    await page.fill("#docs-q", query)
    for _ in range(40):
        await page.click("#docs-search-go")
        await page.wait_for_function(
            "document.getElementById('docs-search-status').textContent !== '正在检索…'",
            timeout=10000,
        )
        if await page.locator("#docs-results button").count():
            return
        await page.wait_for_timeout(500)
    raise AssertionError(f"no result for {query} after 40 searches")


async def open_tablet(browser, base: str, sid: int, doc: int):
    t = await logged_in_page(browser, base, "m006", PW, width=820, height=1180)
    await t.goto(f"{base}/tablet/{sid}/")
    await t.wait_for_selector("#conn[data-state=live]")
    await t.wait_for_selector(f'#docs-list button[data-doc="{doc}"]')
    return t


async def open_page_2(t, doc: int) -> None:
    await t.click(f'#docs-list button[data-doc="{doc}"]')
    await loaded(t, doc, 1)
    await t.fill("#docs-goto", "2")
    await t.press("#docs-goto", "Enter")
    await loaded(t, doc, 2)
    await t.wait_for_selector(f'#docs-ink[data-loaded="{doc}"]')


async def draw(t) -> None:
    box = await t.locator("#docs-ink").bounding_box()
    x0, y0 = box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.3
    async with t.expect_response(
        lambda r: r.url.endswith("/ink/") and r.request.method == "POST"
    ) as resp:
        await t.mouse.move(x0, y0)
        await t.mouse.down()
        for i in range(1, 21):
            await t.mouse.move(x0 + i * box["width"] * 0.02, y0 + (i % 5) * 4)
        await t.mouse.up()
    assert (await resp.value).status == 200


async def test_member_searches_opens_a_hit_and_annotates_it(tmp_path):
    from playwright.async_api import async_playwright

    with Stack(tmp_path, workers=1).start(demo_members=12) as stack:
        base = stack.urls[0]
        info = stack.python(SETUP)
        sid, doc = info["sitting"], info["doc"]
        async with async_playwright() as pw:
            browser = await launch(pw)
            try:
                t = await open_tablet(browser, base, sid, doc)

                # a refusal in Chinese: punctuation only is nothing to search for
                allow_console_error("status of 400")  # the refused request, on purpose
                await t.click("button[data-drawer=search]")  # search is a drawer
                await t.fill("#docs-q", "，。")
                await t.click("#docs-search-go")
                await t.wait_for_function(
                    "document.getElementById('docs-search-status').textContent.includes('请输入')"
                )
                assert await t.locator("#docs-results button").count() == 0

                await search_until_found(t, PHRASE)
                result = t.locator("#docs-results button").first
                assert await result.get_attribute("data-page") == "2"
                assert "数据条例（草案）" in await result.text_content()
                assert PHRASE in await result.locator("mark").first.text_content()

                await result.click()
                await loaded(t, doc, 2)
                await t.wait_for_selector("#docs-hits[data-count]")
                assert int(await t.get_attribute("#docs-hits", "data-count")) >= 1
                assert await t.is_hidden("#docs-following")  # reading freely
                hit = await t.locator(".docs-hit-box").first.bounding_box()
                sheet = await t.locator("#docs-page").bounding_box()
                assert (
                    sheet["x"] <= hit["x"]
                    and hit["x"] + hit["width"] <= sheet["x"] + sheet["width"]
                )
                assert sheet["y"] <= hit["y"] < sheet["y"] + sheet["height"] * 0.3  # top of page
                await screens(t, "reader-search")

                await t.click("#docs-zoom-in")  # the boxes grow with the page
                await loaded(t, doc, 2)
                zoomed = await t.locator(".docs-hit-box").first.bounding_box()
                assert zoomed["width"] == pytest.approx(hit["width"] * 1.5, rel=0.05)
                await t.click("#docs-zoom-out")
                await loaded(t, doc, 2)

                await t.click("#docs-ink-pen")
                assert await t.get_attribute("#docs-ink-pen", "aria-pressed") == "true"
                await draw(t)
                await t.wait_for_selector('#docs-ink[data-strokes="1"]')
                await screens(t, "reader-ink")

                # a swipe with the pen on draws; it does not turn the page
                assert await t.get_attribute("#docs-page", "data-page") == "2"
                # arrow keys still turn, and the turn ends the search highlight
                await t.locator("#docs-viewport").focus()
                await t.keyboard.press("ArrowRight")
                await loaded(t, doc, 3)
                assert await t.locator(".docs-hit-box").count() == 0
                assert await t.get_attribute("#docs-ink", "data-strokes") == "0"

                await t.reload()
                await t.wait_for_selector("#conn[data-state=live]")
                await t.wait_for_selector(f'#docs-list button[data-doc="{doc}"]')
                await open_page_2(t, doc)
                assert await t.get_attribute("#docs-ink", "data-strokes") == "1"
                d = await t.locator("#docs-ink path").first.get_attribute("d")
                assert float(d[1:].split()[0]) == pytest.approx(0.2, abs=0.01)

                other = await open_tablet(browser, base, sid, doc)  # the member's other tablet
                await open_page_2(other, doc)
                assert await other.get_attribute("#docs-ink", "data-strokes") == "1"

                async with t.expect_response(lambda r: r.url.endswith("/erase/")) as erased:
                    await t.click("#docs-ink-undo")
                assert (await erased.value).status == 200
                assert await t.get_attribute("#docs-ink", "data-strokes") == "0"
                assert await t.is_enabled("#docs-ink-redo")

                await other.reload()
                await other.wait_for_selector("#conn[data-state=live]")
                await other.wait_for_selector(f'#docs-list button[data-doc="{doc}"]')
                await open_page_2(other, doc)
                assert await other.get_attribute("#docs-ink", "data-strokes") == "0"
                assert (
                    await t.get_attribute("#docs-ink-export", "href")
                    == f"/docs/d/{doc}/annotated.pdf"
                )
            finally:
                await browser.close()
