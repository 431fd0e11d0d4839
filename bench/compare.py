"""Drafts compared article by article (修改对照): reading, comparing, the tablet's 对照 view.

Structure + comparison of a long draft in this process, and its 对照 view painted in
Chromium.

Generates, at run time, two versions of an N-article draft as real PDFs (reportlab,
the embedded CJK font, 编排 as printed: chapters, indents, wrapped lines, running
header and page numbers; ``docs_store.drafts.sample.revision_pair``: three articles
inserted so every later one is renumbered, two deleted, one in ten reworded, one moved
to another chapter), then times, in this process:

- ``read_ms``: text with lines from both PDFs (``extract.pdf_pages``) and their
  structure (``structure.read_draft``), both versions;
- ``compare_ms``: the comparison (``compare.compare``: alignment by content and the
  cleaned-up diff of every changed article);
- ``baseline_ms``: Python's ``difflib`` on the two whole texts in the same run
  (``SequenceMatcher.get_opcodes`` over the characters of each version's text; it knows
  nothing of articles, so it cannot say "第十条 became 第十一条");

best of ``--repeat`` runs each, and checks that every pair came out as made.

Then (``--browser``, on by default; ``--no-browser`` skips it) the same two PDFs go to a
real Daphne (harness/servers.Stack, SQLite, the demo committee): uploaded and
distributed as one paper of the plenary sitting, the revision as its version 2, both
read (``drafts.services.read_version``) and marked "compare with" by the clerk
(``mark_comparison``). A member's tablet (820×1180 portrait, headless Debian Chromium)
is loaded afresh for each of ``--openings`` openings: the paper opened from the list,
page 1 shown and the 对照 button up (the paper's reading fetched), then the tap on
对照 is timed inside the page until ``#cmp-body[data-painted]`` is set (compare.js) and
two animation frames have passed (laid out and painted). Per opening also: the view
closed and opened again in the same page (its DOM already built), and "展开全部" (every
unchanged article unfolded: the largest paint). Figures in the JSON:

- ``view_painted_p50_ms``/``_max_ms``: tap → painted, first opening after the load
  (``view_script_p50_ms``: tap → ``data-painted`` set, the script's share);
- ``reopen_painted_*``, ``unfold_all_*``: as above for the reopening and the unfolding;
- ``static_painted_*`` and ``static_all_painted_*``, the baseline: the very markup the
  view painted (folded, and unfolded), with the tablet's own stylesheets and the same
  ``<html>``/``<body>`` attributes, inserted into a blank page of the same Chromium
  (``innerHTML``) and timed to the same two frames. It is what Chromium needs to lay out
  and paint that much text whatever produces it, so the difference is the view's own
  cost (templating, folding, the change list). (The reader's page image is no baseline:
  it times the server's rasterising, not the view.);
- ``browser_failures``: openings that did not reach a figure within their bounds
  (every wait is bounded), ``browser_error`` if the stack could not be set up at all;
- ``browser_load``: the load average before and after the browser part.

    python bench/compare.py [--articles 150] [--repeat 3] [--openings 5] [--no-browser] [--json]

With ``--json`` one object: ``{"articles", "pages", "read_ms", "compare_ms",
"total_ms", "baseline_ms", "pairs_as_made", …the browser figures above…,
"load_average"}``. Targets (issue 29): structure + comparison ≤ 1 s; the 对照 view
painted ≤ 1 s after the tap. Figures only; nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import asyncio
import difflib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PORTRAIT = (820, 1180)
OPEN_TIMEOUT_S = 60  # tablet loaded, paper opened, page 1 shown, 对照 up
PAINT_TIMEOUT_MS = 10000  # one timed tap to its paint


def setup(data_dir: Path) -> None:
    """Django's settings only (the PDF font); the in-process part touches no database."""
    os.environ["YITING_DATA_DIR"] = str(data_dir)
    os.environ["DATABASE_URL"] = f"sqlite:///{data_dir / 'bench.sqlite3'}"
    os.environ["YITING_INPROCESS_WORKERS"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deploy.settings")
    import django

    django.setup()


def best(fn, repeat: int) -> tuple[float, object]:
    """The fastest of ``repeat`` runs of ``fn`` in ms, and its result."""
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t) * 1000)
    return min(times), result


