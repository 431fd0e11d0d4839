"""Real headless Chromium (Debian's ``/usr/bin/chromium``) driven by Playwright.

Use ``browser`` (a session-wide Chromium) and ``logged_in_page(browser, base_url, user,
password)`` to get a page with a logged-in context. Screenshots go to
``test-artifacts/`` so a failing run can be looked at.
"""

from __future__ import annotations

import os
from pathlib import Path

CHROMIUM = os.environ.get("YITING_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
]


async def launch(playwright):
    if not Path(CHROMIUM).exists():
        raise RuntimeError(
            f"{CHROMIUM} is missing: the test command installs Debian's chromium package"
        )
    return await playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )


async def logged_in_page(
    browser, base_url: str, username: str, password: str, *, width=1280, height=800
):
    context = await browser.new_context(
        viewport={"width": width, "height": height},
        locale="zh-CN",
        permissions=["camera", "microphone"],
    )
    page = await context.new_page()
    await page.goto(f"{base_url}/login/")
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", password)
    await page.click("button[type=submit]")
    await page.wait_for_load_state("networkidle")
    return page


async def live_pages(browser, base_url: str, password: str, opens: list[tuple[str, str]]) -> list:
    """Log each user in, open their page and wait until its socket is live; in order."""
    pages = []
    for username, path in opens:
        page = await logged_in_page(browser, base_url, username, password)
        await page.goto(base_url + path)
        await page.wait_for_selector("#conn[data-state=live]")
        pages.append(page)
    return pages


async def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path
