"""In real headless Chromium over a real Daphne: the tablet publishes its fake camera,
the clerk grants and ends the floor, and a staff reviewer plays and seeks the clip."""

from __future__ import annotations

import asyncio

import pytest

from harness.browser import launch, logged_in_page, shot
from harness.servers import Stack
from meeting.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.media]
PW = DEMO_PASSWORD
SETUP = """
from core.models import Member, Sitting
from core.roster import sitting_roster
s = Sitting.objects.filter(kind='group').order_by('pk').first()
m = sitting_roster(s).filter(role='member').order_by('seat').first()
result = {'sitting': s.pk, 'member': m.pk, 'username': m.user.username}
"""
CLIP = """
from media.models import Clip
c = Clip.objects.filter(member_id={member}).first()
result = c and {{'clip': str(c.public_id), 'duration': c.duration_s, 'entry': c.floor_entry_id,
               'path': c.path, 'quality': c.quality}}
"""


async def test_tablet_publishes_and_staff_plays_the_clip(tmp_path):
    from playwright.async_api import async_playwright

    with Stack(tmp_path, workers=1).start(demo_members=12) as stack:
        base = stack.urls[0]
        ids = stack.python(SETUP)
        sid, mid = ids["sitting"], ids["member"]
        async with async_playwright() as pw:
            browser = await launch(pw)
            try:
                tablet = await logged_in_page(browser, base, ids["username"], PW)
                await tablet.goto(f"{base}/tablet/{sid}/")
                await tablet.wait_for_selector("#rec-state[data-state=live]", timeout=30000)
                clerk = await logged_in_page(browser, base, "clerk", PW)
                await clerk.goto(f"{base}/console/{sid}/")
                await clerk.wait_for_selector("#conn[data-state=live]")
                await clerk.wait_for_function(
                    "document.getElementById('rec-publishers').textContent.length > 1"
                )
                await asyncio.sleep(1.0)
                speech = await clerk.evaluate(
                    f"window.yiting.client.send('floor.grant', {{member: {mid}}}, "
                    "{idempotent: true}).then((d) => d.speech.id)"
                )
                await clerk.wait_for_selector(f"#rec-now[data-members='{mid}']")
                await tablet.wait_for_selector("#rec-state[data-state=recording]")
                await shot(clerk, "media-console-recording")
                await asyncio.sleep(3.0)
                await clerk.evaluate(
                    f"window.yiting.client.send('floor.end', {{speech: {speech}, "
                    "how: 'finished'}, {idempotent: true})"
                )
                # Generous: finalising waits for the capture to pass the speech's end and
                # remuxes in the job thread; under a loaded CI machine 30 s was too short.
                await tablet.wait_for_function(
                    "document.getElementById('rec-progress').dataset.state === 'ready'",
                    timeout=90000,
                )
                clip = None
                for _ in range(60):
                    clip = stack.python(CLIP.format(member=mid))
                    if clip:
                        break
                    await asyncio.sleep(0.5)
                assert clip and clip["entry"] == speech
                # Chromium publishes VP8 + Opus: recorded as it arrived, filed as WebM
                assert clip["path"].endswith(".webm") and clip["quality"]["passthrough"]
                assert 2.5 <= clip["duration"] <= 4.5, clip

                staff = await logged_in_page(browser, base, "staff", PW)
                await staff.goto(f"{base}/review/")
                row = f"#review-table tr[data-clip='{clip['clip']}']"
                await staff.wait_for_selector(row)
                await staff.click(f"{row} .play")
                await staff.wait_for_function(
                    "document.getElementById('review-video').readyState >= 2", timeout=20000
                )
                duration = await staff.evaluate("document.getElementById('review-video').duration")
                assert abs(duration - clip["duration"]) < 0.5
                seeked = await staff.evaluate(
                    """() => new Promise((ok) => {
                        const v = document.getElementById('review-video');
                        v.pause();
                        v.addEventListener('seeked', () => ok(v.currentTime), {once: true});
                        v.currentTime = v.duration / 2;
                    })"""
                )
                assert abs(seeked - duration / 2) < 0.6
                # and it plays on from there (a WebM whose index is at the front)
                played = await staff.evaluate(
                    """() => new Promise((ok, no) => {
                        const v = document.getElementById('review-video');
                        const from = v.currentTime;
                        v.muted = true;
                        v.addEventListener('timeupdate', function on() {
                            if (v.currentTime > from + 0.3) {
                                v.removeEventListener('timeupdate', on);
                                v.pause();
                                ok(v.currentTime);
                            }
                        });
                        v.play().catch(no);
                    })"""
                )
                assert played > seeked
                kind = await staff.evaluate(
                    f"fetch('/media/clips/{clip['clip']}/file', {{headers: {{Range: 'bytes=0-3'}}}})"
                    ".then((r) => r.headers.get('content-type'))"
                )
                assert kind == "video/webm"
                size = await staff.evaluate(
                    "() => { const v = document.getElementById('review-video');"
                    " return [v.videoWidth, v.videoHeight]; }"
                )
                assert size == [640, 360]
                await shot(staff, "media-review-playing")
            finally:
                await browser.close()
