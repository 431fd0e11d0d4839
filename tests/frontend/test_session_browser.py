"""One scripted session in real headless Chromium over a real Daphne process.

The clerk prepares two votes on the session page; the console, three member tablets
and the wall display connect. Members check in from their tablets and the clerk checks
in the rest from the console's roster until the quorum is reached; the clerk opens item
1, presents a document and flips a page (the tablets follow); two members speak (the
second granted and ended with keyboard shortcuts); a named vote passes on "more than
half of all component members" and a secret vote fails (the wall shows no counts until
the close); the clerk ends the session on the session page, the minutes are generated
with visible progress, the PDF is downloaded and its text checked for the votes and the
speakers. A screenshot of every screen is kept in test-artifacts/.
"""

from __future__ import annotations

import io

import pypdf
import pytest

from harness.browser import ARTIFACTS, launch, logged_in_page, shot
from harness.servers import Stack, WsClient, login_cookie
from meeting.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.e2e]
PW = DEMO_PASSWORD
TABLETS = ("m002", "m003", "m004")
SETUP = """
import io
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from django.contrib.auth import get_user_model
from core.models import Member, Sitting
from docs_store.services.upload import Upload, upload_documents
from docs_store.services.distribution import distribute
from core.policy import Acting

buf = io.BytesIO()
c = canvas.Canvas(buf, pagesize=A4)
for n in range(1, 5):
    c.setFont("Helvetica-Bold", 60)
    c.drawCentredString(300, 420, f"PAGE {n}")
    c.showPage()
c.save()
s = Sitting.objects.get(kind="plenary")
item = s.agenda_items.order_by("order").first()
clerk = get_user_model().objects.get(username="clerk")
[doc] = upload_documents(s.session, [Upload("bill.pdf", buf.getvalue(), "条例草案说明")],
                         by=clerk, item=item)
distribute(s.session, actor=Acting(role="clerk"), by=clerk)
members = Member.objects.filter(term=s.session.term).select_related("user")
result = {
    "sitting": s.pk, "session": s.session_id, "item": item.pk, "item_title": item.title,
    "doc": doc.pk,
    "ids": {m.user.username: m.pk for m in members},
    "names": {m.user.username: m.full_name for m in members},
}
"""
VOTES = """
from meeting.voting.models import Vote
result = {v.question: v.pk for v in Vote.objects.all()}
"""
STATE = """
from core.models import Session
from core.models import AuditEntry
s = Session.objects.get(pk={session})
result = {{
    "session": s.state,
    "sittings": sorted(set(s.sittings.values_list("state", flat=True))),
    "actions": sorted(set(AuditEntry.objects.values_list("action", flat=True))),
}}
"""
NAMED_Q = "关于《数据条例（草案）》的表决"
SECRET_Q = "关于任命某某为副主任的表决"


async def _open(browser, base: str, user: str, url: str, *, width=1280, height=800):
    page = await logged_in_page(browser, base, user, PW, width=width, height=height)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    await page.goto(base + url)
    if url.startswith(("/console/", "/tablet/", "/display/")):
        await page.wait_for_selector("#conn[data-state=live]")
    page.js_errors = errors
    return page


async def _prepare_votes(clerk, base: str, session: int, item: int) -> None:
    """The clerk prepares both votes on the session page, before the sitting."""
    await clerk.goto(f"{base}/proceedings/sessions/{session}/")
    row = f"li[data-item='{item}']"
    for question, kind, rule in (
        (NAMED_Q, "named", "roster_half"),
        (SECRET_Q, "secret", "roster_half"),
    ):
        await clerk.click(f"{row} details summary")
        form = f"{row} form[action$='/votes/']"
        await clerk.fill(f"{form} input[name=question]", question)
        await clerk.select_option(f"{form} select[name=kind]", kind)
        await clerk.select_option(f"{form} select[name=rule]", rule)
        await clerk.click(f"{form} button[type=submit]")
        await clerk.wait_for_selector(f"{row} .votes li:has-text('{question}')")
    await shot(clerk, "session-1-prepare")


async def _ws_votes(voters: dict, vote: int, choices: dict) -> None:
    """Members voting over their own real sockets (the tablets not driven by Chromium)."""
    for user, option in choices.items():
        ans = await voters[user].request(
            "vote.cast", {"vote": vote, "choice": option}, key=f"{user}-{vote}"
        )
        assert ans["ok"], ans


