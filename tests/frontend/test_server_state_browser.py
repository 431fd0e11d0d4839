"""The console renders the slices of state the server sends, never its own derivation.

Two cases where the browser, computing for itself, would show something other than the
server: an agenda item added (and the agenda reordered) without an event, then opened —
the console shows the server's whole agenda in the server's order from
``agenda.current``; and a member who checks in while a vote is open — the console's
"not yet voted" is the server's list (``vote.progress``), which now names them, where a
list built from the attendance seen when the vote opened would not.
"""

from __future__ import annotations

import pytest

from harness.browser import launch, live_pages, shot
from harness.servers import Stack
from meeting.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.e2e]
PW = DEMO_PASSWORD
SETUP = """
from core.models import Sitting
from core.policy import Acting
from meeting.services import agenda, attendance
from core.roster import sitting_roster
from meeting.voting.services import VoteSpec, open_vote, prepare
s = Sitting.objects.get(kind='plenary')
items = list(s.agenda_items.order_by('order'))
agenda.open_item(s.pk, items[0].pk, actor=Acting(role='clerk'))
roster = list(sitting_roster(s).order_by('seat'))
here = roster[: len(roster) // 2 + 2]
for m in here:
    attendance.check_in(s.pk, m, method='clerk')
vote = prepare(s.pk, VoteSpec(item_id=items[0].pk, question='关于《数据条例（草案）》的表决'),
               actor=Acting(role='clerk'))
open_vote(s.pk, vote.pk, actor=Acting(role='clerk'))
late = roster[len(here)]
result = {'sitting': s.pk, 'here': [m.pk for m in here], 'late': late.pk, 'late_name': late.full_name}
"""
# No event: an item appended, and the first two items swapped, straight in the database.
# Then the console opens the new item; its agenda.current carries the whole agenda.
REORDER_QUIETLY = """
from core.models import AgendaItem, Sitting
from meeting.services import agenda
s = Sitting.objects.get(kind='plenary')
new = agenda.add_item(s, '临时增加的议程')
a, b = list(s.agenda_items.order_by('order'))[:2]
oa, ob = a.order, b.order
AgendaItem.objects.filter(pk=a.pk).update(order=9999)
AgendaItem.objects.filter(pk=b.pk).update(order=oa)
AgendaItem.objects.filter(pk=a.pk).update(order=ob)
result = {'order': list(s.agenda_items.order_by('order').values_list('pk', flat=True)),
          'new': new.pk}
"""


async def test_console_shows_the_servers_agenda_and_not_yet_voted(tmp_path):
    from playwright.async_api import async_playwright

    with Stack(tmp_path, workers=1).start(demo_members=12) as stack:
        base = stack.urls[0]
        info = stack.python(SETUP)
        sid = info["sitting"]
        async with async_playwright() as pw:
            browser = await launch(pw)
            try:
                [clerk] = await live_pages(browser, base, PW, [("clerk", f"/console/{sid}/")])
                missing = "#vc-missing li"
                await clerk.wait_for_function(
                    f"document.querySelectorAll('{missing}').length === {len(info['here'])}"
                )
                # the clerk checks a member in while the vote is open: the server's list
                # (vote.progress after the check-in) names them
                await clerk.click(f"#roster button[data-member='{info['late']}']")
                late = clerk.locator(f"#vc-missing li[data-member='{info['late']}']")
                await late.wait_for()
                assert info["late_name"] in await late.inner_text()

                got = stack.python(REORDER_QUIETLY)
                await clerk.evaluate(
                    "(id) => window.yiting.client.send('agenda.open', { item: id })", got["new"]
                )
                await clerk.wait_for_selector(f"#agenda li.current[data-item='{got['new']}']")
                shown = await clerk.eval_on_selector_all(
                    "#agenda li", "els => els.map((e) => Number(e.dataset.item))"
                )
                assert shown == got["order"]
                assert "临时增加的议程" in await clerk.inner_text("#console-current")
                await shot(clerk, "screens/console-server-state")
            finally:
                await browser.close()
