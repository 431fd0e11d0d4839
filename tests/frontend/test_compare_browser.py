"""The tablet's 对照 view and writing an opinion on an article (issue 29), in real Chromium
over a real Daphne.

A bill in two versions, both real PDFs (docs_store.drafts.sample, embedded CJK font),
read into articles and compared by docs_store.drafts (one article reworded, one
deleted, two inserted so every later one is renumbered, one moved). A seated member's
tablet follows the clerk's presentation of the revised version and opens 对照:

- portrait 820×1180: each pair's two sides one above the other; landscape 1180×820:
  side by side under the column headings 原条文 / 修改后条文;
- deletions struck through (<del>), insertions underlined (<ins>); unchanged articles
  folded into one line each run, a tap unfolds; the status words in Chinese;
- the change list (a drawer) says what the comparison JSON says and jumps to the pair;
- following the presenter: the clerk's page of the revised version becomes the article
  starting on it, scrolled to and marked, unfolded if it was folded; a jump by the
  drawer is reading freely, and "back to the presenter" returns;
- writing: tap an article → 写意见, the draft saved as the member types (the server has
  it), 提交 (the server has it submitted), the 意见 drawer lists it as submitted; from
  the reader, the articles on the page to pick; with the network gone the draft waits
  on the tablet and is sent with the same client id when it is back.

Every control used is hit-testable (``elementFromPoint``); every page error or console
error fails the test (harness/browser.py). Screenshots: test-artifacts/screens/compare-*.
"""

from __future__ import annotations

import uuid

import pytest

from harness.browser import allow_console_error, launch, live_page, shot
from harness.servers import Stack, WsClient, login_cookie
from meeting.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.timeout(600)]
PW = DEMO_PASSWORD
PORTRAIT, LANDSCAPE = (820, 1180), (1180, 820)

SETUP = """
from django.contrib.auth import get_user_model
from core.models import Sitting
from core.policy import Acting
from core.roster import sitting_roster
from docs_store.drafts import services as drafts
from docs_store.drafts.sample import draft_pdf
from docs_store.services.upload import Upload, replace_version
from harness.documents import distributed
from meeting.services import agenda

A = "为了规范本省数据处理活动，保护自然人、法人和非法人组织的合法权益，根据有关法律，制定本条例。"
B = "处理个人信息应当遵循合法、正当、必要和诚信原则，不得通过误导、欺诈、胁迫等方式处理个人信息。"
C = "数据处理者应当每年向主管部门报告一次数据处理情况，并对报告的真实性负责。"
D = "任何组织、个人不得窃取或者以其他非法方式获取数据，不得非法出售或者非法向他人提供数据。"
E = "自然人有权查阅、复制其个人信息；有权要求个人信息处理者更正、补充其不准确的个人信息。"
F = "违反本条例规定的，由有关主管部门责令改正，给予警告，没收违法所得。"
G = "本条例自二〇二七年一月一日起施行。"
N1 = "县级以上人民政府应当加强对数据安全工作的领导，建立健全数据安全工作协调机制。"
N2 = "网信部门负责统筹协调本行政区域内的数据安全和个人信息保护工作。"
art = lambda label, text: ("article", label, text)
v1 = draft_pdf("某某省数据条例（草案）", [
    ("chapter", "第一章　总则"), art("第一条", A), art("第二条", B), art("第三条", C),
    ("pagebreak",), ("chapter", "第二章　数据安全"), art("第四条", D),
    ("chapter", "第三章　个人信息"), art("第五条", E),
    ("pagebreak",), ("chapter", "第四章　附则"), art("第六条", F), art("第七条", G),
])
v2 = draft_pdf("某某省数据条例（草案）", [
    ("chapter", "第一章　总则"), art("第一条", A), art("第二条", B.replace("应当", "必须")),
    art("第三条", N1),
    ("pagebreak",), art("第四条", N2), art("第五条", E), ("chapter", "第二章　数据安全"),
    art("第六条", D),
    ("pagebreak",), ("chapter", "第四章　附则"), art("第七条", F), art("第八条", G),
])
s = Sitting.objects.get(kind="plenary")
item = s.agenda_items.order_by("order").first()
agenda.open_item(s.pk, item.pk, actor=Acting(role="clerk"))
doc = distributed(s, v1, "某某省数据条例（草案）", item=item)
clerk = get_user_model().objects.get(username="clerk")
old = doc.current
new = replace_version(doc, Upload("v2.pdf", v2), by=clerk)
for v in (old, new):
    drafts.read_version(v)
comparison = drafts.mark_comparison(Acting(role="clerk", user_id=clerk.pk), new, old)
member = [m for m in sitting_roster(s).order_by("seat") if m.role == "member"][0]
result = {"sitting": s.pk, "doc": doc.pk, "member": member.user.username,
          "status": comparison.status, "pairs": comparison.pairs}
"""

