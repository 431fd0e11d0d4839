"""Real headless Chromium on a real Daphne: the tablet keeps reading without the network.

The Service Worker (``/tablet/sw.js``, scope ``/tablet/``) keeps the shell; the reader
keeps the page images the server sent and where the member was. A member reads a few
pages, the network goes (the context offline *and* the server process gone, since
Chromium's offline emulation does not reach a Service Worker's own requests), the tablet
page is reloaded: it opens, the pages already read are there (in portrait and landscape),
a page never read says so, and the connection pill says it is offline and showing the
pages kept on this tablet. The server comes back and the network returns: the socket
reconnects, resyncs and the tablet is live again. Nothing but the shell, the last tablet
page and the reader's own pages is kept (no API answer). Logging out of a shared tablet
leaves no page image (a confidential one is watermarked for its reader) and no kept page;
the next member on it starts empty.
"""

from __future__ import annotations

import pytest

from harness.browser import allow_console_error, launch, live_page, shot
from harness.servers import Stack, wait_http
from meeting.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.e2e]
PW = DEMO_PASSWORD

SETUP = """
from core.models import Sitting
from meeting.services import agenda
from core.policy import Acting
from docs_store.models import Access
from frontend.offline import static_version
from harness.documents import distributed, numbered_pdf
s = Sitting.objects.get(kind="plenary")
item = s.agenda_items.order_by("order").first()
agenda.open_item(s.pk, item.pk, actor=Acting(role="clerk"))
doc = distributed(s, numbered_pdf(8), "条例草案", item=item)
secret = distributed(s, numbered_pdf(3), "内部情况通报", item=item, access=Access.CONFIDENTIAL)
result = {"sitting": s.pk, "doc": doc.pk, "secret": secret.pk, "version": static_version()}
"""

CACHES = """async () => {
  const out = {};
  for (const name of await caches.keys()) {
    const c = await caches.open(name);
    out[name] = (await c.keys()).map((r) => new URL(r.url).pathname);
  }
  return out;
}"""


async def loaded(page, doc: int, n: int) -> None:
    await page.wait_for_selector(f'#docs-page[data-loaded="{doc}:{n}"]', timeout=20000)


async def controlled(page) -> None:
    """The tablet page is under the Service Worker (installed, shell kept, claimed) and
    the worker has kept the page itself."""
    await page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=20000)
    scopes = await page.evaluate(
        "navigator.serviceWorker.getRegistrations().then((rs) => rs.map((r) => r.scope))"
    )
    base = page.url.split("/tablet/")[0]
    assert scopes == [f"{base}/tablet/"]  # the tablet pages, nothing else of the site
    await page.wait_for_function(
        "caches.open('yiting-html').then((c) => c.keys()).then((k) => k.length === 1)",
        timeout=20000,
    )


