"""Real headless Chromium on a real Daphne process: the console's upload shows its
progress (XMLHttpRequest's upload.onprogress; fetch cannot) and can be cancelled.

The upload is slowed with Chromium's own network emulation (CDP
``Network.emulateNetworkConditions``) so that an 8 MB scan takes a few seconds to
send: the bar must pass through values between 0 and 100 with the megabytes said in
Chinese, and a cancelled upload must leave no document on the server.
"""

from __future__ import annotations

import pytest

from harness.browser import launch, logged_in_page
from harness.servers import Stack
from meeting.demo import DEMO_PASSWORD
from tests.docs_store.bigpdf import scan

pytestmark = [pytest.mark.browser, pytest.mark.e2e]
SHOTS = "/tmp/shots/upload"
UPLOAD_BYTES_PER_S = 2 * 1024 * 1024

# Every data-percent the bar takes, in order (a MutationObserver, not polling).
WATCH = """() => {
  window.__percents = [];
  const box = document.getElementById('docs-upload-progress');
  new MutationObserver(() => {
    const p = box.querySelector('progress').dataset.percent;
    if (p !== undefined) window.__percents.push(Number(p));
  }).observe(box, { attributes: true, subtree: true, attributeFilter: ['data-percent'] });
}"""


async def _hit(page, selector: str) -> None:
    """The control is whole in sight (its card scrolls) and what a click at its centre
    reaches (nothing lies over it)."""
    ok = await page.evaluate(
        """(sel) => { const el = document.querySelector(sel); const r = el.getBoundingClientRect();
          const card = el.closest('.card').getBoundingClientRect();
          const inside = r.top >= card.top && r.bottom <= card.bottom && r.bottom <= innerHeight;
          const at = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
          return inside && r.width > 0 && r.height > 0 && (at === el || el.contains(at)); }""",
        selector,
    )
    assert ok, f"{selector} is covered or not shown"


def _documents(stack: Stack, name: str) -> int:
    return stack.python(
        "from docs_store.models import DocumentVersion\n"
        f"result = DocumentVersion.objects.filter(filename={name!r}).count()"
    )


