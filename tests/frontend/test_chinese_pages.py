"""Every page, as each of the demo's logins (clerk, chair, member, staff, display), in
Chinese and without a page or console error (issue 28).

The pages are not listed by hand: every route of the URL conf is filled with ids from the
demo committee and fetched as each login; each that answers an HTML page is opened in
Chromium at the size that login uses it at, after a short live session (floor granted,
ended, taken) and a minutes run, so the audit trail and the minutes have rows. Its
visible text (``<code>``, ``<kbd>`` and ``[data-literal]`` aside, as in test_every_page)
must hold no English word but the few in ``ALLOWED``. Django's admin is an operator's
tool with its own translation and is opened as its index and change lists only.

A route with a path parameter this test has no value for fails it: a new page cannot go
unvisited. Screenshots go to test-artifacts/chinese-pages/.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request

import pytest

from harness.browser import launch, logged_in_page, new_context, shot
from harness.servers import Stack, login_cookie
from meeting.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

# Words that are not English prose on a Chinese page, and why each is allowed.
ALLOWED = {
    # key names on the keyboard help (a key is labelled so on the keyboard)
    "Alt", "PageUp", "PageDown", "Esc", "Enter", "Ctrl", "Shift", "Tab",
    # file formats offered for download, named as Office and WPS name them, and the
    # editor a DOCX opens in ("下载 Word（DOCX）"): product names, not English prose
    "PDF", "CSV", "JSON", "DOCX", "MP4", "Word",
    # units of file sizes (Django's filesizeformat; Chinese software writes them so)
    "KB", "MB", "GB",
    # "SHA-256 指纹" of a clip file: the name of the algorithm, no Chinese word for it
    "SHA",
    # the language menu names English in English, as every language menu does
    "English",
}  # fmt: skip
URL_LIKE = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+|(?:[\w-]+\.)+[a-z]{2,}(?::\d+)?\S*|/[\w./?=&%-]*")

# The demo's logins (meeting/demo.py), with the size each uses the system at.
LOGINS = {
    "clerk": (1440, 900),
    "chair": (1440, 900),
    "m010": (820, 1180),  # a member who is not a vice-chair, on a tablet held upright
    "staff": (1440, 900),
    "display": (1920, 1080),
}
LIVE = re.compile(r"^/(console|tablet|display)/\d+/$")
# routes with an id this test does not fill, because they answer no page
NOT_PAGES = {
    "briefs/jobs/<int:job_id>": "a job's progress as JSON, then the finished book's PDF",
    "docs/d/<int:document_id>/ink/<str:client_id>/erase/": "POST only: undo a stroke",
    "opinions/<int:opinion_id>/delete/": "POST only",
    "opinions/<int:opinion_id>/submit/": "POST only",
    "opinions/staff/ties/<int:tie_id>/delete": "POST only",
}

SETUP = """
import datetime as dt
from core.models import Member, Session, Sitting, Term
from core.roster import sitting_role
from docs_store.models import Document
from jobs.runner import run_until_idle
from media.models import Clip
from meeting.briefs.models import Brief
from meeting.floor.models import SpeakingRequest, Speech
from meeting.proceedings.closing import request_minutes
from meeting.voting.models import Vote
from realtime.context import Context
from realtime.protocol.codec import decode_object
from realtime.runner import run_command

cur = Session.objects.get(state="open")
past = Session.objects.get(state="closed")
plenary = cur.sittings.get(kind="plenary")
logins = {m.user.username: m for m in Member.objects.select_related("user").exclude(user=None)}
n = 0

def live(username, type_, data=None):
    global n
    n += 1
    m = logins[username]
    role = sitting_role(m.user, plenary)
    ctx = Context(user_id=m.user_id, sitting_id=plenary.pk, role=role, member_id=m.pk)
    frame = {"v": 1, "type": type_, "id": f"r{n}", "key": f"k{n}", "data": data or {}}
    answer = run_command(ctx, decode_object(frame))
    assert answer["ok"], (type_, answer)

# a short live session: the audit trail gets the floor's rows the issue saw as numbers
live("clerk", "agenda.open", {"item": plenary.agenda_items.order_by("order").first().pk})
for who in ("m010", "m006", "chair"):
    live(who, "attendance.check_in")
live("m010", "floor.request", {"kind": "speech"})
live("chair", "floor.grant")  # the next in the queue: no id in the command
sp = Speech.objects.get(sitting=plenary, ended_at=None)
live("chair", "floor.extend", {"speech": sp.pk, "seconds": 60})
live("chair", "floor.end", {"speech": sp.pk, "how": "finished"})
live("m006", "floor.request", {"kind": "reply"})
req = SpeakingRequest.objects.get(sitting=plenary, state="waiting")
live("clerk", "floor.grant", {"request": req.pk})
live("clerk", "floor.end", {"speech": Speech.objects.get(sitting=plenary, ended_at=None).pk})
live("chair", "floor.take")
live("chair", "floor.yield")
run = request_minutes(past, by=logins["clerk"].user)
run_until_idle()