async def test_reload_without_network_keeps_reading_then_live_again(tmp_path):
    from playwright.async_api import async_playwright

    with Stack(tmp_path, workers=1).start(demo_members=12) as stack:
        base = stack.urls[0]
        info = stack.python(SETUP)
        sid, doc = info["sitting"], info["doc"]
        tablet = f"/tablet/{sid}/"
        async with async_playwright() as pw:
            browser = await launch(pw)
            try:
                t = await live_page(browser, base, PW, "m006", tablet, (820, 1180))
                await controlled(t)
                await t.click(f'#docs-list button[data-doc="{doc}"]')
                await loaded(t, doc, 1)
                for n in (2, 3):
                    await t.click("#docs-next")
                    await loaded(t, doc, n)
                # the prefetches (pages 4–5, the other document's first page) are in
                await t.wait_for_function(
                    """(urls) => caches.keys().then((names) => Promise.all(names.map(
                         (n) => caches.open(n).then((c) => c.keys())))).then((all) => {
                         const have = all.flat().map((r) => new URL(r.url).pathname);
                         return urls.every((u) => have.includes(u)); })""",
                    arg=[
                        f"/docs/d/{doc}/v/1/p/5/800.jpg",
                        f"/docs/d/{info['secret']}/v/1/p/1/800.jpg",
                    ],
                    timeout=20000,
                )
                kept = await t.evaluate(CACHES)
                shell = f"yiting-shell-{info['version']}"
                assert "/static/vendor/lit-html/lit-html.js" in kept[shell]
                assert "/static/yiting/pages/tablet.js" in kept[shell]
                assert "/static/yiting/tablet/tablet.css" in kept[shell]
                assert kept["yiting-html"] == [tablet]
                [pages] = [k for k in kept if k.startswith("yiting-pages-")]
                assert f"/docs/d/{doc}/v/1/p/3/800.jpg" in kept[pages]
                # no API answer, no search, notes or ink is kept by anyone
                everything = [p for paths in kept.values() for p in paths]
                assert not [p for p in everything if p.startswith(("/docs/sittings/", "/ws/"))]
                assert not [p for p in everything if p.endswith(("/notes/", "/ink/", "/read/"))]

                # the network goes: the context offline, and the server gone for the worker
                allow_console_error("ERR_INTERNET_DISCONNECTED")
                allow_console_error("WebSocket connection to")
                allow_console_error("ERR_CONNECTION_REFUSED")  # the server gone, on purpose
                # a page image asked for across the cut (the reload races the outage, a
                # kept-alive connection to the killed process is reset when it is back)
                allow_console_error(f"({base}/docs/d/")
                await t.context.set_offline(True)
                stack.kill_worker(0)
                await t.reload()
                await loaded(t, doc, 3)  # where the member was, from what this tablet kept
                conn = t.locator("#conn[data-cached=true]")
                await conn.wait_for()
                assert "离线" in await conn.inner_text()
                assert "缓存" in await conn.inner_text()
                assert await t.get_attribute("#conn", "data-state") != "live"
                await t.wait_for_selector("#docs-offline", state="visible")
                await t.click("#docs-prev")
                await loaded(t, doc, 2)
                await shot(t, "screens/tablet-offline-820x1180")
                await t.set_viewport_size({"width": 1180, "height": 820})
                await t.click("#docs-next")  # read in portrait: the 800 px image will do
                await loaded(t, doc, 3)
                await t.wait_for_timeout(250)  # layout settles; not an assertion
                await shot(t, "screens/tablet-offline-1180x820")
                await t.set_viewport_size({"width": 820, "height": 1180})
                await t.fill("#docs-goto", "8")  # never read here
                await t.press("#docs-goto", "Enter")
                await t.wait_for_function(
                    "document.getElementById('docs-status').textContent.includes('尚未')"
                )
                assert await t.text_content("#docs-ink-state") == ""  # no browser English
                await t.click("button[data-drawer=search]")  # search needs the server
                await t.fill("#docs-q", "条例")
                await t.click("#docs-search-go")
                await t.wait_for_function(
                    "document.getElementById('docs-search-status').textContent.includes('联网')"
                )
                await t.keyboard.press("Escape")

                # back: the server, then the network; the socket reconnects and resyncs
                stack.spawn_worker(stack.ports[0])
                wait_http(f"{base}/healthz")
                await t.context.set_offline(False)
                await t.wait_for_selector("#conn[data-state=live]", timeout=20000)
                await t.wait_for_selector("#docs-offline", state="hidden")
                assert await t.get_attribute("#conn", "data-cached") is None
                assert "离线" not in await t.inner_text("#conn")
                await t.wait_for_selector(
                    f'#docs-list button[data-doc="{info["secret"]}"]', state="attached"
                )
                await t.fill("#docs-goto", "7")
                await t.press("#docs-goto", "Enter")
                await loaded(t, doc, 7)
                await shot(t, "screens/tablet-back-online-820x1180")
            finally:
                await browser.close()


async def test_logout_leaves_no_page_of_a_confidential_document(tmp_path):
    from playwright.async_api import async_playwright

    with Stack(tmp_path, workers=1).start(demo_members=12) as stack:
        base = stack.urls[0]
        info = stack.python(SETUP)
        sid, secret = info["sitting"], info["secret"]
        tablet = f"/tablet/{sid}/"
        async with async_playwright() as pw:
            browser = await launch(pw)
            try:
                t = await live_page(browser, base, PW, "m006", tablet, (820, 1180))
                await controlled(t)
                await t.click(f'#docs-list button[data-doc="{secret}"]')
                await loaded(t, secret, 1)
                await t.click("#docs-next")
                await loaded(t, secret, 2)
                kept = await t.evaluate(CACHES)
                [pages] = [k for k in kept if k.startswith("yiting-pages-")]
                assert f"/docs/d/{secret}/v/1/p/2/800.jpg" in kept[pages]
                assert f"/docs/d/{secret}/_reading" in kept[pages]
                assert kept["yiting-html"] == [tablet]

                await t.click("header form[action$='/logout/'] button")
                await t.wait_for_url("**/login/**")
                left = await t.evaluate(CACHES)
                assert not [k for k in left if k.startswith("yiting-pages-")], left
                assert "yiting-html" not in left
                assert any(k.startswith("yiting-shell-") for k in left)  # nothing personal

                # the next member on this tablet (same browser) starts with nothing kept
                await t.fill("input[name=username]", "m007")
                await t.fill("input[name=password]", PW)
                await t.click("button[type=submit]")
                await t.wait_for_load_state("networkidle")
                await t.goto(base + tablet)
                await t.wait_for_selector("#conn[data-state=live]")
                now = await t.evaluate(CACHES)
                mine = [k for k in now if k.startswith("yiting-pages-")]
                kept = [path for k in mine for path in now[k]]
                # m007's tablet prefetches page 1 of each paper it may read (as it may
                # already have done here); nothing m006 read or where m006 was remains
                assert f"/docs/d/{secret}/v/1/p/2/800.jpg" not in kept, now
                assert all(path.endswith("/p/1/800.jpg") for path in kept), now
                assert await t.is_hidden("#docs-reader")  # nothing reopened from before
            finally:
                await browser.close()