OPINIONS = """
from meeting.opinions.models import Opinion
result = [[o.article.label, o.text, o.state, o.client_id]
          for o in Opinion.objects.select_related("article").order_by("id")]
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
  return {ok: !!hit && (hit === el || el.contains(hit)), why: "covered by " + name};
}"""

# where a pair's two sides sit
PAIR_BOX = """(i) => {
  const el = document.getElementById("cmp-p-" + i);
  if (!el) return null;
  const box = (e) => { const r = e.getBoundingClientRect(); return {left: r.left, top: r.top, bottom: r.bottom, right: r.right}; };
  return {old: box(el.querySelector(".cmp-old")), new: box(el.querySelector(".cmp-new")),
          presenter: el.classList.contains("cmp-presenter")};
}"""

# the folded line holding pair i, as a selector
FOLD_OF = """(i) => {
  for (const b of document.querySelectorAll("#cmp-body button.cmp-fold"))
    if (Number(b.dataset.first) <= i && i <= Number(b.dataset.last)) return `#${b.id}`;
  return null;
}"""

STATUS_WORDS = {"modified": "修改", "added": "新增", "deleted": "删除", "moved": "移动"}


def change_list(pairs: list[dict]) -> list[str]:
    """What the drawer must say, from the comparison's JSON."""
    out = []
    for p in pairs:
        if p["status"] == "unchanged":
            continue
        name = p["new"] or f"原{p['old']}"
        line = f"{name} {STATUS_WORDS[p['status']]}"
        if p["new"] and p["old"] and p["old"] != p["new"]:
            line += f" 原{p['old']}"
        out.append(line)
    return out


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with Stack(tmp_path_factory.mktemp("compare"), workers=1).start(demo_members=12) as st:
        st.info = st.python(SETUP)
        yield st


async def hittable(page, sel: str, where: str, *, scroll: bool = True) -> None:
    """``sel`` can be pressed (scrolled to first, unless ``scroll`` is false: then it must
    be on screen and uncovered as it is)."""
    if scroll:
        await page.locator(sel).first.scroll_into_view_if_needed()
    got = await page.evaluate(HIT, sel)
    assert got["ok"], f"{sel} is not hit-testable ({where}): {got['why']}"


async def shown_at(page, sel: str, where: str) -> None:
    """The view scrolled ``sel`` on screen by itself, uncovered (bounded wait)."""
    for _ in range(30):
        if (await page.evaluate(HIT, sel))["ok"]:
            return
        await page.wait_for_timeout(100)  # a smooth scroll under way; not an assertion
    await hittable(page, sel, where, scroll=False)


async def tap(page, sel: str, where: str) -> None:
    await hittable(page, sel, where)
    await page.click(sel)


async def clerk_socket(base: str, sitting: int) -> WsClient:
    ws = WsClient(base, sitting, login_cookie(base, "clerk", PW))
    await ws.connect()
    return ws


async def present(ws: WsClient, type_: str, data: dict) -> None:
    ans = await ws.request(type_, data, key=uuid.uuid4().hex)
    assert ans["ok"], ans


def index_of(pairs: list[dict], **kw) -> int:
    return next(i for i, p in enumerate(pairs) if all(p.get(k) == v for k, v in kw.items()))