async def _vote_on_tablet(page, option: str) -> None:
    await page.wait_for_selector("#vote-panel[data-state=open]")
    await page.click(f"#vote-ballot button[data-option={option}]")
    await page.click("#vote-confirm-yes")
    await page.wait_for_selector("#vote-mine[data-cast=true]:not([hidden])")


async def test_a_whole_session_from_console_to_minutes(tmp_path):
    from playwright.async_api import async_playwright

    with Stack(tmp_path, workers=1).start(demo_members=12) as stack:
        base = stack.urls[0]
        info = stack.python(SETUP)
        sid, session, doc, ids, names = (
            info[k] for k in ("sitting", "session", "doc", "ids", "names")
        )
        async with async_playwright() as pw:
            browser = await launch(pw)
            try:
                clerk = await logged_in_page(browser, base, "clerk", PW)
                await _prepare_votes(clerk, base, session, info["item"])
                votes = stack.python(VOTES)
                await clerk.goto(f"{base}/console/{sid}/")
                await clerk.wait_for_selector("#conn[data-state=live]")
                wall = await _open(
                    browser, base, "display", f"/display/{sid}/", width=1600, height=900
                )
                tablets = {
                    u: await _open(browser, base, u, f"/tablet/{sid}/", width=1024, height=768)
                    for u in TABLETS
                }

                # --- check-in to quorum: 3 tablets, then the clerk taps 4 more seats
                for page in tablets.values():
                    await page.click("#check-in")
                    await page.wait_for_selector("#checked-in:not([hidden])")
                await clerk.wait_for_selector("#quorum[data-present='3']")
                await clerk.wait_for_selector(f"#roster button.online[data-member='{ids['m002']}']")
                assert await clerk.text_content("#online-count") == "3"
                others = ["chair", "m005", "m006", "m007"]
                for u in others:
                    await clerk.click(f"#roster button[data-member='{ids[u]}']")
                    await clerk.wait_for_selector(f"#roster button.present[data-member='{ids[u]}']")
                await clerk.wait_for_selector("#quorum.ok[data-present='7']")
                await wall.wait_for_selector("#quorum.ok[data-present='7']")
                voters = {u: WsClient(base, sid, login_cookie(base, u, PW)) for u in others}
                for v in voters.values():
                    await v.connect()

                # --- open item 1: console, wall and tablets show it
                await clerk.click(f"#agenda button[data-open='{info['item']}']")
                await clerk.wait_for_selector(f"#agenda li.current[data-item='{info['item']}']")
                await wall.wait_for_function(
                    "t => document.getElementById('current-item').textContent.includes(t)",
                    arg=info["item_title"],
                )
                for page in tablets.values():  # the agenda is a drawer; the top bar names the item
                    await page.wait_for_selector(
                        f"#agenda li.current[data-item='{info['item']}']", state="attached"
                    )
                    await page.wait_for_selector(f"#tb-item[data-item='{info['item']}']")
                await shot(clerk, "session-2-console-item-open")

                # --- present the document and flip a page; the tablets follow
                await clerk.click(f'button[data-present="{doc}"]')
                await clerk.wait_for_selector('#docs-p-page[data-page="1"]')
                await clerk.click("#docs-p-next")
                await clerk.wait_for_selector('#docs-p-page[data-page="2"]')
                for page in tablets.values():
                    await page.wait_for_selector(
                        f'#docs-page[data-loaded="{doc}:2"]', timeout=30000
                    )
                await shot(tablets["m004"], "session-3-tablet-following-page-2")

                # --- two speeches: m002 granted from the queue, m003 by Alt+G, ended by Alt+E
                m2, m3, m4 = (tablets[u] for u in TABLETS)
                await m2.click("#floor-ask [data-kind=speech]")
                await m3.click("#floor-ask [data-kind=speech]")
                await clerk.wait_for_selector(f"#floor-queue li[data-member='{ids['m003']}']")
                await clerk.click(f"#floor-queue li[data-member='{ids['m002']}'] [data-act=grant]")
                await m2.wait_for_selector("#floor-mine:not([hidden])")
                await wall.wait_for_selector(f"#floor-now [data-member='{ids['m002']}']")
                await shot(wall, "session-4-wall-speaker")
                await clerk.click(f"#floor-now [data-member='{ids['m002']}'] [data-act=finished]")
                await m2.wait_for_selector("#floor-mine", state="hidden")
                await clerk.click("body")
                await clerk.keyboard.press("Alt+g")
                await m3.wait_for_selector("#floor-mine:not([hidden])")
                await clerk.wait_for_selector(f"#floor-now [data-member='{ids['m003']}']")
                await clerk.keyboard.press("Alt+e")
                await m3.wait_for_selector("#floor-mine", state="hidden")
                await clerk.wait_for_selector("#floor-log tr:nth-child(2)", state="attached")

                # --- named vote: 7 yes of 12 component members, more than half: passes
                named = votes[NAMED_Q]
                await clerk.click(f"#vc-prepared li[data-vote='{named}'] button[data-act=open]")
                await clerk.wait_for_selector("#vc-open:not([hidden])")
                for page in (m2, m3, m4):
                    await _vote_on_tablet(page, "yes")
                await _ws_votes(voters, named, dict.fromkeys(others, "yes"))
                await clerk.wait_for_selector("#vc-progress[data-cast='7']")
                await shot(clerk, "session-5-console-named-vote")
                await clerk.click("body")
                await clerk.keyboard.press("Alt+c")
                await wall.wait_for_selector("#wall-vote[data-state=closed] .outcome.passed")
                await m2.wait_for_selector(".outcome[data-passed=true]")
                await clerk.click("#vc-result button[data-act=announce]")
                await wall.wait_for_selector("#wall-vote[data-state=announced]")
                await shot(wall, "session-6-wall-named-result")

                # --- secret vote: 2 yes: fails; the wall shows no counts while open
                secret = votes[SECRET_Q]
                await clerk.click(f"#vc-prepared li[data-vote='{secret}'] button[data-act=open]")
                await wall.wait_for_selector("#wall-vote[data-state=open]")
                for page, option in ((m2, "yes"), (m3, "no"), (m4, "no")):
                    await _vote_on_tablet(page, option)
                await _ws_votes(
                    voters, secret, {"chair": "yes", "m005": "no", "m006": "no", "m007": "abstain"}
                )
                await clerk.wait_for_selector("#vc-progress[data-cast='7']")
                assert await wall.query_selector("#wv-body [data-option]") is None
                await shot(wall, "session-7-wall-secret-open")
                await clerk.click("#vc-close")
                await wall.wait_for_selector("#wall-vote[data-state=closed] .outcome.failed")
                assert await wall.text_content("#wv-body [data-option=yes] b") == "2"
                await shot(m4, "session-8-tablet-secret-result")

                # --- the session clerk's overview: every sitting side by side, live
                await clerk.goto(f"{base}/console/")
                col = f".overview .col[data-sitting='{sid}']"
                await clerk.wait_for_selector(
                    f"{col}[data-item='{info['item']}'][data-vote=closed]"
                )
                assert await clerk.locator(".overview .col").count() == 5  # plenary + 4 groups
                await shot(clerk, "session-9-overview")

                # --- close the session on the session page; minutes with progress
                await clerk.goto(f"{base}/proceedings/sessions/{session}/")
                clerk.once("dialog", lambda d: d.accept())
                await clerk.click("#close-session")
                await clerk.wait_for_selector("#closing[data-state=closed]")
                await wall.wait_for_selector("#wall-ended:not([hidden])")  # told live, no reload
                await m2.wait_for_selector("#docs-list button[data-doc]", state="detached")
                await clerk.wait_for_selector(
                    "#minutes[data-state=done] #minutes-pdf:not([hidden])", timeout=60000
                )
                assert await clerk.get_attribute("#minutes-progress", "value") == "100"
                await shot(clerk, "session-10-minutes-ready")
                async with clerk.expect_download() as dl:
                    await clerk.click("#minutes-pdf")
                download = await dl.value
                pdf_path = ARTIFACTS / "session-minutes.pdf"
                await download.save_as(pdf_path)
                errors = [e for p in (wall, *tablets.values()) for e in p.js_errors]
                assert errors == [], errors
            finally:
                for v in locals().get("voters", {}).values():
                    await v.close()
                await browser.close()

        reader = pypdf.PdfReader(io.BytesIO(pdf_path.read_bytes()))
        text = "\n".join(p.extract_text() for p in reader.pages)
        for needle in (
            NAMED_Q,
            SECRET_Q,
            names["m002"],
            names["m003"],
            "表决结果：通过",
            "表决结果：未通过",
            "全体组成人员的过半数",
            "赞成7票",
            "条例草案说明",
        ):
            assert needle in text, needle
        state = stack.python(STATE.format(session=session))
        assert state["session"] == "closed" and state["sittings"] == ["ended"]
        assert {
            "agenda.open",
            "attendance.record",
            "floor.grant",
            "vote.open",
            "vote.close",
            "session.close",
            "vote.prepare",
        } <= set(state["actions"]), state["actions"]
