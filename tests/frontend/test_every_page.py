"""Every page for every role after a short scripted session, as a person sees it.

Each page is opened at the size it is used at (tablet portrait 820×1180 and landscape
1180×820, console 1440×900, wall 1920×1080), its screenshot saved to
test-artifacts/screens/, and its visible text checked for English words outside a short
allowlist. The error fixture fails the test on any script or console error.
"""

from __future__ import annotations

import re

import pytest

from harness.browser import launch, logged_in_page, shot
from harness.servers import Stack
from meeting.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.e2e]
PW = DEMO_PASSWORD
ALLOWED = {"PDF", "CSV", "JSON", "Yiting", "English", "Alt", "PageUp", "PageDown", "v"}
SETUP = """
from core.models import Member, Sitting
p = Sitting.objects.get(kind="plenary")
m = Member.objects.get(user__username="m002")
result = {"plenary": p.pk, "session": p.session_id, "member": m.pk}
"""


# Does a select show its chosen text whole? Its box, less padding and the arrow (about
# 20 px), must hold the text drawn in the select's own font.
SELECT_ROOM = """(sel) => {
  const el = document.querySelector(sel);
  const text = el.options[el.selectedIndex].text;
  const cs = getComputedStyle(el);
  const probe = document.createElement("span");
  probe.style.font = cs.font;
  probe.style.position = "absolute";
  probe.style.whiteSpace = "pre";
  probe.textContent = text;
  document.body.append(probe);
  const need = probe.getBoundingClientRect().width;
  probe.remove();
  const inner = el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight) - 20;
  return { text, need, inner, fits: need <= inner };
}"""


async def english_words(page) -> list[str]:
    # Literal file formats and codes (<code>, <kbd>, [data-literal]) are not prose.
    text = await page.evaluate(
        """() => {
        const skip = [...document.querySelectorAll("code, kbd, [data-literal]")];
        const before = skip.map((e) => e.style.display);
        skip.forEach((e) => { e.style.display = "none"; });
        const text = document.body.innerText;
        skip.forEach((e, i) => { e.style.display = before[i]; });
        return text;
        }"""
    )
    return sorted({w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in ALLOWED})


async def test_every_page_is_chinese_and_clean(tmp_path):
    from playwright.async_api import async_playwright

    with Stack(tmp_path, workers=1).start(demo_members=12) as stack:
        base = stack.urls[0]
        info = stack.python(SETUP)
        sid, session, member = info["plenary"], info["session"], info["member"]
        pages = [
            ("login", None, "/login/", (1440, 900)),
            ("tablet-portrait", "m002", f"/tablet/{sid}/", (820, 1180)),
            ("tablet-landscape", "m002", f"/tablet/{sid}/", (1180, 820)),
            ("chair-console", "chair", f"/console/{sid}/", (1440, 900)),
            ("clerk-console", "clerk", f"/console/{sid}/", (1440, 900)),
            ("console-index", "clerk", "/console/", (1440, 900)),
            ("proceedings-sessions", "clerk", "/proceedings/", (1440, 900)),
            ("proceedings-session", "clerk", f"/proceedings/sessions/{session}/", (1440, 900)),
            ("proceedings-audit", "clerk", "/proceedings/audit/", (1440, 900)),
            ("review", "staff", "/review/", (1440, 900)),
            ("deputy-record", "staff", f"/media/members/{member}/record/", (1440, 900)),
            ("wall", "display", f"/display/{sid}/", (1920, 1080)),
            ("member-403", "m002", "/review/", (820, 1180)),
        ]
        found: dict[str, list[str]] = {}
        async with async_playwright() as pw:
            browser = await launch(pw)
            try:
                # a short session: the member checks in, the clerk opens item 1
                clerk = await logged_in_page(browser, base, "clerk", PW, width=1440, height=900)
                await clerk.goto(f"{base}/console/{sid}/")
                await clerk.wait_for_selector("#conn[data-state=live]")
                tablet = await logged_in_page(browser, base, "m002", PW, width=820, height=1180)
                await tablet.goto(f"{base}/tablet/{sid}/")
                await tablet.wait_for_selector("#conn[data-state=live]")
                await tablet.click("#check-in")
                await tablet.wait_for_selector("#checked-in:visible")
                await clerk.click("#agenda button[data-open]")
                await clerk.wait_for_selector("#agenda li.current")
                for name, user, path, (w, h) in pages:
                    if user is None:
                        context = await browser.new_context(
                            viewport={"width": w, "height": h}, locale="zh-CN"
                        )
                        from harness.browser import watch

                        context.on("page", watch)
                        page = await context.new_page()
                    else:
                        page = await logged_in_page(browser, base, user, PW, width=w, height=h)
                    if path.endswith("/review/") and user == "m002":
                        from harness.browser import allow_console_error

                        allow_console_error("403")
                    await page.goto(base + path)
                    if re.match(r"^/(console|tablet|display)/\d+/$", path):
                        await page.wait_for_selector("#conn[data-state=live]")
                    await page.wait_for_load_state("networkidle")
                    await shot(page, f"screens/{name}")
                    if name.endswith("console"):
                        # the console fits one 1440×900 screen: no page scroll either way
                        size = await page.evaluate(
                            "[document.scrollingElement.scrollWidth,"
                            " document.scrollingElement.scrollHeight]"
                        )
                        assert size[0] <= w and size[1] <= h, (name, size)
                    if name == "review":
                        # Chromium draws a date input as "mm/dd/yyyy" in an English
                        # build, whatever the page's language: the fields are text with
                        # a Chinese year-month-day placeholder
                        dates = await page.eval_on_selector_all(
                            "#review-filter input[name=from], #review-filter input[name=to]",
                            "els => els.map((e) => [e.type, e.placeholder])",
                        )
                        assert dates == [["text", "年-月-日"]] * 2, dates
                    if name.endswith("console"):
                        # the extension select shows its whole choice ("2 分钟"), not "2′"
                        room = await page.evaluate(SELECT_ROOM, "#floor-extend-s")
                        assert room["text"] == "2 分钟" and room["fits"], room
                    words = await english_words(page)
                    if words:
                        found[name] = words
                    await page.context.close()
            finally:
                await browser.close()
        assert not found, f"English on the pages: {found}"