async def test_the_compare_view_in_portrait_and_landscape_following_the_presenter(stack):
    from playwright.async_api import async_playwright

    info, base = stack.info, stack.urls[0]
    assert info["status"] == "ready"
    pairs = info["pairs"]
    statuses = {p["status"] for p in pairs}
    assert statuses == {"unchanged", "modified", "added", "deleted", "moved"}, pairs
    sid, doc = info["sitting"], info["doc"]
    ws = await clerk_socket(base, sid)
    await present(ws, "presenter.open", {"document": doc, "page": 1})
    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            t = await live_page(browser, base, PW, info["member"], f"/tablet/{sid}/", PORTRAIT)
            await t.wait_for_selector(f'#docs-page[data-loaded="{doc}:1"]', timeout=30000)
            await t.wait_for_selector("#docs-compare:not([hidden])", timeout=15000)
            await tap(t, "#docs-compare", "portrait, reader")
            await t.wait_for_selector("#cmp:not([hidden]) #cmp-body .cmp-pair")
            assert await t.evaluate("window.yitingDocs.follow") is True

            # the words: the title, the counts and the statuses in Chinese
            title = await t.text_content("#cmp-title")
            assert "某某省数据条例（草案）" in title and "第 2 版与第 1 版对照" in title
            counts = await t.text_content("#cmp-counts")
            assert counts == "修改 1 · 新增 2 · 删除 1 · 移动 1"

            # the reworded article: 应当 struck through, 必须 underlined
            mod = index_of(pairs, status="modified")
            row = f"#cmp-p-{mod}"
            assert await t.text_content(f"{row} .cmp-old del") == "应当"
            assert await t.text_content(f"{row} .cmp-new ins") == "必须"
            assert await t.text_content(f"{row} .cmp-status") == "修改"
            deleted = index_of(pairs, status="deleted")
            assert "修改后已删除此条" in await t.text_content(f"#cmp-p-{deleted} .cmp-new")
            assert (
                await t.text_content(f"#cmp-p-{deleted} .cmp-old del")
                == pairs[deleted]["ops"][0][1]
            )

            # portrait: one above the other
            box = await t.evaluate(PAIR_BOX, mod)
            assert box["new"]["top"] >= box["old"]["bottom"] - 1, box
            assert not await t.is_visible(".cmp-colheads")

            # unchanged articles folded (but where the presenter is); a tap unfolds the run
            first = index_of(pairs, new="第七条")
            assert pairs[first]["status"] == "unchanged"
            assert await t.locator(f"#cmp-p-{index_of(pairs, new='第一条')}.cmp-presenter").count()
            assert await t.locator(f"#cmp-p-{first}").count() == 0
            fold = await t.evaluate(FOLD_OF, first)
            assert "未修改" in await t.text_content(fold)
            for sel in ("#cmp-close", "#cmp-changes", "#cmp-unfold", fold, f"{row} .cmp-write"):
                await hittable(t, sel, "portrait, 对照")
            await shot(t, "screens/compare-portrait-folded-820x1180")
            await tap(t, fold, "portrait")
            await t.wait_for_selector(f"#cmp-p-{first}")

            # the change list says what the JSON says, and jumps
            await tap(t, "#cmp-changes", "portrait")
            await t.wait_for_selector(
                "[data-drawer-panel=changes]:not([hidden]) #cmp-change-list button"
            )
            lines = [
                " ".join(x.split())
                for x in await t.locator("#cmp-change-list button").all_inner_texts()
            ]
            assert lines == change_list(pairs)
            await shot(t, "screens/compare-portrait-changes-820x1180")
            jump = f'#cmp-change-list button[data-jump="{deleted}"]'
            await tap(t, jump, "portrait, change list")
            await t.wait_for_selector("[data-drawer-panel=changes]", state="hidden")
            await shown_at(t, f"#cmp-p-{deleted} .cmp-status", "portrait, jumped")
            # a jump is reading freely: the presenter's place is one tap away
            assert await t.evaluate("window.yitingDocs.follow") is False
            await t.wait_for_selector("#docs-follow:not([hidden])")

            # following again: the presenter's page 3 is the article starting on it
            await tap(t, "#docs-follow", "portrait, free")
            await present(ws, "presenter.flip", {"page": 3})
            on3 = index_of(pairs, new="第七条")
            await t.wait_for_selector(f"#cmp-p-{on3}.cmp-presenter .cmp-here", timeout=15000)
            await shown_at(t, f"#cmp-p-{on3} .cmp-here", "portrait, presenter on p. 3")
            assert await t.text_content(f"#cmp-p-{on3} .cmp-here") == "主讲人在此"
            await shot(t, "screens/compare-portrait-presenter-820x1180")

            # landscape: the two sides side by side, under their headings
            await t.set_viewport_size({"width": LANDSCAPE[0], "height": LANDSCAPE[1]})
            await t.wait_for_timeout(200)  # layout settles; not an assertion
            box = await t.evaluate(PAIR_BOX, on3)
            assert box["old"]["right"] <= box["new"]["left"] + 1, box
            assert abs(box["old"]["top"] - box["new"]["top"]) < 2, box
            assert await t.is_visible(".cmp-colheads")
            assert await t.text_content(".cmp-colheads") == "原条文修改后条文"
            # the presenter turns to page 2: the inserted 第四条 starts there
            await present(ws, "presenter.flip", {"page": 2})
            on2 = index_of(pairs, new="第四条")
            await t.wait_for_selector(f"#cmp-p-{on2}.cmp-presenter", timeout=15000)
            await shown_at(t, f"#cmp-p-{on2} .cmp-here", "landscape, presenter on p. 2")
            for sel in ("#cmp-close", "#cmp-changes", "#cmp-unfold", f"#cmp-p-{on2} .cmp-write"):
                await hittable(t, sel, "landscape, 对照")
            await shot(t, "screens/compare-landscape-presenter-1180x820")
            await tap(t, "#cmp-unfold", "landscape")
            await t.wait_for_selector(f"#cmp-p-{index_of(pairs, new='第八条')}")
            assert await t.locator("#cmp-body .cmp-fold").count() == 0
            await tap(t, "#cmp-changes", "landscape")
            await t.wait_for_selector("[data-drawer-panel=changes]:not([hidden])")
            await hittable(t, "#cmp-change-list button", "landscape, change list")
            await shot(t, "screens/compare-landscape-changes-1180x820")
            await t.evaluate("window.yitingTablet.open('')")

            # back to the pages: the reader, still following
            await tap(t, "#cmp-close", "landscape")
            await t.wait_for_selector("#cmp", state="hidden")
            await t.wait_for_selector(f'#docs-page[data-loaded="{doc}:2"]', timeout=15000)
        finally:
            await browser.close()
            await ws.close()


