"""In real headless Chromium over a real Daphne (1440×900): a staff reviewer plays a
speech's clip on the speaking log, takes the stretch's start and end from the player,
ties it to two articles of the item's draft, and the chips ("第三条 00:02–00:06") seek
the player; then the opinions by article and the brief compiled by article.

The draft is a real PDF laid out like a printed draft (``docs_store.drafts.sample``),
uploaded through the documents service and read article by article."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.browser import launch, logged_in_page, shot
from harness.servers import Stack
from meeting.demo import DEMO_PASSWORD
from tests.frontend.test_control_room_browser import HIT
from tests.frontend.test_every_page import SELECT_ROOM

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.media]
SHOTS = Path("/tmp/shots/opinions-staff")
SETUP = """
import datetime as dt, tempfile
from pathlib import Path
from django.contrib.auth import get_user_model
from django.utils import timezone
from core.models import Member, Sitting
from docs_store.drafts.sample import articles, draft_pdf
from docs_store.drafts.services import read_version
from docs_store.services.upload import Upload, upload_documents
from meeting.briefs.history import file_speech, tone_clip
from meeting.briefs.services.summaries import save_summary
from meeting.opinions.models import Opinion

s = Sitting.objects.filter(session__number=20, kind='group').order_by('group__order').first()
item = s.agenda_items.order_by('order').first()
clerk = get_user_model().objects.get(username='clerk')
texts = ['为了规范数据处理活动，制定本条例。', '本条例适用于本省行政区域内的数据处理活动。',
         '公共管理机构应当依法共享数据。', '数据共享目录每年更新一次。',
         '违反本条例规定的，依法追究法律责任。']
pdf = draft_pdf('某省数据条例（草案）', [('chapter', '第一章　总则'), *articles(texts[:2]),
               ('chapter', '第二章　数据共享'), *articles(texts[2:4], start=3),
               ('chapter', '第三章　法律责任'), *articles(texts[4:], start=5)])
[doc] = upload_documents(s.session, [Upload('draft.pdf', pdf, '某省数据条例（草案）')], by=clerk, item=item)
structure = read_version(doc.current)
arts = {a.label: a.pk for a in doc.current.draft_articles.all()}
members = list(Member.objects.filter(group=s.group, role__in=['chair', 'vice_chair', 'member']).order_by('seat'))
m = members[1]
f = tone_clip(Path(tempfile.mkdtemp()) / 'a.mp4', m.full_name, 8.0)
sp = file_speech(s, m, item, timezone.now() - dt.timedelta(minutes=20), 8.0, clip_file=f)
staff = get_user_model().objects.get(username='staff')
save_summary(staff, sp, '建议保留“应当”。', [{'at': 3, 'text': '共享是义务不是选择'}])
at = timezone.now() - dt.timedelta(minutes=10)
Opinion.objects.create(member=members[2], article_id=arts['第三条'], document=doc, sitting=s,
    item=item, text='“应当”不宜改为“可以”。', state='submitted', client_id='browser-op-1',
    created_at=at, updated_at=at, submitted_at=at)
Opinion.objects.create(member=members[0], article_id=arts['第三条'], document=doc, sitting=s,
    item=item, text='草稿：尚未提交', state='draft', client_id='browser-op-2',
    created_at=at, updated_at=at)
result = {'sitting': s.pk, 'speech': sp.pk, 'document': doc.pk, 'status': structure.status,
          'articles': arts, 'member': m.full_name}
