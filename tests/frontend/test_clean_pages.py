"""What a clerk and a member meet in the first minute, in real Chromium over Daphne.

Each check here failed before its fix (issue 12, seen-items 1–4, 6, 10, 12); every page
is also watched by the error fixture (harness/browser.py), so the console's old
``form.elements.item`` TypeError fails this test on load.
"""

from __future__ import annotations

import pytest

from harness.browser import launch, logged_in_page, shot
from harness.servers import Stack
from meeting.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.e2e]
PW = DEMO_PASSWORD
SETUP = """
from core.models import Member, Sitting
from core.roster import sitting_roster
p = Sitting.objects.get(kind="plenary")
g = Sitting.objects.filter(kind="group").order_by("pk").first()
gm = sitting_roster(g).filter(role="member").order_by("seat").first()
from frontend.review_filters import initials
m2 = Member.objects.get(user__username="m002")
result = {"plenary": p.pk, "session": p.session_id, "group": g.pk,
          "group_member": gm.user.username, "group_member_id": gm.pk,
          "item": p.agenda_items.order_by("order").first().pk,
          "member_id": m2.pk, "member_name": m2.full_name,
          "member_initials": initials(m2.full_name)}
"""
# Counts getUserMedia calls before any page script runs.
COUNT_MEDIA = """
window.__gum = 0;
if (navigator.mediaDevices) {
  const real = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = (c) => { window.__gum += 1; return real(c); };
}
"""


async def test_console_and_tablets_are_clean_from_the_first_minute(tmp_path):
    from playwright.async_api import async_playwright

    with Stack(tmp_path, workers=1).start(demo_members=12) as stack:
        base = stack.urls[0]
        info = stack.python(SETUP)
        plenary, group = info["plenary"], info["group"]
        async with async_playwright() as pw:
            browser = await launch(pw)
            try:
                # 1 + 2: the console loads without a script error and lists the roster
                # at once (no live event needed) — 12 demo members plus the chair.
                clerk = await logged_in_page(browser, base, "clerk", PW, width=1440, height=900)
                await clerk.goto(f"{base}/console/{plenary}/")
                await clerk.wait_for_selector("#conn[data-state=live]")
                await clerk.wait_for_selector("#roster button.seat")
                assert await clerk.locator("#roster button.seat").count() >= 12
                # 1: the upload form's agenda select lists the items
                options = await clerk.locator("#docs-upload select[name=item] option").count()
                assert options > 1
                # 3: the presenter bar is hidden while nobody presents
                assert not await clerk.is_visible("#docs-presenter-bar")

                # check-in by typing a seat number; the keys are listed on the page
                await clerk.fill("#seat-checkin input[name=seat]", "003")
                await clerk.press("#seat-checkin input[name=seat]", "Enter")
                await clerk.wait_for_selector("#roster button.seat.present")
                assert "003" in await clerk.text_content("#roster button.seat.present")
                # ... or the number on the member's card (m005's demo card is 880005)
                await clerk.fill("#seat-checkin input[name=seat]", "880005")
                await clerk.press("#seat-checkin input[name=seat]", "Enter")
                await clerk.wait_for_function(
                    "document.querySelectorAll('#roster button.seat.present').length === 2"
                )
                assert (
                    "005"
                    in await clerk.locator("#roster button.seat.present").nth(1).text_content()
                )
                assert "Alt" in await clerk.text_content("#keys-line")

                # 3 + 6: a plenary tablet: "已签到" not shown before check-in; no camera
                member = await logged_in_page(browser, base, "m002", PW, width=820, height=1180)
                await member.add_init_script(COUNT_MEDIA)
                await member.goto(f"{base}/tablet/{plenary}/")
                await member.wait_for_selector("#conn[data-state=live]")
                await member.wait_for_selector("#check-in:visible")
                assert not await member.is_visible("#checked-in")
                assert not await member.is_visible("#docs-following")
                assert await member.evaluate("window.__gum") == 0
                assert not await member.is_visible("#recording-panel")

                # 12: a missing stream in a plenary is not news on the console
                await clerk.evaluate(
                    "window.yiting.client.fire('media.not_recorded',"
                    " {member: 1, entry: 1, code: 'stream_missing'})"
                )
                assert await clerk.locator("#rec-log li").count() == 0

                # 4: a group tablet; a late progress message does not overwrite "saved"
                name = info["group_member"]
                speaker = await logged_in_page(browser, base, name, PW, width=820, height=1180)
                await speaker.goto(f"{base}/tablet/{group}/")
                await speaker.wait_for_selector("#conn[data-state=live]")
                mid = info["group_member_id"]
                await speaker.evaluate(
                    f"""() => {{
                    const c = window.yiting.client;
                    c.fire('media.recording_stopped', {{recording: 9, member: {mid}}});
                    c.fire('media.clip_progress', {{recording: 9, member: {mid}, done: 3, total: 4}});
                    c.fire('media.clip_ready', {{recording: 9, member: {mid}, duration_s: 12.5}});
                    c.fire('media.clip_progress', {{recording: 9, member: {mid}, done: 4, total: 4}});
                    }}"""
                )
                assert await speaker.get_attribute("#rec-progress", "data-state") == "ready"
                text = await speaker.text_content("#rec-progress")
                assert "13 秒" in text and "4/4" not in text  # whole seconds (issue 25)

                # review: a member is found by pinyin initials; ?member= opens with the name
                staff = await logged_in_page(browser, base, "staff", PW, width=1440, height=900)
                await staff.goto(f"{base}/review/?member={info['member_id']}")
                await staff.wait_for_function(
                    "document.querySelector('#review-filter [name=who]').value.length > 0"
                )
                assert await staff.input_value("#review-filter [name=who]") == info["member_name"]
                await staff.fill("#review-filter [name=who]", info["member_initials"])
                await staff.wait_for_function(
                    f"document.querySelector('#review-filter [name=member]').value"
                    f".split(',').includes('{info['member_id']}')"
                )

                # 10: the session closes: the tablet says so and offers nothing to press
                await member.click("#check-in")
                await member.wait_for_selector("#checked-in:visible")
                assert await member.is_visible("#floor-ask")
                clerk.on("dialog", lambda d: d.accept())
                await clerk.goto(f"{base}/proceedings/sessions/{info['session']}/")
                await clerk.click("#close-session")
                await member.wait_for_selector("#sitting-ended:visible")
                assert not await member.is_visible("#floor-ask")
                assert await member.locator("#agenda li.current").count() == 0
                await shot(member, "screens/tablet-plenary-ended")
            finally:
                await browser.close()