def in_process(old_path: Path, new_path: Path, expected: list, repeat: int) -> dict:
    """Structure + comparison (and ``difflib``) in this process, best of ``repeat``."""
    from docs_store.drafts.compare import compare
    from docs_store.drafts.extract import pdf_pages
    from docs_store.drafts.structure import read_draft

    def read_both():
        return read_draft(pdf_pages(old_path)), read_draft(pdf_pages(new_path))

    read_ms, (old, new) = best(read_both, repeat)
    compare_ms, result = best(lambda: compare(old.articles, new.articles), repeat)
    old_text = "\n".join(a.text for a in old.articles)
    new_text = "\n".join(a.text for a in new.articles)
    baseline_ms, _ = best(
        lambda: difflib.SequenceMatcher(None, old_text, new_text, autojunk=False).get_opcodes(),
        repeat,
    )
    got = [(p["old_ordinal"], p["new_ordinal"], p["status"]) for p in result["pairs"]]
    return {
        "old_articles": result["old_articles"],
        "new_articles": result["new_articles"],
        "pages": len(pdf_pages(new_path)),
        "counts": result["counts"],
        "read_ms": round(read_ms, 1),
        "compare_ms": round(compare_ms, 1),
        "total_ms": round(read_ms + compare_ms, 1),
        "baseline_ms": round(baseline_ms, 1),
        "pairs_as_made": got == expected,
    }


# -- the tablet ------------------------------------------------------------------------------
# Run in the Stack's environment: the paper, its revision, both read, the clerk's mark.
SETUP = """
from pathlib import Path
from django.contrib.auth import get_user_model
from core.models import Sitting
from core.policy import Acting
from core.roster import sitting_roster
from docs_store.drafts import services as drafts
from docs_store.services.upload import Upload, replace_version
from harness.documents import distributed

s = Sitting.objects.get(kind="plenary")
item = s.agenda_items.order_by("order").first()
doc = distributed(s, Path(%(old)r).read_bytes(), "某某条例（草案）", item=item)
clerk = get_user_model().objects.get(username="clerk")
old = doc.current
new = replace_version(doc, Upload("revised.pdf", Path(%(new)r).read_bytes()), by=clerk)
for v in (old, new):
    drafts.read_version(v)
comparison = drafts.mark_comparison(Acting(role="clerk", user_id=clerk.pk), new, old)
member = [m for m in sitting_roster(s).order_by("seat") if m.role == "member"][0]
result = {"sitting": s.pk, "doc": doc.pk, "member": member.user.username,
          "status": comparison.status, "pairs": len(comparison.pairs)}
"""

# A tap on a button, timed until compare.js marks #cmp-body painted, then two frames
# (the frame holding the new layout has been produced). Bounded: {"failed": why}.
TAP_JS = """
async ([sel, bound]) => {
  const body = document.getElementById("cmp-body");
  const button = document.querySelector(sel);
  if (!body || !button) return {failed: "missing " + sel};
  let marked = null;
  const painted = new Promise((ok) => {
    const mo = new MutationObserver(() => { marked = performance.now(); mo.disconnect(); ok(true); });
    mo.observe(body, {attributes: true, attributeFilter: ["data-painted"]});
    setTimeout(() => { mo.disconnect(); ok(false); }, bound);
  });
  const t0 = performance.now();
  button.click();
  if (!(await painted)) return {failed: "not painted within " + bound + " ms"};
  await new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok)));
  const t1 = performance.now();
  return {script: marked - t0, painted: t1 - t0,
          pairs: body.querySelectorAll(".cmp-pair").length,
          nodes: document.getElementById("cmp").getElementsByTagName("*").length};
}
"""

# What the baseline page needs to look like the tablet: the view's markup (shown), the
# stylesheets and the attributes of <html> and <body>.
SNAPSHOT_JS = """
() => {
  const attrs = (el) => Array.from(el.attributes).map((a) => [a.name, a.value]);
  const view = document.getElementById("cmp").cloneNode(true);
  view.hidden = false;
  return {markup: view.outerHTML, html: attrs(document.documentElement), body: attrs(document.body),
          sheets: Array.from(document.querySelectorAll("link[rel=stylesheet]")).map((l) => l.href),
          height: document.getElementById("cmp-body").scrollHeight};
}
"""

