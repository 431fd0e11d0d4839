"""Real headless Chromium on a real Daphne process: "同时列入…" on the clerk's console.

The bill's paper is uploaded once, on the plenary's first item. From the plenary
console the clerk opens "同时列入…" under it, picks the second group's first item and
places it there: the row says where else it is, the group's console lists it "from the
plenary", a tablet of that group gets it in its list (it had none), and the group's
presenter opens it with the tablet following. Taken off again, the tablet drops it.
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
plenary = Sitting.objects.get(kind="plenary")
group = Sitting.objects.get(kind="group", group__name="第二审议组")
item = plenary.agenda_items.order_by("order").first()
doc = distributed(plenary, numbered_pdf(4), "数据条例草案", item=item)
result = {
    "plenary": plenary.pk,
    "group": group.pk,
    "doc": doc.pk,
    "plenary_items": list(plenary.agenda_items.values_list("pk", flat=True)),
    "target": group.agenda_items.order_by("order").first().pk,
}
"""

# Is the control on screen, and is it what a click at its centre would hit?
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

# The documents card is a narrow column of the console: nothing may widen it.
CARD_FITS = """() => {
  const card = document.getElementById("documents-console");
  return card.scrollWidth <= card.clientWidth + 1 ? "ok" : `${card.scrollWidth} > ${card.clientWidth}`;
}"""


async def test_the_clerk_places_the_plenary_paper_on_a_group_item(tmp_path):
    from playwright.async_api import async_playwright

    with Stack(tmp_path, workers=1).start(demo_members=12) as stack:
        base = stack.urls[0]
        info = stack.python(SETUP)
        doc, target = info["doc"], info["target"]
        async with async_playwright() as pw:
            browser = await launch(pw)
            try:
                # m006 sits in the second group (demo: member n → group n mod 4)
                plenary, group, tablet = await live_pages(
                    browser,
                    base,
                    PW,
                    [
                        ("clerk", f"/console/{info['plenary']}/", (1440, 900)),
                        ("clerk", f"/console/{info['group']}/", (1440, 900)),
                        ("m006", f"/tablet/{info['group']}/", (820, 1180)),
                    ],
                )
                row = f'#docs-table tr[data-doc="{doc}"]'
                await plenary.wait_for_selector(row)
                # before: the group sitting has no such paper
                assert await tablet.locator(f'#docs-list button[data-doc="{doc}"]').count() == 0
                assert await group.locator(row).count() == 0

                opener = f'button[data-place="{doc}"]'
                assert await plenary.locator(opener).text_content() == "同时列入…"
                assert await plenary.evaluate(HIT, opener) == "ok"
                await plenary.click(opener)
                editor = f'tr[data-place-for="{doc}"]'
                await plenary.wait_for_selector(
                    f"{editor} select option[value='{target}']", state="attached"
                )
                # only the other sittings' items are offered, grouped by sitting
                for own in info["plenary_items"]:
                    assert await plenary.locator(f"{editor} option[value='{own}']").count() == 0
                labels = await plenary.locator(f"{editor} optgroup").evaluate_all(
                    "(gs) => gs.map((g) => g.label)"
                )
                assert len(labels) == 4 and all("审议组" in g for g in labels), labels
                assert await plenary.evaluate(CARD_FITS) == "ok"
                await plenary.select_option(f"{editor} select", str(target))
                place = f"{editor} form.docs-place button.primary"
                assert await plenary.locator(place).text_content() == "列入"
                assert await plenary.evaluate(HIT, place) == "ok"
                await shot(plenary, "screens/console-place-choose")
                await plenary.click(place)
                also = f"{row} .docs-also-on"
                await plenary.wait_for_selector(also, timeout=10000)
                assert "第二审议组" in await plenary.locator(also).text_content()
                assert "同时列入" in await plenary.locator(also).text_content()
                assert await plenary.locator(f"{editor} .docs-placed li").count() == 1
                assert await plenary.evaluate(CARD_FITS) == "ok"
                await shot(plenary, "screens/console-placed")

                # the group's console and its tablet get it (documents.changed)
                await group.wait_for_selector(f"{row} .docs-placed-from", timeout=10000)
                assert (
                    "第一次全体会议"
                    in await group.locator(f"{row} .docs-placed-from").text_content()
                )
                assert await group.evaluate(CARD_FITS) == "ok"
                await group.locator(row).scroll_into_view_if_needed()
                await shot(group, "screens/console-placed-from")
                await tablet.wait_for_selector(
                    f'#docs-list button[data-doc="{doc}"]', timeout=10000
                )
                await shot(tablet, "screens/tablet-placed-portrait")
                await tablet.set_viewport_size({"width": 1180, "height": 820})
                await shot(tablet, "screens/tablet-placed-landscape")
                await tablet.set_viewport_size({"width": 820, "height": 1180})

                # the group's presenter opens it; the tablet follows
                present = f'button[data-present="{doc}"]'
                assert await group.evaluate(HIT, present) == "ok"
                await group.click(present)
                await group.wait_for_selector('#docs-p-page[data-page="1"]')
                await tablet.wait_for_selector(f'#docs-page[data-loaded="{doc}:1"]', timeout=20000)
                await shot(tablet, "screens/tablet-placed-following")

                # taken off the group's item: the row says nothing more, the tablet drops it
                unplace = f"{editor} button[data-unplace='{target}']"
                assert await plenary.locator(unplace).text_content() == "移出"
                assert await plenary.evaluate(HIT, unplace) == "ok"
                await plenary.click(unplace)
                await plenary.wait_for_selector(also, state="detached", timeout=10000)
                await tablet.wait_for_selector(
                    f'#docs-list button[data-doc="{doc}"]', state="detached", timeout=10000
                )
                await group.wait_for_selector(row, state="detached", timeout=10000)
                await plenary.click(f"{editor} button[data-place-close]")
                await plenary.wait_for_selector(editor, state="detached")
                assert await plenary.locator(row).count() == 1  # the paper itself stays
            finally:
                await browser.close()
