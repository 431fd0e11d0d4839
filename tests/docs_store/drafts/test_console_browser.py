"""Real headless Chromium on a real Daphne process: the clerk's "与…对照" on the console.

The bill's first-reading draft is uploaded on the plenary's first item and replaced by
the second-reading draft; a report is uploaded beside it. In the documents card the
clerk opens 修改对照, sees both papers read (12 条; the report: no articles), marks the
second reading "compare with" the first: the counts, the table's PDF and DOCX links.
Marking the report instead says why it cannot be compared. Screenshots in
test-artifacts/screens/ and /tmp/shots/drafts/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harness.browser import launch, live_pages, shot
from harness.servers import Stack
from meeting.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.e2e]
SHOTS = Path("/tmp/shots/drafts")

SETUP = """
from django.contrib.auth import get_user_model
from core.models import Sitting
from docs_store.services.upload import Upload, replace_version
from harness.documents import distributed
from tests.docs_store.drafts import samples
plenary = Sitting.objects.get(kind="plenary")
item = plenary.agenda_items.order_by("order").first()
doc = distributed(plenary, samples.old_pdf(), "行政许可测试法（草案）", item=item)
clerk = get_user_model().objects.get(username="clerk")
replace_version(doc, Upload("二审稿.pdf", samples.new_pdf()), by=clerk)
report = distributed(plenary, samples.report_pdf(), "执法检查报告", item=item)
result = {"plenary": plenary.pk, "doc": doc.pk, "report": report.pk}
"""

HIT = """(sel) => {
  const el = document.querySelector(sel);
  if (!el) return `${sel}: missing`;
  el.scrollIntoView({ block: "center" });
  const r = el.getBoundingClientRect();
  if (!r.width || !r.height) return `${sel}: not shown`;
  const x = r.left + r.width / 2, y = r.top + r.height / 2;
  if (x < 0 || y < 0 || x > innerWidth || y > innerHeight) return `${sel}: off screen at ${x},${y}`;
  const hit = document.elementFromPoint(x, y);
  return hit && (hit === el || el.contains(hit)) ? "ok" : `${sel}: covered by ${hit && hit.outerHTML.slice(0, 80)}`;
}"""

CARD_FITS = """() => {
  const card = document.getElementById("documents-console");
  return card.scrollWidth <= card.clientWidth + 1 ? "ok" : `${card.scrollWidth} > ${card.clientWidth}`;
}"""


async def _shot(page, name: str) -> None:
    await shot(page, f"screens/{name}")
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"{name}.png"))


async def test_the_clerk_marks_a_comparison(tmp_path):
    from playwright.async_api import async_playwright

    with Stack(tmp_path, workers=1).start(demo_members=12) as stack:
        base = stack.urls[0]
        info = stack.python(SETUP)
        doc, report = info["doc"], info["report"]
        async with async_playwright() as pw:
            browser = await launch(pw)
            try:
                [console] = await live_pages(
                    browser,
                    base,
                    DEMO_PASSWORD,
                    [("clerk", f"/console/{info['plenary']}/", (1440, 900))],
                )
                summary = "#drafts-console > summary"
                assert await console.locator(summary).text_content() == "草案修改对照"
                assert await console.evaluate(HIT, summary) == "ok"
                await console.click(summary)
                row = f'#drafts-list li[data-draft="{doc}"]'
                # read in the background after the upload (the indexing job's last step)
                await console.wait_for_selector(f'{row} [data-reading="parsed"]', timeout=60000)
                assert "12 条" in await console.locator(f"{row} .drafts-head").text_content()
                await console.wait_for_selector(
                    f'#drafts-list li[data-draft="{report}"] [data-reading="not_a_draft"]',
                    timeout=60000,
                )

                opener = f'{row} button[data-compare="{doc}"]'
                assert await console.locator(opener).text_content() == "与…对照"
                assert await console.evaluate(HIT, opener) == "ok"
                await console.click(opener)
                form = f'{row} form[data-choose="{doc}"]'
                await console.select_option(f"{form} select", f"{doc}:1")
                do = f"{form} button.primary"
                assert await console.locator(do).text_content() == "对照"
                assert await console.evaluate(HIT, do) == "ok"
                await _shot(console, "console-drafts-choose")
                await console.click(do)
                ready = f'{row} [data-compare-state="ready"]'
                await console.wait_for_selector(ready, timeout=20000)
                assert await console.locator(ready).text_content() == (
                    "修改 2 条，新增 1 条，删除 1 条，移动 1 条，未修改 8 条"
                )
                pdf = await console.locator(f'{row} a[data-table="pdf"]').get_attribute("href")
                assert pdf == f"/docs/d/{doc}/v/2/comparison.pdf"
                got = await console.request.get(base + pdf)
                assert got.status == 200 and got.headers["content-type"] == "application/pdf"
                assert "utf-8''" in got.headers["content-disposition"]
                assert await console.evaluate(HIT, f'{row} a[data-table="docx"]') == "ok"
                assert await console.evaluate(CARD_FITS) == "ok"
                await console.locator(row).scroll_into_view_if_needed()
                await _shot(console, "console-drafts-ready")

                # the report has no articles: it cannot be compared, and says why
                rrow = f'#drafts-list li[data-draft="{report}"]'
                await console.click(f'{rrow} button[data-compare="{report}"]')
                await console.select_option(f"{rrow} form select", f"{doc}:1")
                await console.click(f"{rrow} form button.primary")
                refusal = f'{rrow} [data-compare-state="not_comparable"]'
                await console.wait_for_selector(refusal, timeout=20000)
                said = await console.locator(refusal).text_content()
                assert "无法对照" in said and "未找到条文" in said and "执法检查报告" in said
                text = await console.locator("#drafts-console").inner_text()
                english = set(re.findall(r"[A-Za-z]{3,}", text)) - {"PDF", "DOCX"}
                assert not english, english
                await console.locator(rrow).scroll_into_view_if_needed()
                await _shot(console, "console-drafts-refused")

                # taken off: the line goes
                off = f'{row} button[data-uncompare="{doc}"]'
                assert await console.evaluate(HIT, off) == "ok"
                await console.click(off)
                await console.wait_for_selector(ready, state="detached", timeout=10000)
            finally:
                await browser.close()
