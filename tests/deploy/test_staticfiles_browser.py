"""Real Chromium on a Daphne started as production starts it: ``collectstatic`` first, DEBUG
off, static files served in-process (deploy/staticfiles.py ``CollectedFinder``).

The console and the tablet load only hashed module names (no plain name is asked for, so
no module exists twice in a page and no old copy is mixed in); the tablet's Service Worker
keeps those hashed files and, with the network gone, opens the tablet from them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harness.browser import allow_console_error, launch, logged_in_page
from harness.servers import Stack
from meeting.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

HASHED = re.compile(r"\.[0-9a-f]{12}\.[A-Za-z0-9]+$")
SHOTS = Path("/tmp/shots/hashed-static")

SETUP = """
from core.models import Sitting
from frontend.offline import static_version
result = {"sitting": Sitting.objects.get(kind="plenary").pk, "version": static_version()}
"""

SHELL = """async (name) => (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname)"""


def _static_requests(page, into: list[str]) -> None:
    page.on(
        "request",
        lambda req: (
            into.append(req.url.split("://", 1)[1].split("/", 1)[1])
            if "/static/" in req.url
            else None
        ),
    )


async def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"{name}.png"))


async def test_pages_run_on_hashed_modules_and_the_tablet_keeps_them_offline(tmp_path):
    from playwright.async_api import async_playwright

    stack = Stack(tmp_path, workers=1)
    stack.manage("collectstatic", "--noinput", "-v0", timeout=300)  # as every production start
    with stack.start(demo_members=12):
        base = stack.urls[0]
        info = stack.python(SETUP)
        sid = info["sitting"]
        asked: list[str] = []
        async with async_playwright() as pw:
            browser = await launch(pw)
            try:
                console = await logged_in_page(browser, base, "clerk", DEMO_PASSWORD)
                _static_requests(console, asked)
                await console.goto(f"{base}/console/{sid}/")
                await console.wait_for_selector("#conn[data-state=live]")
                await console.set_viewport_size({"width": 1440, "height": 900})
                await _shot(console, "console-1440x900")

                tablet = await logged_in_page(
                    browser, base, "m006", DEMO_PASSWORD, width=820, height=1180, has_touch=True
                )
                _static_requests(tablet, asked)
                await tablet.goto(f"{base}/tablet/{sid}/")
                await tablet.wait_for_selector("#conn[data-state=live]")
                await tablet.wait_for_function(
                    "navigator.serviceWorker.controller !== null", timeout=20000
                )
                await tablet.wait_for_function(
                    "caches.open('yiting-html').then((c) => c.keys()).then((k) => k.length === 1)",
                    timeout=20000,
                )
                await _shot(tablet, "tablet-820x1180")
                await tablet.set_viewport_size({"width": 1180, "height": 820})
                await _shot(tablet, "tablet-1180x820")

                modules = [p for p in asked if p.endswith(".js")]
                assert len(modules) > 20, modules
                plain = sorted({p for p in asked if not HASHED.search(p.split("?")[0])})
                assert plain == [], plain
                kept = await tablet.evaluate(SHELL, f"yiting-shell-{info['version']}")
                assert kept and all(HASHED.search(p) for p in kept), kept
                assert {p for p in asked if p.startswith("static/yiting/pages/tablet.")} <= {
                    k.lstrip("/") for k in kept
                }

                # the network and the server gone: the tablet opens from what was kept
                allow_console_error("ERR_INTERNET_DISCONNECTED")
                allow_console_error("WebSocket connection to")
                allow_console_error("ERR_CONNECTION_REFUSED")
                await tablet.context.set_offline(True)
                await console.context.close()
                stack.kill_worker(0)
                await tablet.reload()
                # the modules ran (from the worker's cache: the server is gone)
                await tablet.wait_for_selector("body[data-network=offline]", timeout=20000)
                assert "离线" in await tablet.locator("#conn").inner_text()
                hit = await tablet.evaluate(
                    "() => { const r = document.getElementById('conn').getBoundingClientRect();"
                    " const e = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);"
                    " return !!e && (e.id === 'conn' || !!e.closest('#conn')); }"
                )
                assert hit  # the offline pill is on top, not under an overlay
                await _shot(tablet, "tablet-offline-1180x820")
            finally:
                await browser.close()