async def test_the_upload_shows_its_progress_and_a_cancelled_one_leaves_nothing(tmp_path):
    from playwright.async_api import async_playwright

    big = scan(1650)  # ≈ 8 MB: a few seconds at the emulated 2 MB/s
    assert len(big) > 7 * 2**20
    with Stack(tmp_path, workers=1).start(demo_members=12) as stack:
        base = stack.urls[0]
        plenary = stack.python(
            "from core.models import Sitting\n"
            "result = Sitting.objects.get(kind='plenary', session__number=20).pk"
        )
        async with async_playwright() as pw:
            browser = await launch(pw)
            try:
                page = await logged_in_page(
                    browser, base, "clerk", DEMO_PASSWORD, width=1440, height=900
                )
                await page.goto(f"{base}/console/{plenary}/")
                await page.wait_for_selector("#conn[data-state=live]")
                if not await page.is_visible("#docs-upload"):
                    await page.click("#docs-upload-box summary")
                assert await page.is_hidden("#docs-upload-progress")
                cdp = await page.context.new_cdp_session(page)
                await cdp.send("Network.enable")
                await cdp.send(
                    "Network.emulateNetworkConditions",
                    {
                        "offline": False,
                        "latency": 0,
                        "downloadThroughput": -1,
                        "uploadThroughput": UPLOAD_BYTES_PER_S,
                    },
                )
                await page.evaluate(WATCH)
                files = page.locator("#docs-upload input[name=files]")
                before = await page.locator("#docs-table tr").count()

                # 1. an upload that goes through: the bar moves, the MB are said, it ends
                await files.set_input_files(
                    [{"name": "扫描件甲.pdf", "mimeType": "application/pdf", "buffer": big}]
                )
                await page.click("#docs-upload button.primary")
                await page.wait_for_function(
                    "window.__percents.some((p) => p >= 25 && p <= 75)", timeout=30000
                )
                status = page.locator("#docs-upload-progress [data-upload-status]")
                said = await status.text_content()
                assert "MB" in said and "已发送" in said and "%" in said, said
                await _hit(page, "#docs-upload-progress button[data-upload-cancel]")
                await page.screenshot(path=f"{SHOTS}/console-upload-progress-1440x900.png")
                await page.wait_for_function(
                    f"document.querySelectorAll('#docs-table tr').length > {before}",
                    timeout=60000,
                )
                seen = await page.evaluate("window.__percents")
                assert seen == sorted(seen) and seen[-1] == 100, seen
                assert len({p for p in seen if 0 < p < 100}) >= 3, seen  # it moved, in steps
                assert await page.is_hidden("#docs-upload-progress")
                assert _documents(stack, "扫描件甲.pdf") == 1

                # 2. an upload cancelled half way: nothing reaches the server
                await page.evaluate(WATCH)
                await files.set_input_files(
                    [{"name": "扫描件乙.pdf", "mimeType": "application/pdf", "buffer": big}]
                )
                await page.click("#docs-upload button.primary")
                await page.wait_for_function(
                    "window.__percents.some((p) => p >= 10 && p < 60)", timeout=30000
                )
                await _hit(page, "#docs-upload-progress button[data-upload-cancel]")
                await page.click("#docs-upload-progress button[data-upload-cancel]")
                await page.wait_for_selector(
                    "#docs-upload-progress[data-state=cancelled]", timeout=10000
                )
                said = await status.text_content()
                assert "取消" in said and "未保存" in said, said
                assert await page.locator("#docs-upload-errors li").count() == 0
                await page.screenshot(path=f"{SHOTS}/console-upload-cancelled-1440x900.png")

                # the server answers the next upload; the cancelled one never came
                await cdp.send(
                    "Network.emulateNetworkConditions",
                    {
                        "offline": False,
                        "latency": 0,
                        "downloadThroughput": -1,
                        "uploadThroughput": -1,
                    },
                )
                count = await page.locator("#docs-table tr").count()
                await files.set_input_files(
                    [{"name": "扫描件丙.pdf", "mimeType": "application/pdf", "buffer": scan(300)}]
                )
                await page.click("#docs-upload button.primary")
                await page.wait_for_function(
                    f"document.querySelectorAll('#docs-table tr').length > {count}", timeout=30000
                )
                assert _documents(stack, "扫描件丙.pdf") == 1
                assert _documents(stack, "扫描件乙.pdf") == 0
                assert "扫描件乙" not in await page.locator("#docs-table").text_content()

                # 3. a new version of a document is sent with the same progress line
                await cdp.send(
                    "Network.emulateNetworkConditions",
                    {
                        "offline": False,
                        "latency": 0,
                        "downloadThroughput": -1,
                        "uploadThroughput": UPLOAD_BYTES_PER_S,
                    },
                )
                await page.evaluate("document.getElementById('docs-upload-box').open = false")
                await page.evaluate(WATCH)
                doc = await page.locator("#docs-table input[data-version]").first.get_attribute(
                    "data-version"
                )
                await page.locator(f"#docs-table input[data-version='{doc}']").set_input_files(
                    [{"name": "扫描件丁.pdf", "mimeType": "application/pdf", "buffer": big}]
                )
                await page.wait_for_function(
                    "window.__percents.some((p) => p > 0 && p < 100)", timeout=30000
                )
                await _hit(page, "#docs-upload-progress button[data-upload-cancel]")
                await page.wait_for_selector("#docs-upload-progress", state="hidden", timeout=60000)
                seen = await page.evaluate("window.__percents")
                assert seen == sorted(seen) and seen[-1] == 100, seen
                assert _documents(stack, "扫描件丁.pdf") == 1
            finally:
                await browser.close()
