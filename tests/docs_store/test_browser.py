"""Real headless Chromium on a real Daphne process: presenter mode across tablets.

The clerk's console presents a distributed document and flips to page 3; three member
tablets following show page 3 (rendered in the background by the server's job worker).
One tablet leaves to read freely, still sees where the presenter is, and one tap brings
it back to the presenter's page. A clerk's recall then empties the tablets.
"""

from __future__ import annotations

import pytest

from harness.browser import launch, live_pages, shot
from harness.servers import Stack
from meeting.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.e2e]
PW = DEMO_PASSWORD

SETUP = """
from core.models import Sitting
from harness.documents import distributed, numbered_pdf
sitting = Sitting.objects.get(kind="plenary")
item = sitting.agenda_items.order_by("order").first()
doc = distributed(sitting, numbered_pdf(6), "条例草案", item=item)
result = {"sitting": sitting.pk, "doc": doc.pk}
"""


async def loaded(page, doc: int, n: int) -> None:
    await page.wait_for_selector(f'#docs-page[data-loaded="{doc}:{n}"]', timeout=20000)


async def test_tablets_follow_the_presenter_and_one_reads_freely(tmp_path):
    from playwright.async_api import async_playwright

    with Stack(tmp_path, workers=1).start(demo_members=12) as stack:
        base = stack.urls[0]
        info = stack.python(SETUP)
        sid, doc = info["sitting"], info["doc"]
        async with async_playwright() as pw:
            browser = await launch(pw)
            try:
                tablet = f"/tablet/{sid}/"
                # plain members (m002–m005 are vice-chairs), on tall tablets
                clerk, *tablets = await live_pages(
                    browser,
                    base,
                    PW,
                    [("clerk", f"/console/{sid}/")]
                    + [(user, tablet, (1024, 1366)) for user in ("m006", "m007", "m008")],
                )
                for t in tablets:
                    await t.wait_for_selector(f'#docs-list button[data-doc="{doc}"]')

                await clerk.click(f'button[data-present="{doc}"]')
                await clerk.wait_for_selector('#docs-p-page[data-page="1"]')
                await clerk.click("#docs-p-next")
                await clerk.wait_for_selector('#docs-p-page[data-page="2"]')
                await clerk.click("#docs-p-next")
                await clerk.wait_for_selector('#docs-p-page[data-page="3"]')
                for t in tablets:
                    await loaded(t, doc, 3)
                    assert await t.is_visible("#docs-following")
                    assert "3 / 6" in await t.text_content("#docs-page-label")
                await shot(tablets[0], "docs-following-page-3")

                free = tablets[0]
                await free.click("#docs-next")  # leaves follow mode, reads page 4
                await loaded(free, doc, 4)
                await free.wait_for_selector("#docs-follow", state="visible")
                assert await free.get_attribute("#docs-presenter", "data-page") == "3"

                await clerk.click("#docs-p-prev")  # presenter back to page 2
                await clerk.wait_for_selector('#docs-p-page[data-page="2"]')
                for t in tablets[1:]:
                    await loaded(t, doc, 2)
                await free.wait_for_selector('#docs-presenter[data-page="2"]')
                assert await free.get_attribute("#docs-page", "data-page") == "4"  # still free

                await free.click("#docs-follow")  # one tap back
                await loaded(free, doc, 2)
                await free.wait_for_selector("#docs-following", state="visible")

                # a tablet that reloads (late joiner) lands on the presenter's page
                await tablets[2].reload()
                await tablets[2].wait_for_selector("#conn[data-state=live]")
                await loaded(tablets[2], doc, 2)

                clerk.on("dialog", lambda d: d.accept())
                await clerk.click("#docs-recall")
                for t in tablets:
                    await t.wait_for_selector(
                        f'#docs-list button[data-doc="{doc}"]', state="detached"
                    )
                    assert await t.is_hidden("#docs-reader")
                await shot(free, "docs-after-recall")
            finally:
                await browser.close()
