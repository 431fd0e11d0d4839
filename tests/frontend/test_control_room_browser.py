"""The console as a control room, and the wall beside it (issue 25, items 2, 3 and 5).

A 65-member plenary, 38 checked in, a six-page document with a long Chinese title among
others. At 1440×900 and at 1920×1080, whatever the clerk has scrolled (every card of the
console scrolled to an arbitrary place), the controls the step needs are on screen and
hit-testable (``document.elementFromPoint`` at their centre finds them): while
presenting, ◀ ▶ and 停止主讲 with "第 2 / 6 页" and a preview of the page; while a vote is
open, 结束表决 with the count (the prepare form folded); while someone speaks, 结束发言.
The clerk sees a named vote's running tally, never a secret one's. Closing a vote with
ballots outstanding and time left asks once, saying how many and how long; cancelling
that question leaves the vote open. The wall shows "已表决 N / 应到 M" for both kinds of
ballot, the presented page when it may read the document, and drops the last item's
result when the clerk moves to the next item, after a reload too. The documents card
keeps a title to two lines and "已分发"/"主讲" whole. Screenshots in
test-artifacts/screens/.
"""

from __future__ import annotations

import pytest

from harness.browser import launch, live_pages, shot
from harness.servers import Stack, WsClient, login_cookie
from meeting.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.e2e]
PW = DEMO_PASSWORD
LONG_TITLE = "关于《某某省数据条例（草案）》的说明及常委会组成人员审议意见的修改情况汇报"
SETUP = f"""
import time
from core.models import Member, Sitting
from core.policy import Acting
from core.roster import sitting_roster
from docs_store.models import Access, Rendition
from meeting.services import agenda, attendance
from meeting.voting.services import VoteSpec, prepare
from harness.documents import distributed, numbered_pdf
s = Sitting.objects.get(kind='plenary')
items = list(s.agenda_items.order_by('order'))
agenda.open_item(s.pk, items[0].pk, actor=Acting(role='clerk'))
doc = distributed(s, numbered_pdf(6), '{LONG_TITLE}', item=items[0], access=Access.PUBLIC)
for n, t in enumerate(['常委会工作报告（征求意见稿）', '关于检查《某某法》实施情况的报告',
                       '某某省人民代表大会常务委员会议事规则修正案（草案）']):
    distributed(s, numbered_pdf(2), t, item=items[n % len(items)], filename=f'd{{n}}.pdf')
roster = list(sitting_roster(s).order_by('seat'))
for m in roster[:38]:
    attendance.check_in(s.pk, m, method='clerk')
named = prepare(s.pk, VoteSpec(item_id=items[0].pk, question='关于《某某省数据条例（草案）》的表决',
                               duration_s=300), actor=Acting(role='clerk'))
secret = prepare(s.pk, VoteSpec(item_id=items[1].pk, question='关于任命某某为副秘书长的表决',
                                kind='secret'), actor=Acting(role='clerk'))
for _ in range(240):
    if all(r.ready for r in Rendition.objects.all()):
        break
    time.sleep(0.5)
users = {{m.pk: m.user.username for m in roster[:38]}}
result = {{'sitting': s.pk, 'doc': doc.pk, 'items': [i.pk for i in items],
          'named': named.pk, 'secret': secret.pk,
          'voters': [users[m.pk] for m in roster[:38] if m.role == 'member'][:4],
          'speaker': roster[5].pk}}
"""

# Scroll every card of the console (and the page) to somewhere in its middle.
SCROLL_ALL = """(f) => {
  for (const el of document.querySelectorAll('.console-grid .card, .console-grid .card *')) {
    if (el.scrollHeight > el.clientHeight + 4) el.scrollTop = Math.round((el.scrollHeight - el.clientHeight) * f);
  }
  window.scrollTo(0, Math.round(document.documentElement.scrollHeight * f));
}"""
# Is the control on screen, and is it what a click at its centre would hit?
HIT = """(sel) => {
  const el = document.querySelector(sel);
  if (!el) return `${sel}: missing`;
  const r = el.getBoundingClientRect();
  if (!r.width || !r.height) return `${sel}: not shown`;
  const x = r.left + r.width / 2, y = r.top + r.height / 2;
  if (x < 0 || y < 0 || x > innerWidth || y > innerHeight) return `${sel}: off screen at ${x},${y}`;
  const hit = document.elementFromPoint(x, y);
  return hit && (hit === el || el.contains(hit)) ? "ok" : `${sel}: covered by ${hit && hit.outerHTML.slice(0, 80)}`;
}"""
# How many lines a box shows (a clamped title lays out every line but shows two).
SHOWN_LINES = """(sel) => {
  const el = document.querySelector(sel);
  return Math.round(el.getBoundingClientRect().height / parseFloat(getComputedStyle(el).lineHeight));
}"""
# How many lines a piece of text takes on screen.
LINES = """(sel) => {
  const el = document.querySelector(sel);
  const range = document.createRange();
  range.selectNodeContents(el);
  return new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top))).size;
}"""


