"""The tablet's overlays never cover what the member must press (issue 25, items 1 and 11).

Real Chromium over a real Daphne. The floor is granted to a member while the last
vote's result bar is still shown; in portrait (800×1280) and landscape (1280×800), with
no drawer and with each drawer open (agenda, documents, thumbnails, search, notes), and
with a new vote's sheet over the reader, "您正在发言", the countdown and "结束发言" are
hit-testable (``document.elementFromPoint`` at the control's centre is the control or
inside it) and a click there ends the speech. In a group sitting the camera preview and
its status stay visible over every drawer. The wording: no English brand word in the
header, no ASCII colon after Chinese text, durations in seconds as "11 秒", the vote's
"3 / 38" labelled, the ballot check a receipt code rather than a raw hash prefix.

Screenshots: test-artifacts/screens/tablet-overlay-*.png (one per state and size).
"""

from __future__ import annotations

import re
import uuid

import pytest

from harness.browser import launch, live_page, shot
from harness.servers import Stack, WsClient, login_cookie
from meeting.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.timeout(600)]
PW = DEMO_PASSWORD
PORTRAIT, LANDSCAPE = (800, 1280), (1280, 800)
DRAWERS = ("", "agenda", "docs", "thumbs", "search", "notes")
# what the speaker must see and press, over whatever else is shown
SPEAKER = ("#floor-mine .floor-mine-label", "#floor-my-timer", "#floor-yield")
# the first thing to use in each drawer (the rail must not cover it either)
IN_DRAWER = {
    "agenda": "#agenda li",
    "docs": "#docs-list button",
    "thumbs": "#docs-thumbs button",
    "search": "#docs-q",
    "notes": "#docs-note",
}

SETUP = """
from core.models import Member, Sitting
from core.policy import Acting
from core.roster import sitting_roster
from meeting.services import agenda, attendance
from harness.documents import distributed
from harness.pdf import chinese_pdf

pdf = chinese_pdf([[f"第{n}页", "为了规范数据活动，制定本条例。"] for n in range(1, 5)])
p = Sitting.objects.get(kind="plenary")
g = Sitting.objects.filter(kind="group").order_by("pk").first()
out = {}
for s, key in ((p, "plenary"), (g, "group")):
    item = s.agenda_items.order_by("order").first()
    agenda.open_item(s.pk, item.pk, actor=Acting(role="clerk"))
    doc = distributed(s, pdf, "关于《某某省数据条例（草案）》的说明", item=item)
    roster = list(sitting_roster(s).order_by("seat"))
    for m in roster[:9]:
        attendance.check_in(s.pk, m, method="clerk")
    speaker = [m for m in roster if m.role == "member"][0]
    out[key] = {"sitting": s.pk, "item": item.pk, "doc": doc.pk,
                "speaker": speaker.user.username, "speaker_id": speaker.pk}
result = out
"""

HIT = """(sel) => {
  const el = document.querySelector(sel);
  if (!el) return {ok: false, why: "missing"};
  const r = el.getBoundingClientRect();
  if (!r.width || !r.height) return {ok: false, why: "not shown"};
  const x = r.left + r.width / 2, y = r.top + r.height / 2;
  if (x < 0 || y < 0 || x > innerWidth || y > innerHeight) return {ok: false, why: "off screen"};
  const hit = document.elementFromPoint(x, y);
  const name = hit ? (hit.id ? "#" + hit.id : hit.tagName + "." + hit.className) : null;
  return {ok: !!hit && (hit === el || el.contains(hit)), why: "covered by " + name, x, y};
}"""
# an ASCII colon right after Chinese text (a time "16:00" or "p. 3: …" is not one)
ASCII_COLON = re.compile(r"[\u3400-\u9fff\u3001-\u303f\uff01-\uff5e]\s*:")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with Stack(tmp_path_factory.mktemp("overlays"), workers=1).start(demo_members=12) as st:
        st.info = st.python(SETUP)
        yield st


