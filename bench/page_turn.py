"""Page turn on the member's tablet: tap → the new page image painted, in Chromium.

A real Daphne process (harness/servers.Stack, SQLite, the demo committee) serves a
distributed N-page Chinese bill; a member's tablet (820×1180, headless Debian Chromium)
opens it and turns through every page once (the first read: request, server, decode),
then turns forward and back ``--turns`` times over pages it has read (the cached
case). Each turn is timed inside the page, from the tap on "next page" (a click on the
reader's button) to the second animation frame after the reader marks the new image
loaded (decoded, on screen). The baseline, in the same browser and run: a bare static
page that swaps two <img> sources holding the same two page images (object URLs) and
waits for the same decode and two frames.

    python bench/page_turn.py [--pages 12] [--turns 200] [--json]

With ``--json`` one object: ``{"pages", "turns", "cached_p50_ms", "cached_p99_ms",
"first_read_p50_ms", "first_read_p99_ms" (the reader prefetches two pages ahead, so a first read is mostly a prefetched page), "baseline_p50_ms", "baseline_p99_ms",
"load"}``. Target (issue 13): cached p50 ≤ 100 ms. Figures only, never pass/fail.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

from meeting.demo_login import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SETUP = """
from django.contrib.auth import get_user_model
from core.models import Sitting
from core.policy import Acting
from docs_store.services.upload import Upload, upload_documents
from docs_store.services.distribution import distribute
from harness.pdf import chinese_pdf

pdf = chinese_pdf([[f"第{n}页", "为了规范数据活动，保障数据安全，制定本条例。" * 3,
                    "个人信息处理者应当遵循合法、正当、必要原则。" * 4] for n in range(1, %d + 1)])
s = Sitting.objects.get(kind="plenary")
clerk = get_user_model().objects.get(username="clerk")
[doc] = upload_documents(s.session, [Upload("bill.pdf", pdf, "条例草案")], by=clerk,
                         item=s.agenda_items.order_by("order").first())
distribute(s.session, actor=Acting(role="clerk"), by=clerk)
result = {"sitting": s.pk, "doc": doc.pk}
"""

# one turn on the tablet: tap "next" or "previous", wait for the reader's loaded mark, two frames
TURN_JS = """
async ([dir, want]) => {
  const img = document.getElementById("docs-page");
  const t0 = performance.now();
  document.getElementById(dir > 0 ? "docs-next" : "docs-prev").click();
  await new Promise((ok) => {
    if (img.dataset.loaded === want) return ok();
    const mo = new MutationObserver(() => { if (img.dataset.loaded === want) { mo.disconnect(); ok(); } });
    mo.observe(img, { attributes: true, attributeFilter: ["data-loaded"] });
  });
  await new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok)));
  return performance.now() - t0;
}
"""

# the baseline: a bare page swapping two <img> sources
BASELINE_HTML = (
    "<!doctype html><body style='margin:0'><img id=p style='width:100%;display:block'></body>"
)

BASELINE_JS = """
async ([a, b, turns]) => {
  const blob = async (u) => URL.createObjectURL(await (await fetch(u, {credentials: "same-origin"})).blob());
  const srcs = [await blob(a), await blob(b)];
  const img = document.getElementById("p");
  const out = [];
  for (let i = 0; i < turns; i++) {
    const t0 = performance.now();
    img.src = srcs[i % 2];
    await img.decode().catch(() => {});
    await new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok)));
    out.push(performance.now() - t0);
  }
  return out;
}
"""


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return round(xs[min(len(xs) - 1, int(q * len(xs)))], 1)


async def measure(base: str, sid: int, doc: int, pages: int, turns: int) -> dict:
    from playwright.async_api import async_playwright

    from harness.browser import launch, logged_in_page

    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            t = await logged_in_page(browser, base, "m006", DEMO_PASSWORD, width=820, height=1180)
            await t.goto(f"{base}/tablet/{sid}/")
            await t.wait_for_selector("#conn[data-state=live]")
            await t.click(f'#docs-list button[data-doc="{doc}"]')
            await t.wait_for_selector(f'#docs-page[data-loaded="{doc}:1"]', timeout=60000)
            # every page rendered by the worker before timing (the first read is not rendering)
            await t.wait_for_function(
                """async (n) => { const u = window.yitingDocs.open.doc.page_url;
                     for (let p = 1; p <= n; p++) {
                       const r = await fetch(u.replace("{page}", p).replace("{width}", 800));
                       if (!r.ok) return false;
                     } return true; }""",
                arg=pages,
                timeout=120000,
                polling=1000,
            )
            first = []
            for n in range(2, pages + 1):
                first.append(await t.evaluate(TURN_JS, [1, f"{doc}:{n}"]))
            cached = []
            page, step = pages, -1
            for _ in range(turns):
                if page + step < 1 or page + step > pages:
                    step = -step
                page += step
                cached.append(await t.evaluate(TURN_JS, [step, f"{doc}:{page}"]))
            width = await t.get_attribute("#docs-page", "data-width")
            url = lambda n: f"/docs/d/{doc}/v/1/p/{n}/{width}.jpg"  # noqa: E731
            b = await t.context.new_page()
            await b.goto(f"{base}/login/")  # same origin and cookies; then a bare page
            await b.set_content(BASELINE_HTML)
            baseline = await b.evaluate(
                "([a, b, n]) => ("
                + BASELINE_JS
                + ")([location.origin + a, location.origin + b, n])",
                [url(1), url(2), turns],
            )
        finally:
            await browser.close()
    return {
        "pages": pages,
        "turns": turns,
        "image_width": int(width),
        "cached_p50_ms": pct(cached, 0.5),
        "cached_p99_ms": pct(cached, 0.99),
        "first_read_p50_ms": pct(first, 0.5),
        "first_read_p99_ms": pct(first, 0.99),
        "baseline_p50_ms": pct(baseline, 0.5),
        "baseline_p99_ms": pct(baseline, 0.99),
        "cached_mean_ms": round(statistics.mean(cached), 1),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=12)
    ap.add_argument("--turns", type=int, default=200)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    from harness.servers import Stack

    load_before = os.getloadavg()
    with (
        tempfile.TemporaryDirectory() as tmp,
        Stack(Path(tmp), workers=1).start(demo_members=12) as stack,
    ):
        info = stack.python(SETUP % args.pages)
        out = asyncio.run(
            measure(stack.urls[0], info["sitting"], info["doc"], args.pages, args.turns)
        )
    out["load"] = [round(x, 2) for x in (*load_before, *os.getloadavg())]
    if args.json:
        print(json.dumps(out))
    else:
        print(
            f"page turn, {out['turns']} turns over {out['pages']} pages read before "
            f"(image {out['image_width']} px), load {out['load']}"
        )
        print(f"  cached page:  p50 {out['cached_p50_ms']} ms  p99 {out['cached_p99_ms']} ms")
        print(
            f"  first read:   p50 {out['first_read_p50_ms']} ms  p99 {out['first_read_p99_ms']} ms"
        )
        print(
            f"  baseline <img> swap: p50 {out['baseline_p50_ms']} ms  p99 {out['baseline_p99_ms']} ms"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
