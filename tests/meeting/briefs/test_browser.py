"""In real headless Chromium over a real Daphne: staff write summaries with quotes taken
at the player's moment, one compiles a brief, a second checks and releases it, a member
finds it on the tablet's documents list and opens a quote's link at the right second."""

from __future__ import annotations

import pytest

from harness.browser import launch, logged_in_page, shot
from harness.servers import Stack
from meeting.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.media]
PW = DEMO_PASSWORD
SETUP = """
import datetime as dt, tempfile
from pathlib import Path
from django.utils import timezone
from meeting.briefs.history import file_speech, tone_clip
from core.models import Session, Sitting, Member
s = Sitting.objects.filter(session__number=20, kind='group').order_by('group__order').first()
ms = list(Member.objects.filter(group=s.group, role__in=['member', 'vice_chair']).order_by('seat'))[:2]
items = list(s.agenda_items.order_by('order'))
tmp = Path(tempfile.mkdtemp())
out = []
for n, m in enumerate(ms):
    f = tone_clip(tmp / f'{n}.mp4', m.full_name, 8.0)
    sp = file_speech(s, m, items[0], timezone.now() - dt.timedelta(minutes=30 - 10 * n), 8.0, clip_file=f)
    out.append(sp.pk)
result = {'sitting': s.pk, 'speeches': out, 'names': [m.full_name for m in ms],
          'reader': ms[1].user.username}
"""
BRIEF = """
from meeting.briefs.models import Brief
b = Brief.objects.filter(sitting_id={sitting}).order_by('-number').first()
result = {{'brief': b.pk, 'state': b.state, 'doc': b.document_id, 'number': b.number}}
"""


def _favicon(url: str) -> bool:
    # Chromium asks every new context for /favicon.ico; the base template (another
    # branch's page work) has none yet. Nothing else is let through.
    return url.endswith("/favicon.ico")


def watch(page, errors: list) -> None:
    """Fail the test on any page error, console error or failed response of ``page``."""
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
    page.on(
        "console",
        lambda m: (
            errors.append(f"{page.url}: {m.text}")
            if m.type == "error" and not _favicon(m.location.get("url", ""))
            else None
        ),
    )
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not _favicon(r.url)
            else None
        ),
    )


async def test_summaries_brief_release_tablet_and_quote_link(tmp_path):
    from playwright.async_api import async_playwright

    with Stack(tmp_path, workers=1).start(demo_members=12) as stack:
        stack.manage("demo", "--members", "12", "--no-documents", "--history")
        base = stack.urls[0]
        info = stack.python(SETUP)
        sid, (sp1, sp2) = info["sitting"], info["speeches"]
        errors: list[str] = []
        async with async_playwright() as pw:
            browser = await launch(pw)
            try:
                staff = await logged_in_page(browser, base, "staff", PW, width=1440, height=900)
                watch(staff, errors)
                await staff.goto(f"{base}/review/")
                await staff.click("#briefs-link")
                await staff.wait_for_selector(f"tr[data-sitting='{sid}'] a.sitting-log")
                await shot(staff, "screens/briefs-index-1440")
                await staff.click(f"tr[data-sitting='{sid}'] a.sitting-log")
                for sp, at, words in ((sp1, 3, "罚则要写清楚"), (sp2, 5, "给基层减负")):
                    art = f"#speech-{sp}"
                    await staff.wait_for_function(
                        f"document.querySelector('{art} video').readyState >= 1", timeout=20000
                    )
                    await staff.evaluate(
                        f"""() => new Promise((ok) => {{
                            const v = document.querySelector('{art} video');
                            v.addEventListener('seeked', ok, {{once: true}});
                            v.currentTime = {at};
                        }})"""
                    )
                    await staff.fill(f"{art} .summary-text", f"{words}，建议修改第十二条。")
                    await staff.fill(f"{art} .quote-text", words)
                    await staff.click(f"{art} .quote-add")
                    await staff.wait_for_selector(f"{art} .save-state[data-state=saved]")
                    await staff.wait_for_selector(f"{art} li.quote[data-at='{at}']")
                await staff.fill(f"#speech-{sp2} .summary-text", "给基层减负，经费要保障。")
                await staff.wait_for_selector(f"#speech-{sp2} .save-state[data-version='2']")
                await shot(staff, "screens/briefs-sitting-editor-1440")

                await staff.click("#new-brief")
                await staff.wait_for_selector("#brief[data-state=draft]")
                assert await staff.is_visible("#check-hint")  # the compiler may not check
                assert not await staff.is_visible("#check")
                text = await staff.text_content("#brief")
                assert f"{info['names'][0]}副主任说：" in text and "经费要保障" in text
                brief_url = staff.url

                checker = await logged_in_page(browser, base, "staff2", PW, width=1440, height=900)
                watch(checker, errors)
                await checker.goto(brief_url)
                await checker.click("#check")
                await checker.wait_for_selector("#brief[data-state=checked]")
                await checker.select_option("#access", "committee")
                await checker.click("#release")
                await checker.wait_for_selector("#brief[data-state=released]")
                assert "已发布" in await checker.text_content("#brief-state")
                await shot(checker, "screens/briefs-released-1440")
                b = stack.python(BRIEF.format(sitting=sid))
                assert b["state"] == "released" and b["doc"]

                for w, h, tag in ((820, 1180, "portrait"), (1180, 820, "landscape")):
                    tablet = await logged_in_page(
                        browser, base, info["reader"], PW, width=w, height=h
                    )
                    watch(tablet, errors)
                    await tablet.goto(f"{base}/tablet/{sid}/")
                    await tablet.wait_for_selector("#conn[data-state=live]")
                    await tablet.wait_for_selector(f'#docs-list button[data-doc="{b["doc"]}"]')
                    assert f"简报 第{b['number']}期" in await tablet.text_content("#docs-list")
                    await shot(tablet, f"screens/briefs-tablet-docs-{tag}")

                await tablet.goto(f"{base}/briefs/{b['brief']}/")
                await shot(tablet, "screens/briefs-member-brief-landscape")
                await tablet.click("a.moment >> nth=0")
                await tablet.wait_for_selector("#moment[data-at='3']")
                await tablet.wait_for_function(
                    "(() => { const v = document.getElementById('player');"
                    " return v.readyState >= 1 && Math.abs(v.currentTime - 3) < 0.6; })()",
                    timeout=20000,
                )
                await shot(tablet, "screens/briefs-moment-landscape")
            finally:
                await browser.close()
        assert not errors, errors