async def clerk_socket(base: str, sitting: int) -> WsClient:
    ws = WsClient(base, sitting, login_cookie(base, "clerk", PW))
    await ws.connect()
    return ws


async def clerk_do(ws: WsClient, type_: str, data: dict) -> dict:
    """One clerk command (with its own idempotency key, which some commands need)."""
    ans = await ws.request(type_, data, key=uuid.uuid4().hex)
    assert ans["ok"], ans
    return ans["data"]


async def new_vote(ws: WsClient, item: int, question: str) -> int:
    rule = {"base": "roster", "numerator": 1, "denominator": 2, "strict": True}
    data = {"item": item, "question": question, "kind": "named", "duration_s": 600, "rule": rule}
    prepared = await clerk_do(ws, "vote.prepare", data)
    vote = prepared["vote"]["id"]
    await clerk_do(ws, "vote.open", {"vote": vote})
    return vote


async def hittable(page, sel: str, where: str) -> None:
    got = await page.evaluate(HIT, sel)
    assert got["ok"], f"{sel} is not hit-testable ({where}): {got['why']}"


async def open_drawer(page, name: str) -> None:
    await page.evaluate("(n) => window.yitingTablet.open(n)", name)
    if name:
        await page.wait_for_selector(f"[data-drawer-panel={name}]:not([hidden])")
    await page.wait_for_timeout(150)  # layout settles (ResizeObserver); not an assertion


async def every_state(page, name: str, needed: tuple[str, ...]) -> None:
    """Each size × each drawer: every control in ``needed`` (and the drawer's own first
    control) is hit-testable; a screenshot of each state."""
    for w, h in (PORTRAIT, LANDSCAPE):
        await page.set_viewport_size({"width": w, "height": h})
        for drawer in DRAWERS:
            await open_drawer(page, drawer)
            where = f"{w}x{h}, drawer {drawer or 'none'}"
            for sel in needed:
                await hittable(page, sel, where)
            if drawer:
                await page.wait_for_selector(IN_DRAWER[drawer])
                await hittable(page, IN_DRAWER[drawer], where)
            await shot(page, f"screens/tablet-overlay-{name}-{drawer or 'none'}-{w}x{h}")
    await open_drawer(page, "")


async def no_ascii_colon(page, where: str) -> None:
    text = await page.evaluate("document.body.innerText")
    bad = [m.group(0) for m in ASCII_COLON.finditer(text)]
    assert not bad, f"ASCII colon after Chinese text ({where}): {bad}"