async def test_a_member_writes_and_submits_an_opinion_on_an_article(stack):
    from playwright.async_api import async_playwright

    info, base = stack.info, stack.urls[0]
    pairs = info["pairs"]
    sid, doc = info["sitting"], info["doc"]
    ws = await clerk_socket(base, sid)
    await present(ws, "presenter.open", {"document": doc, "page": 1})
    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            t = await live_page(browser, base, PW, info["member"], f"/tablet/{sid}/", LANDSCAPE)
            await t.wait_for_selector(f'#docs-page[data-loaded="{doc}:1"]', timeout=30000)
            await t.wait_for_selector("#docs-compare:not([hidden])", timeout=15000)
            await tap(t, "#docs-compare", "landscape, reader")
            mod = index_of(pairs, status="modified")
            await tap(t, f"#cmp-p-{mod} .cmp-write", "landscape, 对照")
            await t.wait_for_selector("#op-sheet:not([hidden]) #op-write:not([hidden])")
            assert await t.text_content("#op-head") == "对第二条的意见"
            assert "必须" in await t.text_content("#op-article")
            for sel in ("#op-text", "#op-close", "#op-submit"):
                await hittable(t, sel, "landscape, 写意见")

            # typed (or dictated): saved as a draft without pressing anything
            await t.fill("#op-text", "建议保留“应当”，“必须”过严。")
            await t.wait_for_function(
                "document.getElementById('op-state').textContent.startsWith('已自动保存为草稿')",
                timeout=10000,
            )
            rows = stack.python(OPINIONS)
            assert [r[:3] for r in rows] == [["第二条", "建议保留“应当”，“必须”过严。", "draft"]]
            await hittable(t, "#op-delete", "landscape, draft")
            await shot(t, "screens/compare-opinion-draft-1180x820")

            await tap(t, "#op-submit", "landscape, draft")
            await t.wait_for_function(
                "document.getElementById('op-state').textContent.startsWith('已提交给工作人员')",
                timeout=10000,
            )
            rows = stack.python(OPINIONS)
            assert [r[:3] for r in rows] == [
                ["第二条", "建议保留“应当”，“必须”过严。", "submitted"]
            ]
            assert (
                await t.is_hidden("#op-submit")
                and await t.get_attribute("#op-text", "readonly") is not None
            )
            await hittable(t, "#op-new", "landscape, submitted")
            await shot(t, "screens/compare-opinion-submitted-1180x820")
            await tap(t, "#op-close", "landscape, submitted")
            await t.wait_for_selector("#op-sheet", state="hidden")
            assert await t.text_content(f"#cmp-p-{mod} .cmp-mine") == "我的意见 1 条"

            # the 意见 drawer: the member's opinions in this sitting, by paper
            await tap(t, "button[data-drawer=opinions]", "landscape")
            await t.wait_for_selector("#op-mine .op-doc li.submitted")
            text = await t.text_content("#op-mine")
            assert "第二条" in text and "已提交" in text and "建议保留" in text
            await shot(t, "screens/compare-opinions-drawer-1180x820")
            # an opinion of the open paper opens its article: the submitted one shown as such
            await tap(t, "#op-mine button.op-open", "landscape, 意见 drawer")
            await t.wait_for_selector("#op-sheet:not([hidden]) #op-earlier li.submitted")
            assert await t.text_content("#op-head") == "对第二条的意见"
            assert "已提交" in await t.text_content("#op-earlier li.submitted .op-chip")
            assert await t.input_value("#op-text") == ""  # a new opinion, if they want one
            await tap(t, "#op-close", "landscape, sheet from the drawer")
            await t.wait_for_selector("#op-sheet", state="hidden")

            # from the reader, in portrait: the articles on the page to pick from
            await tap(t, "#cmp-close", "landscape")
            await t.set_viewport_size({"width": PORTRAIT[0], "height": PORTRAIT[1]})
            await present(ws, "presenter.flip", {"page": 2})
            await t.wait_for_selector(f'#docs-page[data-loaded="{doc}:2"]', timeout=15000)
            await tap(t, "#docs-opine", "portrait, reader")
            await t.wait_for_selector("#op-pick:not([hidden]) button[data-article]")
            picked = [x.split()[0] for x in await t.locator("#op-pick button").all_inner_texts()]
            assert picked[:2] == ["第三条", "第四条"], picked  # 第三条 runs on; 第四条 starts
            await shot(t, "screens/compare-opinion-pick-820x1180")
            await tap(t, "#op-pick li:nth-child(2) button", "portrait, pick")
            await t.wait_for_selector("#op-write:not([hidden])")
            assert await t.text_content("#op-head") == "对第四条的意见"

            # the network goes while typing: the draft waits on the tablet, then is sent
            allow_console_error("ERR_INTERNET_DISCONNECTED")
            allow_console_error("WebSocket connection to")
            await t.context.set_offline(True)
            await t.fill("#op-text", "建议明确网信部门的职责边界。")
            await t.wait_for_function(
                "document.getElementById('op-state').textContent.startsWith('尚未保存')",
                timeout=10000,
            )
            await hittable(t, "#op-text", "portrait, offline")
            await shot(t, "screens/compare-opinion-offline-820x1180")
            assert len(stack.python(OPINIONS)) == 1
            await t.context.set_offline(False)
            await t.wait_for_function(
                "document.getElementById('op-state').textContent.startsWith('已自动保存为草稿')",
                timeout=40000,
            )
            rows = stack.python(OPINIONS)
            assert [r[:3] for r in rows][1:] == [
                ["第四条", "建议明确网信部门的职责边界。", "draft"]
            ]
            assert rows[1][3] == await t.evaluate("window.yitingOpinions.clientId")
        finally:
            await browser.close()
            await ws.close()