member = logins["m010"]
clip = Clip.objects.filter(member=member, deleted_at=None).first() or Clip.objects.first()
doc = Document.objects.filter(session=cur, state="distributed").order_by("pk").first()
brief = Brief.objects.order_by("pk").first()
vote = Vote.objects.order_by("pk").first()
speech = Speech.objects.filter(ended_at__isnull=False).order_by("pk").first()
result = {
    "session_id": [cur.pk, past.pk],
    "sitting_id": [plenary.pk, past.sittings.filter(kind="group").order_by("pk").first().pk],
    "member_id": [member.pk],
    "document_id": [doc.pk],
    "version": [doc.current.number],
    "page": [1],
    "width": [800],
    "public_id": [str(clip.public_id)],
    "seconds": [1],
    "brief_id": [brief.pk] if brief else [],
    "term_id": [cur.term_id],
    "item_id": [plenary.agenda_items.order_by("order").first().pk],
    "vote_id": [vote.pk] if vote else [],
    "speech_id": [speech.pk] if speech else [],
    "run_id": [run.pk],
    "fmt": ["pdf"],
}
"""


def _routes() -> list[str]:
    import django
    from django.conf import settings

    if not settings.configured:  # pragma: no cover (pytest-django configures it)
        django.setup()
    from tests.deploy.test_role_sweep import route_names

    return sorted(set(route_names().values()))


def _paths(values: dict[str, list]) -> tuple[list[str], list[str]]:
    """Every route as concrete paths (one per combination of values); and the routes
    with a parameter this test has no value for."""
    import itertools

    paths, unknown = [], []
    for pattern in _routes():
        names = re.findall(r"<(?:\w+:)?(\w+)>", pattern)
        if pattern in NOT_PAGES:
            continue
        if any(n not in values for n in names):
            unknown.append(pattern)
            continue
        for combo in itertools.product(*(values[n] for n in names)):
            path = pattern
            for name, value in zip(names, combo, strict=True):
                path = re.sub(rf"<(?:\w+:)?{name}>", str(value), path, count=1)
            paths.append("/" + path)
    return sorted(set(paths)), unknown


def _html_pages(base: str, cookie: str, paths: list[str]) -> list[str]:
    """The paths that answer this login with a page (200, text/html)."""
    out = []
    for path in paths:
        req = urllib.request.Request(base + path, headers={"Cookie": cookie})
        try:
            with urllib.request.urlopen(req, timeout=20) as r:
                kind = r.headers.get("Content-Type", "")
                if r.status == 200 and kind.startswith("text/html"):
                    out.append(r.url.removeprefix(base))  # after a redirect: where it went
        except urllib.error.HTTPError:
            continue  # refused or absent for this login: the refusal pages have own tests
    return sorted(set(out))


def _admin_pages(base: str, cookie: str) -> list[str]:
    """Django admin's index and the change list of each model it lists (if this login
    may enter the admin)."""
    req = urllib.request.Request(base + "/admin/", headers={"Cookie": cookie})
    try:
        with urllib.request.urlopen(req, timeout=20) as r:
            if urllib.parse.urlparse(r.url).path != "/admin/":
                return []  # sent to the admin's login: not an operator
            html = r.read().decode()
    except urllib.error.HTTPError:
        return []
    lists = set(re.findall(r'href="(/admin/\w+/\w+/)"', html))
    return ["/admin/", *sorted(lists)]


ENGLISH_ON_PAGE = """() => {
  const skip = [...document.querySelectorAll("code, kbd, [data-literal]")];
  const before = skip.map((e) => e.style.display);
  skip.forEach((e) => { e.style.display = "none"; });
  const text = document.body.innerText;
  skip.forEach((e, i) => { e.style.display = before[i]; });
  const attrs = [...document.querySelectorAll("[placeholder], [aria-label], button[title]")]
    .map((e) => [e.getAttribute("placeholder"), e.getAttribute("aria-label")].join(" "));
  return text + "\\n" + attrs.join("\\n");
}"""


def english_words(text: str) -> list[str]:
    text = URL_LIKE.sub(" ", text)
    return sorted({w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in ALLOWED})


HIT = """(sel) => {
  const el = document.querySelector(sel);
  if (!el) return "missing";
  el.scrollIntoView({block: "center"});
  const r = el.getBoundingClientRect();
  const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return top === el || el.contains(top) ? "ok" : `covered by ${top && top.outerHTML.slice(0, 80)}`;
}"""


async def _check_changed_pages(page, path: str, login: str) -> None:
    """The controls this issue changed are there and can be clicked."""
    if path.startswith("/proceedings/audit/"):
        assert await page.evaluate(HIT, "#audit-action") == "ok"
        codes = await page.eval_on_selector_all(
            "#audit-rows td.action", "els => els.map((e) => [e.title, e.innerText])"
        )
        assert codes and all(not re.search(r"[A-Za-z]", words) for _, words in codes), codes
        assert any(code == "floor.grant" for code, _ in codes), codes
    if re.match(r"^/proceedings/sessions/\d+/$", path):
        state = await page.get_attribute("#minutes", "data-state")
        if state == "done":  # the closed session: its minutes were generated above
            for link in ("#minutes-pdf", "#minutes-docx", "#minutes-json"):
                assert await page.evaluate(HIT, link) == "ok", link
            href = await page.get_attribute("#minutes-docx", "href")
            assert href and href.endswith(".docx"), href


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo committee on one Daphne worker, after a short live session and a minutes
    run; yields its address and the ids the routes are filled with."""
    import shutil

    from harness.browser import ARTIFACTS

    shutil.rmtree(ARTIFACTS / "chinese-pages", ignore_errors=True)  # no stale screenshots
    stack = Stack(tmp_path_factory.mktemp("chinese-pages"), workers=1)
    stack.manage("migrate", "--noinput", "-v0")
    stack.manage("demo", "--members", "12", timeout=600)
    with stack.start(migrate=False) as stack:
        values = stack.python(SETUP, timeout=600)
        yield stack.urls[0], values