async def test_the_speaker_ends_their_speech_over_every_overlay(stack):
    from playwright.async_api import async_playwright

    base, info = stack.urls[0], stack.info["plenary"]
    sid, item = info["sitting"], info["item"]
    ws = await clerk_socket(base, sid)
    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            t = await live_page(browser, base, PW, info["speaker"], f"/tablet/{sid}/", PORTRAIT)
            await t.click(f'#docs-list button[data-doc="{info["doc"]}"]')
            await t.wait_for_selector(f'#docs-page[data-loaded="{info["doc"]}:1"]', timeout=20000)

            # a vote closes: its result holds the screen a moment, then is a bar
            await t.evaluate("window.yitingVoteSheet.momentS = 1")
            vote = await new_vote(ws, item, "第一项表决")
            await t.wait_for_selector("#tablet-vote[data-mode=sheet] #vote-panel[data-state=open]")
            await t.click("#vote-ballot button[data-option=yes]")
            await t.click("#vote-confirm-yes")
            await t.wait_for_selector("#tablet-vote[data-mode=bar]", timeout=10000)
            await clerk_do(ws, "vote.close", {"vote": vote})
            await t.wait_for_selector("#tablet-vote[data-mode=bar] .tv-outcome", timeout=15000)

            # the floor is granted while the result bar is shown
            await t.click("#floor-ask [data-kind=speech]")
            await t.wait_for_selector("#floor-mypos[data-position='1']")
            await no_ascii_colon(t, "queued")
            granted = await clerk_do(ws, "floor.grant", {"member": info["speaker_id"]})
            await t.wait_for_selector("#floor-mine:not([hidden])")
            await t.wait_for_function(
                "Number(document.getElementById('floor-my-timer').dataset.remaining) > 0"
            )
            bar = ("#tablet-vote [data-act=expand]", "#tablet-vote [data-act=dismiss]")
            await every_state(t, "result-bar", SPEAKER + bar)
            await no_ascii_colon(t, "speaking under the result bar")

            # a new vote's sheet over the reader: the ballot and the speaker's controls
            second = await new_vote(ws, item, "第二项表决")
            await t.wait_for_selector("#tablet-vote[data-mode=sheet] #vote-panel[data-state=open]")
            for w, h in (PORTRAIT, LANDSCAPE):
                await t.set_viewport_size({"width": w, "height": h})
                await t.wait_for_timeout(150)  # layout settles; not an assertion
                where = f"{w}x{h}, vote sheet"
                for sel in (*SPEAKER, "#vote-ballot button[data-option=yes]"):
                    await hittable(t, sel, where)
                await shot(t, f"screens/tablet-overlay-vote-sheet-{w}x{h}")

            # landscape, search drawer open, result bar shown: one click ends the speech
            await t.click("#vote-ballot button[data-option=no]")
            await t.click("#vote-confirm-yes")
            await t.wait_for_selector("#tablet-vote[data-mode=bar]", timeout=10000)
            await open_drawer(t, "search")
            await hittable(t, "#floor-yield", "1280x800, search, before the click")
            box = await t.locator("#floor-yield").bounding_box()
            await t.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            await t.wait_for_selector("#floor-mine", state="hidden", timeout=10000)
            assert granted["speech"]["id"]
            await shot(t, "screens/tablet-overlay-ended-1280x800")
            await clerk_do(ws, "vote.close", {"vote": second})
        finally:
            await browser.close()
            await ws.close()


async def test_group_camera_preview_and_status_stay_visible(stack):
    from playwright.async_api import async_playwright

    base, info = stack.urls[0], stack.info["group"]
    sid = info["sitting"]
    ws = await clerk_socket(base, sid)
    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            t = await live_page(browser, base, PW, info["speaker"], f"/tablet/{sid}/", PORTRAIT)
            await t.wait_for_selector("#rec-state[data-state=live]", timeout=30000)
            await t.click(f'#docs-list button[data-doc="{info["doc"]}"]')
            await t.wait_for_selector(f'#docs-page[data-loaded="{info["doc"]}:1"]', timeout=20000)
            camera = ("#rec-preview", "#rec-state", "#rec-toggle")
            await every_state(t, "group", camera)

            speech = await clerk_do(ws, "floor.grant", {"member": info["speaker_id"]})
            await t.wait_for_selector("#floor-mine:not([hidden])")
            await t.wait_for_selector("#rec-state[data-state=recording]", timeout=20000)
            await every_state(t, "group-speaking", SPEAKER + camera)
            await no_ascii_colon(t, "group, speaking")
            await clerk_do(ws, "floor.end", {"speech": speech["speech"]["id"], "how": "finished"})
            await t.wait_for_selector("#floor-mine", state="hidden")

            # the saved speech's length in whole seconds, in Chinese
            mid = info["speaker_id"]
            await t.evaluate(
                f"""() => window.yiting.client.fire('media.clip_ready',
                    {{recording: 999, member: {mid}, duration_s: 10.6}})"""
            )
            text = await t.text_content("#rec-progress")
            assert "11 秒" in text and "10.6" not in text and " s)" not in text, text
            await no_ascii_colon(t, "group, saved")
            for w, h in (LANDSCAPE, PORTRAIT):
                await t.set_viewport_size({"width": w, "height": h})
                await t.wait_for_timeout(150)  # layout settles; not an assertion
                await hittable(t, "#rec-progress", f"{w}x{h}, saved")
                await shot(t, f"screens/tablet-overlay-group-saved-{w}x{h}")
        finally:
            await browser.close()
            await ws.close()