async def hit_all(page, selectors: list[str]) -> None:
    for f in (0.0, 0.37, 0.81, 1.0):
        await page.evaluate(SCROLL_ALL, f)
        for sel in selectors:
            assert await page.evaluate(HIT, sel) == "ok", (f, sel)


async def test_console_control_room_and_wall(tmp_path):
    from playwright.async_api import async_playwright

    with Stack(tmp_path, workers=1).start(demo_members=65) as stack:
        base = stack.urls[0]
        info = stack.python(SETUP, timeout=200)
        sid, doc = info["sitting"], info["doc"]
        async with async_playwright() as pw:
            browser = await launch(pw)
            voters = {}
            try:
                clerk, wall = await live_pages(
                    browser,
                    base,
                    PW,
                    [
                        ("clerk", f"/console/{sid}/", (1440, 900)),
                        ("display", f"/display/{sid}/", (1920, 1080)),
                    ],
                )
                # nothing live: no strip takes room from the panels
                assert await clerk.is_hidden("#console-now")
                row = f"#docs-table tr[data-doc='{doc}']"
                await clerk.wait_for_selector(f"{row} button[data-present]:not([disabled])")
                # the documents card: a long title in two lines at most, words whole
                await shot(clerk, "screens/console-1440x900-documents")
                assert await clerk.evaluate(SHOWN_LINES, f"{row} .docs-title") <= 2
                assert await clerk.evaluate(LINES, f"{row} .state") == 1
                assert await clerk.evaluate(LINES, f"{row} button[data-present]") == 1

                # --- presenting: ◀ page ▶ / stop always on screen, with the page shown
                await clerk.click(f"{row} button[data-present]")
                await clerk.wait_for_selector('#docs-p-page[data-page="1"]')
                await clerk.evaluate(SCROLL_ALL, 0.6)
                await clerk.click("#docs-p-next")
                await clerk.wait_for_selector('#docs-p-page[data-page="2"]')
                assert "2 / 6" in await clerk.text_content("#docs-p-page")
                assert "第" in await clerk.text_content("#docs-p-page")
                await clerk.wait_for_function(
                    "(() => { const i = document.getElementById('now-page');"
                    " return i.dataset.page === '2' && i.complete && i.naturalWidth > 0; })()"
                )
                await hit_all(clerk, ["#docs-p-prev", "#docs-p-next", "#docs-p-close"])
                # the wall: title, page number and (a public document) the page itself
                await wall.wait_for_selector("#wall-present-pageno[data-page='2']")
                await wall.wait_for_function(
                    "(() => { const i = document.getElementById('wall-present-page');"
                    " return !i.hidden && i.dataset.page === '2' && i.complete && i.naturalWidth > 0; })()"
                )
                assert "某某省数据条例" in await wall.text_content("#wall-present")

                # --- a named vote opens: its live panel on screen, the prepare form folded
                await clerk.click(
                    f"#vc-prepared li[data-vote='{info['named']}'] button[data-act=open]"
                )
                await clerk.wait_for_selector("#vc-open:not([hidden])")
                assert await clerk.is_hidden("#vc-prepare-box")
                await clerk.wait_for_selector("#vc-missing li >> nth=37", state="attached")
                # --- someone speaks
                refused = await clerk.evaluate(
                    """async (m) => {
                      try {
                        await window.yiting.client.send('floor.enter', { member: m, kind: 'speech' }, { idempotent: true });
                        await window.yiting.client.send('floor.grant', {}, { idempotent: true });
                      } catch (err) { return JSON.stringify(err); }
                      return null;
                    }""",
                    info["speaker"],
                )
                assert refused is None, refused
                end = f"#now-floor [data-member='{info['speaker']}'] button[data-end]"
                await clerk.wait_for_selector(end)
                controls = ["#docs-p-next", "#docs-p-close", "#vc-close", end]
                await hit_all(clerk, controls)
                await shot(clerk, "screens/console-1440x900-presenting-vote-floor")

                # two members vote: the clerk's tally of the named vote, the wall's count
                for u in info["voters"][:2]:
                    voters[u] = WsClient(base, sid, login_cookie(base, u, PW))
                    await voters[u].connect()
                a, b = info["voters"][:2]
                assert (
                    await voters[a].request(
                        "vote.cast", {"vote": info["named"], "choice": "yes"}, key="n-a"
                    )
                )["ok"]
                assert (
                    await voters[b].request(
                        "vote.cast", {"vote": info["named"], "choice": "no"}, key="n-b"
                    )
                )["ok"]
                await clerk.wait_for_selector("#vc-progress[data-cast='2']")
                await clerk.wait_for_selector("#vc-counts b[data-option=yes]:text-is('1')")
                assert await clerk.text_content("#vc-counts b[data-option=no]") == "1"
                await wall.wait_for_selector("#wv-count[data-cast='2']")
                assert await wall.text_content("#wv-count") == "已表决 2 / 应到 38"
                assert await wall.query_selector("#wv-body [data-option]") is None
                await shot(wall, "screens/wall-1920x1080-named-vote-presenting")

                # the same control room at 1920×1080
                await clerk.set_viewport_size({"width": 1920, "height": 1080})
                await hit_all(clerk, controls)
                await shot(clerk, "screens/console-1920x1080-presenting-vote-floor")
                await clerk.set_viewport_size({"width": 1440, "height": 900})

                # --- closing with 36 outstanding and time left asks once; "no" keeps it open
                asked = []

                async def say_no(dialog):
                    asked.append(dialog.message)
                    await dialog.dismiss()

                clerk.once("dialog", say_no)
                await clerk.click("#vc-close")
                for _ in range(50):
                    if asked:
                        break
                    await clerk.wait_for_timeout(100)
                assert asked and "36" in asked[0] and "秒" in asked[0], asked
                assert await clerk.is_visible("#vc-open")
                clerk.once("dialog", lambda d: d.accept())
                await clerk.click("#vc-close")
                await wall.wait_for_selector("#wall-vote[data-state=closed] .outcome")
                await clerk.click(f"{end}")
                await clerk.wait_for_selector("#now-floor", state="hidden")
                await clerk.click("#docs-p-close")
                await clerk.wait_for_selector("#console-now", state="hidden")
                await wall.wait_for_selector("#wall-present", state="hidden")

                # --- the next item: the wall drops the last item's result, after a reload too
                await clerk.click("#next-item")
                await wall.wait_for_selector("#wall-vote", state="hidden")
                await wall.reload()
                await wall.wait_for_selector("#conn[data-state=live]")
                await wall.wait_for_function(
                    "document.getElementById('current-item').textContent.length > 2"
                )
                assert await wall.is_hidden("#wall-vote")

                # --- a secret ballot: the wall counts ballots, the console shows no tally
                await clerk.click(
                    f"#vc-prepared li[data-vote='{info['secret']}'] button[data-act=open]"
                )
                await clerk.wait_for_selector("#vc-open:not([hidden])")
                assert (
                    await voters[a].request(
                        "vote.cast", {"vote": info["secret"], "choice": "yes"}, key="s-a"
                    )
                )["ok"]
                await clerk.wait_for_selector("#vc-progress[data-cast='1']")
                await wall.wait_for_selector("#wv-count[data-cast='1']")
                assert await wall.text_content("#wv-count") == "已表决 1 / 应到 38"
                assert await wall.query_selector("#wv-body [data-option]") is None
                assert await clerk.query_selector("#vc-counts [data-option]") is None
                await shot(wall, "screens/wall-1920x1080-secret-vote")
            finally:
                for v in voters.values():
                    await v.close()
                await browser.close()
