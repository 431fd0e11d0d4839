"""Real headless Chromium (Debian's ``/usr/bin/chromium``) driven by Playwright.

Use ``launch(playwright)`` for a Chromium and ``logged_in_page(browser, base_url, user,
password)`` (or ``new_context``) to get a page. Every page opened in a context made here is
watched: an uncaught script error (``pageerror``) or a console message of type ``error``
fails the test that opened it, through the autouse ``browser_page_errors`` fixture (tests/
conftest.py imports it), so no browser test can pass over a broken page. A test that
provokes an error on purpose names it with ``allow_console_error(substring)``.
Screenshots go to ``test-artifacts/`` so a failing run can be looked at.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("YITING_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
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
    "--lang=zh-CN",  # native widgets (file inputs, date pickers) as a Chinese clerk sees them
]


async def launch(playwright):
    if not Path(CHROMIUM).exists():
        raise RuntimeError(
            f"{CHROMIUM} is missing: the test command installs Debian's chromium package"
        )
    return await playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )


# What the pages of the running test reported; reset and checked by browser_page_errors.
PAGE_ERRORS: list[str] = []
_ALLOWED: list[str] = []


def allow_console_error(substring: str) -> None:
    """A console error the running test provokes on purpose (e.g. a 403 it asserts)."""
    _ALLOWED.append(substring)


def _record(kind: str, page, text: str) -> None:
    if any(a in text for a in _ALLOWED):
        return
    PAGE_ERRORS.append(f"{kind} on {page.url}: {text}")


def watch(page) -> None:
    """Record every uncaught script error and console error of ``page``."""
    page.on("pageerror", lambda exc: _record("pageerror", page, str(exc)))
    page.on(
        "console",
        lambda msg: msg.type == "error" and _record("console.error", page, _console_text(msg)),
    )


def _console_text(msg) -> str:
    loc = msg.location or {}
    where = f" ({loc.get('url')}:{loc.get('lineNumber')})" if loc.get("url") else ""
    return msg.text + where


@pytest.fixture(autouse=True)
def browser_page_errors():
    """Fail the test when any page it opened had a script error or a console error."""
    PAGE_ERRORS.clear()
    _ALLOWED.clear()
    yield PAGE_ERRORS
    found, PAGE_ERRORS[:] = list(PAGE_ERRORS), []
    _ALLOWED.clear()
    if found:
        pytest.fail("browser pages reported errors:\n" + "\n".join(found), pytrace=False)


async def new_context(browser, *, width=1280, height=800, **kw):
    """A zh-CN context whose every page is watched for script and console errors."""
    kw.setdefault("locale", "zh-CN")
    kw.setdefault("permissions", ["camera", "microphone"])
    context = await browser.new_context(viewport={"width": width, "height": height}, **kw)
    context.on("page", watch)
    return context


async def logged_in_page(
    browser, base_url: str, username: str, password: str, *, width=1280, height=800, **kw
):
    """A new context (``kw`` as for ``new_context``, e.g. ``has_touch=True``) logged in."""
    context = await new_context(browser, width=width, height=height, **kw)
    page = await context.new_page()
    await page.goto(f"{base_url}/login/")
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", password)
    await page.click("button[type=submit]")
    await page.wait_for_load_state("networkidle")
    return page


async def live_page(
    browser, base_url: str, password: str, username: str, path: str, size=None, **kw
):
    """Log ``username`` in (own context, ``size`` = (width, height) or the default
    1280×800), open ``path`` and wait until its socket is live."""
    width, height = size or (1280, 800)
    page = await logged_in_page(
        browser, base_url, username, password, width=width, height=height, **kw
    )
    await page.goto(base_url + path)
    await page.wait_for_selector("#conn[data-state=live]")
    return page


async def live_pages(browser, base_url: str, password: str, opens: list[tuple]) -> list:
    """Log each user in, open their page and wait until its socket is live; in order.
    Each open is ``(username, path)`` or ``(username, path, (width, height))``."""
    pages = []
    for username, path, *size in opens:
        pages.append(await live_page(browser, base_url, password, username, path, *size))
    return pages


async def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path