async def test_tablet_wording(stack):
    """The header has no English brand word; the vote's totals are labelled; the ballot
    check shows a receipt code (回执编号) with the full hash on tap."""
    from playwright.async_api import async_playwright

    base, info = stack.urls[0], stack.info["plenary"]
    sid, item = info["sitting"], info["item"]
    ws = await clerk_socket(base, sid)
    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            t = await live_page(browser, base, PW, info["speaker"], f"/tablet/{sid}/", LANDSCAPE)
            header = await t.evaluate("document.querySelector('header.topbar').textContent")
            assert "Yiting" not in header and "议厅" in header, header

            vote = await new_vote(ws, item, "第三项表决")
            await t.wait_for_selector("#tablet-vote[data-mode=sheet] #vote-panel[data-state=open]")
            await t.click("#vote-ballot button[data-option=yes]")
            await t.click("#vote-confirm-yes")
            await t.wait_for_selector("#tablet-vote[data-mode=bar]", timeout=10000)
            await t.evaluate("window.yitingVoteSheet.momentS = 600")  # the result stays
            await clerk_do(ws, "vote.close", {"vote": vote})
            await t.wait_for_selector("#tablet-vote[data-mode=sheet] .outcome", timeout=15000)
            totals = await t.text_content("#vote-result .vote-totals")
            assert re.search(r"投票\s*\d+\s*/\s*出席\s*\d+", totals), totals  # not a bare 3 / 38

            await t.click("#vote-audit")
            await t.wait_for_selector("#vote-audit-out[data-found=true]")
            out = await t.inner_text("#vote-audit-out")  # what the member reads
            assert "回执编号" in out, out
            assert not re.search(r"[0-9a-f]{10}", out), out  # no raw hash in the text
            full = await t.get_attribute("#vote-receipt", "title")
            assert re.fullmatch(r"[0-9a-f]{64}", full or ""), full
            await t.click("#vote-receipt")  # a tap shows the whole hash
            await t.wait_for_selector("#vote-receipt-hash:not([hidden])")
            assert full in await t.text_content("#vote-receipt-hash")
            await no_ascii_colon(t, "vote result and ballot check")
            await shot(t, "screens/tablet-overlay-ballot-check-1280x800")
            await t.set_viewport_size({"width": PORTRAIT[0], "height": PORTRAIT[1]})
            await t.wait_for_timeout(150)  # layout settles; not an assertion
            await shot(t, "screens/tablet-overlay-ballot-check-800x1280")

            # item 9: the first screen lists the member's sittings with state and time
            # (both are in progress here: opening an item starts a sitting); with one in
            # progress the member lands in it
            group, plenary = stack.info["group"], stack.info["plenary"]
            home = await live_page(
                browser, base, PW, group["speaker"], f"/tablet/{group['sitting']}/", PORTRAIT
            )
            await home.goto(f"{base}/")
            await home.wait_for_selector("#home-sittings li[data-state=live]")
            listed = await home.inner_text("#home-sittings")
            assert listed.count("进行中") == 2, listed
            assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", listed), listed
            assert "Yiting" not in await home.text_content("header.topbar")
            await shot(home, "screens/tablet-home-list-800x1280")
            stack.python(
                "from core.models import Sitting\n"
                f"Sitting.objects.filter(pk={plenary['sitting']}).update(state='ended')"
            )
            await home.goto(f"{base}/")
            await home.wait_for_url(f"**/tablet/{group['sitting']}/")
        finally:
            await browser.close()
            await ws.close()
