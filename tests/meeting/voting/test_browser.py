"""In real headless Chromium over a real Daphne: a named vote from preparation to result.

The clerk prepares a vote on the console and tries to open it without a quorum (the
console says why); members check in; the clerk opens it; two tablets vote with the big
buttons and a confirmation; one tablet reloads and still shows its own ballot; the
console counts them and lists who has not voted; the clerk closes; every tablet and
the wall display show the counts and the outcome; the clerk announces.
"""

from __future__ import annotations

import pytest

from harness.browser import launch, live_pages, shot
from harness.servers import Stack
from meeting.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.e2e]
PW = DEMO_PASSWORD
SETUP = """
from core.models import Member, Sitting
from meeting.services import agenda
from core.policy import Acting
s = Sitting.objects.get(kind='plenary')
item = s.agenda_items.order_by('order').first()
agenda.open_item(s.pk, item.pk, actor=Acting(role='clerk'))
ids = {m.user.username: m.pk for m in Member.objects.select_related('user')}
result = {'sitting': s.pk, 'ids': ids}
"""
CHECK_IN = """
from core.models import Member, Sitting
from meeting.services import attendance
from core.roster import sitting_roster
s = Sitting.objects.get(kind='plenary')
for m in sitting_roster(s).order_by('seat')[:{n}]:
    attendance.check_in(s.pk, m, method='clerk')
result = attendance.quorum(s).as_dict()
"""
BALLOTS = """
from meeting.voting.models import Ballot, NamedChoice
result = sorted([c.ballot.member.user.username, c.option] for c in NamedChoice.objects.select_related('ballot__member__user'))
"""


async def test_named_vote_from_console_to_tablets_and_wall(tmp_path):
    from playwright.async_api import async_playwright

    with Stack(tmp_path, workers=1).start(demo_members=12) as stack:
        base = stack.urls[0]
        info = stack.python(SETUP)
        sid, ids = info["sitting"], info["ids"]
        async with async_playwright() as pw:
            browser = await launch(pw)
            try:
                clerk, m2, m3, wall = await live_pages(
                    browser,
                    base,
                    PW,
                    [
                        ("clerk", f"/console/{sid}/"),
                        ("m006", f"/tablet/{sid}/"),
                        ("m007", f"/tablet/{sid}/"),
                        ("display", f"/display/{sid}/"),
                    ],
                )

                # prepare on the console
                await clerk.click("#vc-prepare-box summary")
                await clerk.fill(
                    "#vc-prepare input[name=question]", "关于《数据条例（草案）》的表决"
                )
                await clerk.click("#vc-prepare button[type=submit]")
                await clerk.wait_for_selector("#vc-prepared li[data-vote]")
                # nobody checked in: opening is refused and the console says why
                await clerk.click("#vc-prepared button[data-act=open]")
                await clerk.wait_for_selector("#vc-error:not([hidden])")
                err = await clerk.text_content("#vc-error")
                assert await clerk.get_attribute("#vc-error", "data-code") == "no_quorum"
                assert "法定人数" in err and "过半数需" in err, err

                quorum = stack.python(CHECK_IN.replace("{n}", "8"))
                assert quorum["reached"], quorum
                await clerk.click("#vc-prepared button[data-act=open]")
                await clerk.wait_for_selector("#vc-open:not([hidden])")
                await clerk.wait_for_selector(f"#vc-missing li[data-member='{ids['m006']}']")

                # m006: big button, confirmation, own ballot shown back
                await m2.wait_for_selector("#vote-panel[data-state=open]")
                await m2.click("#vote-ballot button[data-option=yes]")
                await m2.wait_for_selector("#vote-confirm:not([hidden])")
                assert "赞成" in await m2.text_content("#vote-confirm-text")
                await m2.click("#vote-confirm-yes")
                await m2.wait_for_selector("#vote-mine[data-cast=true]:not([hidden])")
                assert "赞成" in await m2.text_content("#vote-mine")

                # m007 goes back once, then votes no
                await m3.click("#vote-ballot button[data-option=yes]")
                await m3.click("#vote-confirm-back")
                await m3.click("#vote-ballot button[data-option=no]")
                await m3.click("#vote-confirm-yes")
                await m3.wait_for_selector("#vote-mine[data-cast=true]:not([hidden])")

                # the console counted both and no longer lists them as missing
                await clerk.wait_for_selector("#vc-progress[data-cast='2']")
                assert (
                    await clerk.query_selector(f"#vc-missing li[data-member='{ids['m006']}']")
                    is None
                )
                assert await clerk.query_selector(f"#vc-missing li[data-member='{ids['m008']}']")

                # a reloaded tablet resyncs and shows the ballot it cast
                await m2.reload()
                await m2.wait_for_selector("#conn[data-state=live]")
                await m2.wait_for_selector("#vote-mine[data-cast=true]:not([hidden])")
                assert "赞成" in await m2.text_content("#vote-mine")
                assert await m2.is_hidden("#vote-ballot")

                # six present have not voted: closing asks once, saying so (issue 25)
                asked = []

                async def say_yes(dialog):
                    asked.append(dialog.message)
                    await dialog.accept()

                clerk.once("dialog", say_yes)
                await clerk.click("#vc-close")
                for p in (m2, m3, clerk):
                    await p.wait_for_selector(".outcome[data-passed=false]")
                    assert await p.text_content("b[data-option=yes]") == "1"
                    assert await p.text_content("b[data-option=no]") == "1"
                await wall.wait_for_selector("#wall-vote[data-state=closed] .outcome.failed")
                assert "6" in asked[0], asked
                assert await wall.text_content("#wv-body [data-option=no] b") == "1"
                await clerk.click("#vc-result button[data-act=announce]")
                await wall.wait_for_selector("#wall-vote[data-state=announced]")
                # the per-member list is loaded on request, not broadcast
                await m2.click("#vote-result .vote-named-load")
                await m2.wait_for_selector(f"#vote-result tr[data-member='{ids['m007']}']")
                assert "反对" in await m2.text_content(f"tr[data-member='{ids['m007']}']")
                # m007 checks that their named ballot is in the hash-chained record
                await m3.click("#vote-audit")
                await m3.wait_for_selector("#vote-audit-out[data-found=true][data-intact=true]")
                await shot(wall, "vote-wall-result")
                await shot(m2, "vote-tablet-result")
            finally:
                await browser.close()
        assert stack.python(BALLOTS) == [["m006", "yes"], ["m007", "no"]]
