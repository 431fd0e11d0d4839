"""client.js in real Chromium: a refused ``sync`` is retried with bounded backoff.

The page's WebSocket is a scripted fake (the server's answers are the test's), so the
client's own code runs unchanged: a ``try_again`` to the first syncs must not leave the
tablet unsynced, and a socket that keeps refusing is dropped so reconnecting takes over.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import async_playwright

from harness.browser import launch

pytestmark = [pytest.mark.browser]
CLIENT = Path(__file__).resolve().parents[2] / "frontend/static/yiting/client.js"
PAGE = """<!doctype html><meta charset=utf-8><div id=conn></div><script type=module>
window.log = {sockets: 0, syncs: 0, closes: 0};
class FakeSocket {
  constructor(url) {
    window.log.sockets += 1; this.readyState = 1;
    setTimeout(() => this.deliver({type: "welcome", seq: null, sitting: 1,
      data: {protocol: 1, role: "member", seq: 3}}), 5);
  }
  deliver(msg) { this.onmessage && this.onmessage({data: JSON.stringify(msg)}); }
  send(text) {
    const f = JSON.parse(text);
    if (f.type !== "sync") return;
    window.log.syncs += 1;
    const ok = window.log.syncs > window.REFUSE;
    const reply = ok
      ? {type: "reply", id: f.id, ok: true, data: {mode: "snapshot", seq: 3, snapshot: {}}}
      : {type: "reply", id: f.id, ok: false, error: {code: "try_again", message: "db"}};
    setTimeout(() => this.deliver(reply), 1);
  }
  close() { window.log.closes += 1; this.readyState = 3;
    setTimeout(() => this.onclose && this.onclose({code: 1006}), 1); }
}
window.WebSocket = FakeSocket;
const { SittingClient, SYNC_TRIES } = await import("/client.js");
window.SYNC_TRIES = SYNC_TRIES;
window.client = new SittingClient("/ws/sittings/1/");
window.client.connect();
</script>"""


async def _run(refuse: int) -> tuple[dict, list[str]]:
    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            page = await browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("console", lambda m: m.type == "error" and errors.append(m.text))
            await page.add_init_script(f"window.REFUSE = {refuse};")

            async def serve(route):
                name = route.request.url.rsplit("/", 1)[-1]
                if name.endswith(".js"):  # client.js and what it imports (secure.js)
                    body, ctype = (CLIENT.parent / name).read_text(), "text/javascript"
                else:
                    body, ctype = PAGE, "text/html"
                await route.fulfill(status=200, body=body, content_type=ctype)

            await page.route("http://client.test/**", serve)
            await page.goto("http://client.test/")
            await page.wait_for_function(
                "window.client && window.client.state === 'live'", timeout=30000
            )
            return await page.evaluate("({...window.log, tries: window.SYNC_TRIES})"), errors
        finally:
            await browser.close()


async def test_refused_syncs_are_retried_on_the_same_socket():
    log, errors = await _run(refuse=2)
    assert errors == []
    assert log["syncs"] == 3 and log["sockets"] == 1 and log["closes"] == 0


async def test_a_socket_that_keeps_refusing_is_dropped_and_the_client_reconnects():
    log, errors = await _run(refuse=5)
    assert errors == []
    assert log["tries"] == 5
    # five refusals on the first socket, then a new socket whose first sync succeeds
    assert log["syncs"] == 6 and log["closes"] == 1 and log["sockets"] == 2