"""
TIES = """
from meeting.opinions.models import SpeechArticle
result = sorted((t.article.label, t.start_s, t.end_s) for t in SpeechArticle.objects.filter(speech_id={speech}))
"""


async def _seek(page, sel: str, at: float) -> None:
    await page.evaluate(
        f"""() => new Promise((ok) => {{
            const v = document.querySelector('{sel}');
            v.addEventListener('seeked', ok, {{once: true}});
            v.currentTime = {at};
        }})"""
    )


async def _look(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"{name}.png"))
    await shot(page, f"screens/opinions-staff-{name}")


async def test_staff_tie_a_stretch_of_a_speech_to_articles_in_review(tmp_path):
    from playwright.async_api import async_playwright

    stack = Stack(tmp_path, workers=1)
    stack.manage("migrate", "--noinput", "-v0")
    stack.manage("demo", "--members", "12", "--no-documents")
    info = stack.python(SETUP, timeout=180)  # before the worker: the draft is read here
    assert info["status"] == "parsed" and "第三条" in info["articles"], info
    with stack.start(migrate=False) as stack:
        base = stack.urls[0]
        sid, sp = info["sitting"], info["speech"]
        art = f"#speech-{sp}"
        ties = f"#ties-{sp}"
        async with async_playwright() as pw:
            browser = await launch(pw)
            try:
                page = await logged_in_page(
                    browser, base, "staff", DEMO_PASSWORD, width=1440, height=900
                )
                await page.goto(f"{base}/briefs/sittings/{sid}/")
                await page.wait_for_function(
                    f"document.querySelector('{art} video').readyState >= 1", timeout=20000
                )
                await page.click(f"{ties} .tie-new summary")
                await page.locator(ties).scroll_into_view_if_needed()
                for a in ("第三条", "第五条"):
                    box = f"{ties} .tie-article input[data-label='{a}']"
                    assert await page.evaluate(HIT, box) == "ok"
                    await page.check(box)
                await _seek(page, f"{art} video", 2)
                assert await page.evaluate(HIT, f"{ties} .tie-from-player") == "ok"
                await page.click(f"{ties} .tie-from-player")
                await _seek(page, f"{art} video", 6)
                await page.click(f"{ties} .tie-to-player")
                assert await page.input_value(f"{ties} .tie-start") == "00:02"
                assert await page.input_value(f"{ties} .tie-end") == "00:06"
                await _look(page, "review-tie-form-1440x900")
                for sel in (".tie-add", ".tie-start", ".tie-end", ".tie-to-player"):
                    assert await page.evaluate(HIT, f"{ties} {sel}") == "ok", sel
                await page.click(f"{ties} .tie-add")
                await page.wait_for_selector(f"{ties} .tie-state[data-state=saved]")
                chips = await page.locator(f"{ties} .tie-chip .chip").all_text_contents()
                assert chips == ["第三条 00:02–00:06", "第五条 00:02–00:06"], chips
                got = stack.python(TIES.format(speech=sp))
                assert got == [["第三条", 2.0, 6.0], ["第五条", 2.0, 6.0]], got

                # the chips are on the page after a reload too, and tapping one seeks
                await page.reload()
                await page.wait_for_function(
                    f"document.querySelector('{art} video').readyState >= 1", timeout=20000
                )
                chip = f"{ties} .tie-chip[data-tie] .chip >> nth=0"
                await page.locator(chip).scroll_into_view_if_needed()
                first = page.locator(chip)
                assert await first.text_content() == "第三条 00:02–00:06"
                assert await page.evaluate(HIT, f"{ties} .tie-chip .chip") == "ok"
                await first.click()
                await page.wait_for_function(
                    f"Math.abs(document.querySelector('{art} video').currentTime - 2) < 0.6",
                    timeout=10000,
                )
                await page.evaluate(f"document.querySelector('{art} video').pause()")
                await _look(page, "review-ties-chips-1440x900")
                await page.click(f"{ties} .tie-chip .untie >> nth=1")
                await page.wait_for_selector(f"{ties} .tie-state[data-state=removed]")
                assert await page.locator(f"{ties} .tie-chip").count() == 1

                # the opinions staff read by article: the submitted one, never the draft
                await page.goto(f"{base}/opinions/staff/")
                row = f"#opinions-index tr[data-document='{info['document']}']"
                assert "1" in await page.text_content(f"{row} td.num")
                await _look(page, "opinions-index-1440x900")
                await page.click(f"{row} a >> nth=0")
                await page.wait_for_selector("#opinions-document")
                card = page.locator("article.article-card[data-label='第三条']")
                text = await card.text_content()
                assert "“应当”不宜改为“可以”。" in text and "草稿：尚未提交" not in text
                assert info["member"] in text  # the tied speech's member
                assert "Opinions" not in await page.text_content("main")
                await _look(page, "opinions-by-article-1440x900")

                # a brief of the sitting, compiled by article
                await page.goto(f"{base}/briefs/sittings/{sid}/")
                await page.click("#new-brief")
                await page.wait_for_selector("#brief[data-state=draft]")
                await page.select_option("#arrangement", label="按《某省数据条例（草案）》条文编排")
                assert await page.evaluate(HIT, "#arrange") == "ok"
                await page.click("#arrange")
                await page.wait_for_selector(".brief-article[data-article]")
                room = await page.evaluate(SELECT_ROOM, "#arrangement")
                assert room["fits"], room  # the chosen arrangement reads whole
                body = await page.text_content("#brief")
                assert "关于第三条" in body and "“应当”不宜改为“可以”。" in body
                assert f"{info['member']}" in body and "在发言中（00:02–00:06）说：" in body
                await _look(page, "brief-by-article-1440x900")
            finally:
                await browser.close()