# The baseline: the same markup put into a blank page, timed to the same two frames.
STATIC_JS = """
async ([markup, times]) => {
  const frames = () => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok)));
  document.body.innerHTML = markup;  // once untimed: the fonts in use are loaded
  await document.fonts.ready;
  await frames();
  const out = [];
  for (let i = 0; i < times; i++) {
    document.body.innerHTML = "";
    await frames();
    const t0 = performance.now();
    document.body.innerHTML = markup;
    await frames();
    out.push(performance.now() - t0);
  }
  const b = document.getElementById("cmp-body");
  return {times: out, height: b ? b.scrollHeight : null};
}
"""


def _page_html(snap: dict) -> str:
    from html import escape

    def attrs(pairs: list) -> str:
        return " ".join(f'{n}="{escape(v)}"' for n, v in pairs)

    links = "".join(f'<link rel="stylesheet" href="{escape(h)}">' for h in snap["sheets"])
    return (
        f"<!doctype html><html {attrs(snap['html'])}><head><meta charset=utf-8>{links}"
        f"</head><body {attrs(snap['body'])}></body></html>"
    )


def stats(xs: list[float]) -> tuple[float | None, float | None]:
    """p50 (the lower median) and max, in ms."""
    if not xs:
        return None, None
    xs = sorted(xs)
    return round(xs[(len(xs) - 1) // 2], 1), round(xs[-1], 1)


async def _bounded(coro, seconds: float):
    return await asyncio.wait_for(coro, timeout=seconds)


async def tablet(base: str, info: dict, openings: int) -> dict:
    """``openings`` fresh tablet loads, each: open the paper, tap 对照 (timed), close and
    tap again (timed), unfold all (timed); then the static baseline of the first."""
    from playwright.async_api import async_playwright

    from harness.browser import launch, logged_in_page
    from meeting.demo_login import DEMO_PASSWORD

    sid, doc = info["sitting"], info["doc"]
    runs = {"view": [], "script": [], "reopen": [], "unfold": []}
    failures: list[str] = []
    folded = unfolded = None
    shown = {}
    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            t = await _bounded(
                logged_in_page(
                    browser,
                    base,
                    info["member"],
                    DEMO_PASSWORD,
                    width=PORTRAIT[0],
                    height=PORTRAIT[1],
                ),
                OPEN_TIMEOUT_S,
            )
            for n in range(openings):
                try:
                    await t.goto(f"{base}/tablet/{sid}/", timeout=OPEN_TIMEOUT_S * 1000)
                    await t.wait_for_selector(
                        "#conn[data-state=live]", timeout=OPEN_TIMEOUT_S * 1000
                    )
                    await t.click(f'#docs-list button[data-doc="{doc}"]', timeout=15000)
                    await t.wait_for_selector(
                        f'#docs-page[data-loaded="{doc}:1"]', timeout=OPEN_TIMEOUT_S * 1000
                    )
                    await t.wait_for_selector(
                        "#docs-compare:not([hidden])", timeout=OPEN_TIMEOUT_S * 1000
                    )
                    got = await _bounded(
                        t.evaluate(TAP_JS, ["#docs-compare", PAINT_TIMEOUT_MS]), 30
                    )
                    if "failed" in got:
                        failures.append(f"opening {n + 1}: {got['failed']}")
                        continue
                    runs["view"].append(got["painted"])
                    runs["script"].append(got["script"])
                    shown["folded"] = got
                    if folded is None:
                        folded = await t.evaluate(SNAPSHOT_JS)
                    await t.click("#cmp-close", timeout=10000)
                    await t.wait_for_selector("#cmp", state="hidden", timeout=10000)
                    got = await _bounded(
                        t.evaluate(TAP_JS, ["#docs-compare", PAINT_TIMEOUT_MS]), 30
                    )
                    if "failed" in got:
                        failures.append(f"reopening {n + 1}: {got['failed']}")
                        continue
                    runs["reopen"].append(got["painted"])
                    got = await _bounded(t.evaluate(TAP_JS, ["#cmp-unfold", PAINT_TIMEOUT_MS]), 30)
                    if "failed" in got:
                        failures.append(f"unfolding {n + 1}: {got['failed']}")
                        continue
                    runs["unfold"].append(got["painted"])
                    shown["unfolded"] = got
                    if unfolded is None:
                        unfolded = await t.evaluate(SNAPSHOT_JS)
                except Exception as exc:  # a bound passed: counted, the next opening tries again
                    failures.append(f"opening {n + 1}: {type(exc).__name__}: {str(exc)[:200]}")
            static = {}
            for name, snap in (("folded", folded), ("unfolded", unfolded)):
                if snap is None:
                    continue
                b = await t.context.new_page()
                try:
                    await b.goto(f"{base}/login/", timeout=30000)  # same origin and cookies
                    await b.set_content(_page_html(snap), timeout=30000)
                    static[name] = await _bounded(
                        b.evaluate(STATIC_JS, [snap["markup"], max(openings, 3)]), 60
                    )
                    static[name]["view_height"] = snap["height"]
                except Exception as exc:
                    failures.append(f"baseline {name}: {type(exc).__name__}: {str(exc)[:200]}")
                finally:
                    await b.close()
        finally:
            await browser.close()
    out = {"openings": openings, "viewport": list(PORTRAIT)}
    for key, xs in (
        ("view_painted", runs["view"]),
        ("view_script", runs["script"]),
        ("reopen_painted", runs["reopen"]),
        ("unfold_all", runs["unfold"]),
        ("static_painted", static.get("folded", {}).get("times", [])),
        ("static_all_painted", static.get("unfolded", {}).get("times", [])),
    ):
        out[f"{key}_p50_ms"], out[f"{key}_max_ms"] = stats(xs)
    out["pairs_shown_folded"] = shown.get("folded", {}).get("pairs")
    out["pairs_shown_unfolded"] = shown.get("unfolded", {}).get("pairs")
    out["view_dom_nodes"] = shown.get("unfolded", {}).get("nodes")
    # the baseline laid out as the view was: the scrolled list the same height
    out["static_same_height"] = (
        all(s.get("height") == s.get("view_height") for s in static.values()) if static else None
    )
    out["browser_failures"] = len(failures)
    out["browser_failure_notes"] = failures[:5]
    return out


def browser_part(tmp: Path, old_path: Path, new_path: Path, openings: int) -> dict:
    """A Stack with the paper compared, and the tablet timed on it; load before and after."""
    from harness.servers import Stack

    load_before = os.getloadavg()
    out: dict = {"browser_error": None}
    try:
        stack = Stack(tmp / "stack", workers=1)
        # the in-process part's switch is not the server's: it renders pages as it ships
        stack.env.pop("YITING_INPROCESS_WORKERS", None)
        with stack.start(demo_members=12):
            info = stack.python(SETUP % {"old": str(old_path), "new": str(new_path)}, timeout=300)
            out["comparison_status"] = info["status"]
            out["comparison_pairs"] = info["pairs"]
            out.update(asyncio.run(tablet(stack.urls[0], info, openings)))
    except Exception as exc:  # no stack, no figures: said, not hidden
        out["browser_error"] = f"{type(exc).__name__}: {str(exc)[:300]}"
    out["browser_load"] = [round(x, 2) for x in (*load_before, *os.getloadavg())]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=150, help="articles of the draft")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each step (best kept)")
    parser.add_argument(
        "--browser",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also time the tablet's 对照 view in Chromium on a real server (default: on)",
    )
    parser.add_argument(
        "--openings", type=int, default=5, help="tablet loads, each opening 对照 once"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="yiting-bench-compare-") as tmp:
        setup(Path(tmp))
        from docs_store.drafts.sample import draft_pdf, revision_pair

        old_blocks, new_blocks, expected = revision_pair(articles=args.articles)
        old_path, new_path = Path(tmp) / "old.pdf", Path(tmp) / "new.pdf"
        old_path.write_bytes(draft_pdf("某某条例（草案）", old_blocks))
        new_path.write_bytes(draft_pdf("某某条例（草案修改稿）", new_blocks))
        out = {"articles": args.articles}
        out.update(in_process(old_path, new_path, expected, args.repeat))
        if args.browser:
            out.update(browser_part(Path(tmp), old_path, new_path, args.openings))
        out["load_average"] = [round(x, 2) for x in os.getloadavg()]
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
    else:
        for k, v in out.items():
            print(f"{k:>24}: {v}")


if __name__ == "__main__":
    main()
