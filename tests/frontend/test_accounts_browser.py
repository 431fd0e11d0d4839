"""Accounts in real Chromium over a real Daphne process (issue 28).

A member imported with an initial password logs in on a tablet (portrait), is sent to the
password change page (Chinese, no old password asked: the given one is spent), is told in
Chinese why a weak password is refused, sets a good one and reaches the tablet of the
sitting with its socket live; 修改密码 is in the tablet's top bar. The clerk opens the
term's logins from the session page at console size, resets the member's password and
reads the one-time code once; a login with that code is sent to the change page too.
Screenshots to test-artifacts/screens/accounts-*.png.
"""

from __future__ import annotations

import re

import pytest

from harness.browser import launch, logged_in_page, new_context, shot
from harness.servers import Stack
from meeting.demo import DEMO_PASSWORD
from tests.frontend.test_control_room_browser import HIT
from tests.frontend.test_every_page import ALLOWED, english_words

pytestmark = [pytest.mark.browser, pytest.mark.e2e]
INITIAL = "Initial-Pass-2026"
NEW = "晨会-议厅-2026-长口令"
SETUP = f"""
from django.contrib.auth import get_user_model
from core.models import Sitting
from meeting.proceedings.roster_import import import_members
s = Sitting.objects.get(kind="plenary")
clerk = get_user_model().objects.get(username="clerk")
text = "登录名,姓名,身份,座位号,初始密码\\nx001,新任委员,委员,090,{INITIAL}\\n"
import_members(s.session.term, text.encode(), by=clerk)
result = {{"plenary": s.pk, "session": s.session_id}}
"""
TABLET = (820, 1180)
CONSOLE = (1440, 900)


async def english_in(page, selector: str) -> list[str]:
    """``english_words`` of one part of a page (others' parts are theirs to check)."""
    text = await page.evaluate(
        """(sel) => {
        const root = document.querySelector(sel);
        const skip = [...root.querySelectorAll("code, kbd, [data-literal]")];
        skip.forEach((e) => { e.dataset.was = e.style.display; e.style.display = "none"; });
        const text = root.innerText;
        skip.forEach((e) => { e.style.display = e.dataset.was; });
        return text;
        }""",
        selector,
    )
    return sorted({w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in ALLOWED})


async def _login(browser, base: str, user: str, password: str, size):
    context = await new_context(browser, width=size[0], height=size[1])
    page = await context.new_page()
    await page.goto(f"{base}/login/")
    await page.fill("input[name=username]", user)
    await page.fill("input[name=password]", password)
    await page.click("button[type=submit]")
    await page.wait_for_load_state("networkidle")
    return page


async def test_an_imported_member_changes_the_given_password_and_reaches_the_tablet(tmp_path):
    from playwright.async_api import async_playwright

    with Stack(tmp_path, workers=1).start(demo_members=12) as stack:
        base = stack.urls[0]
        info = stack.python(SETUP)
        async with async_playwright() as pw:
            browser = await launch(pw)
            try:
                tablet = await _login(browser, base, "x001", INITIAL, TABLET)
                assert tablet.url == f"{base}/password_change/"
                assert await tablet.is_visible("#password-forced")
                assert await tablet.locator("input[name=old_password]").count() == 0
                assert await english_words(tablet) == []
                assert await tablet.evaluate(HIT, "#password-change button[type=submit]") == "ok"
                await shot(tablet, "screens/accounts-change-forced-820x1180")

                await tablet.fill("input[name=new_password1]", "12345678")
                await tablet.fill("input[name=new_password2]", "12345678")
                await tablet.click("#password-change button[type=submit]")
                await tablet.wait_for_selector(".field-errors")
                errors = await tablet.text_content(".field-errors")
                assert "这个密码太常见了" in errors and "密码只包含数字" in errors, errors
                assert await english_words(tablet) == []
                await shot(tablet, "screens/accounts-change-refused-820x1180")

                await tablet.fill("input[name=new_password1]", NEW)
                await tablet.fill("input[name=new_password2]", NEW)
                await tablet.click("#password-change button[type=submit]")
                await tablet.wait_for_selector("#password-changed")
                assert "您的密码已修改" in await tablet.text_content("#password-changed")
                assert await english_words(tablet) == []
                await shot(tablet, "screens/accounts-changed-820x1180")
                await tablet.click("#password-continue")
                await tablet.wait_for_selector("#conn[data-state=live]")
                assert tablet.url == f"{base}/tablet/{info['plenary']}/"
                assert await tablet.evaluate(HIT, "#password-change-link") == "ok"
                assert await tablet.text_content("#password-change-link") == "修改密码"
                await shot(tablet, "screens/accounts-tablet-after-change-820x1180")
                await tablet.set_viewport_size({"width": 1180, "height": 820})
                assert await tablet.evaluate(HIT, "#password-change-link") == "ok"
                await shot(tablet, "screens/accounts-tablet-after-change-1180x820")

                # the file's password is spent: it logs no one in any more
                again = await _login(browser, base, "x001", INITIAL, TABLET)
                assert again.url.startswith(f"{base}/login/")

                # the clerk resets it from the session page at console size
                clerk = await logged_in_page(
                    browser, base, "clerk", DEMO_PASSWORD, width=CONSOLE[0], height=CONSOLE[1]
                )
                await clerk.goto(f"{base}/proceedings/sessions/{info['session']}/")
                await clerk.click("#roster-help summary")
                card = "section.card:has(#roster-help)"
                assert await english_in(clerk, card) == []
                assert await english_in(clerk, "header.topbar") == []
                help_text = await clerk.text_content("#roster-columns")
                for words in ("姓名", "登录名", "用户名", "座位号", "审议组", "分组", "username"):
                    assert words in help_text, words
                await shot(clerk, "screens/accounts-session-roster-help-1440x900")
                await clerk.click("#accounts-link")
                await clerk.wait_for_selector("#accounts")
                row = "#accounts tr:has(code:text-is('x001'))"
                clerk.once("dialog", lambda d: d.accept())
                await clerk.click(f"{row} button.reset-password")
                await clerk.wait_for_selector("#issued-code")
                code = (await clerk.text_content("#otp")).strip()
                assert re.fullmatch(r"[A-HJ-NP-Z2-9]{8}", code), code
                assert await english_words(clerk) == []
                assert "下次登录须修改" in await clerk.text_content(row)
                await shot(clerk, "screens/accounts-clerk-reset-1440x900")
                await clerk.goto(f"{base}/proceedings/sessions/{info['session']}/accounts/")
                assert code not in await clerk.content()  # shown once

                # the change page at console size: the code sends there too
                member = await _login(browser, base, "x001", code, CONSOLE)
                assert member.url == f"{base}/password_change/"
                assert await english_words(member) == []
                await shot(member, "screens/accounts-change-forced-1440x900")
                # and an ordinary login's own change page, with the old password
                await clerk.goto(f"{base}/password_change/")
                assert await clerk.locator("input[name=old_password]").count() == 1
                assert await clerk.is_hidden("#password-forced")
                assert await english_words(clerk) == []
                await shot(clerk, "screens/accounts-change-own-1440x900")
            finally:
                await browser.close()