async def _sweep(browser, base: str, login: str, pages: list[str], found: dict) -> None:
    """Open each page as ``login`` at its size; note its English words and a screenshot."""
    w, h = LOGINS[login]
    page = await logged_in_page(browser, base, login, DEMO_PASSWORD, width=w, height=h)
    for path in pages:
        await page.goto(base + path)
        if LIVE.match(path):
            await page.wait_for_selector("#conn[data-state=live]", timeout=20000)
        await page.wait_for_load_state("networkidle", timeout=20000)
        await _check_changed_pages(page, path, login)
        name = re.sub(r"[^\w]+", "-", path).strip("-") or "home"
        await shot(page, f"chinese-pages/{login}-{name}")
        if words := english_words(await page.evaluate(ENGLISH_ON_PAGE)):
            found[f"{login} {path}"] = words
    await page.context.close()


def _report(found: dict) -> str:
    return "English on the pages:\n" + "\n".join(f"  {k}: {v}" for k, v in sorted(found.items()))


async def test_every_page_is_chinese_for_every_login(demo):
    from playwright.async_api import async_playwright

    base, values = demo
    paths, unknown = _paths(values)
    assert not unknown, f"give {__file__} a value for the parameters of {unknown}"
    found: dict[str, list[str]] = {}
    visited: dict[str, list[str]] = {}
    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            anon = await new_context(browser, width=1440, height=900)
            page = await anon.new_page()
            await page.goto(f"{base}/login/")
            if words := english_words(await page.evaluate(ENGLISH_ON_PAGE)):
                found["anonymous /login/"] = words
            await anon.close()
            for login in LOGINS:
                cookie = login_cookie(base, login, DEMO_PASSWORD)
                visited[login] = _html_pages(base, cookie, paths)
                await _sweep(browser, base, login, visited[login], found)
        finally:
            await browser.close()
    # the sweep reached the pages the issue named, as the logins that use them
    assert "/proceedings/audit/" in visited["clerk"] and "/proceedings/audit/" in visited["staff"]
    assert any(p.startswith("/media/clips/") for p in visited["staff"]), visited["staff"]
    assert any(p.startswith("/media/clips/") for p in visited["m010"]), visited["m010"]
    assert any(p.startswith("/tablet/") for p in visited["m010"]), visited["m010"]
    assert any(p.startswith("/console/") for p in visited["chair"]), visited["chair"]
    assert any(p.startswith("/display/") for p in visited["display"]), visited["display"]
    assert f"/proceedings/sessions/{values['session_id'][1]}/" in visited["clerk"]
    assert not found, _report(found)


async def test_the_admin_is_chinese_for_the_logins_that_enter_it(demo):
    """Django's admin (index and change lists) for each demo login that may enter it."""
    from playwright.async_api import async_playwright

    base, _values = demo
    found: dict[str, list[str]] = {}
    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            for login in LOGINS:
                pages = _admin_pages(base, login_cookie(base, login, DEMO_PASSWORD))
                await _sweep(browser, base, login, pages, found)
        finally:
            await browser.close()
    assert not found, _report(found)
