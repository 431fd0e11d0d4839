// The tablet's 对照 view (修改对照, issue 29): the paper's revised version beside the
// version the clerk compared it with, article by article. Two columns in landscape
// (原条文 | 修改后条文), one above the other in portrait (CSS decides by the screen's
// shape); deletions struck through, insertions underlined; each run of unchanged
// articles folded into one line, tapped to unfold; the change list ("第二条 修改", "第三条
// 新增" …) a drawer to jump by; following the presenter works here too: the presenter's
// page of the revised version is the article starting on it (draft.js articleAtPage),
// and the view scrolls there. Tapping an article opens 写意见 (opinions.js) for it.
import { html, render, nothing, classMap, repeat } from "../render.js";
import { fill } from "./fill.js";

const STATUSES = ["modified", "added", "deleted", "moved"];

export function mountCompare(r, d) {
  const { client, st, $ } = r;
  const L = d.L;
  const view = $("cmp");
  const body = $("cmp-body");
  const cv = {
    open: false,
    unfolded: new Set(), // folds (their first pair's index) opened by a tap
    all: false, // every unchanged article shown
    presenterPair: null, // the index of the pair the presenter is on
  };
  window.yitingCompare = cv; // for tests and the bench

  const cmp = () => (d.data && d.data.comparison) || null;
  const statusLabel = (s) => L[s] || s;
  const nameOf = (p) => (p.new ? p.new : fill(L.was, { label: p.old }));

  /** Pairs with unchanged runs folded: [{fold: key, pairs: [...]}, {pair, i}, …]. */
  function rows(pairs) {
    const out = [];
    let run = null;
    pairs.forEach((p, i) => {
      if (p.status === "unchanged") {
        if (!run) { run = { fold: i, items: [] }; out.push(run); }
        run.items.push({ pair: p, i });
      } else {
        run = null;
        out.push({ pair: p, i });
      }
    });
    return out;
  }

  const oldSide = (p) => p.ops.filter(([op]) => op !== "+").map(([op, t]) => (op === "-" ? html`<del>${t}</del>` : t));
  const newSide = (p) => p.ops.filter(([op]) => op !== "-").map(([op, t]) => (op === "+" ? html`<ins>${t}</ins>` : t));

  function labels(p) {
    if (p.old && p.new && p.old !== p.new) return html`<span class="cmp-label">${p.new}</span><span class="cmp-was">${fill(L.was, { label: p.old })}</span>`;
    return html`<span class="cmp-label">${nameOf(p)}</span>`;
  }

  function pairView({ pair: p, i }) {
    const article = p.new_id || p.old_id;
    const mine = d.opinions.countFor(article);
    const here = cv.presenterPair === i;
    return html`<article class=${classMap({ "cmp-pair": true, "cmp-presenter": here })} id=${`cmp-p-${i}`}
        data-i=${i} data-status=${p.status} data-article=${article || ""}>
      <header class="cmp-pair-head">
        ${labels(p)}
        <span class=${`cmp-status s-${p.status}`}>${statusLabel(p.status)}</span>
        ${p.status === "moved" && p.old_chapter && p.old_chapter !== p.new_chapter
          ? html`<span class="cmp-was">${fill(L.movedFrom, { chapter: p.old_chapter })}</span>` : nothing}
        ${here ? html`<span class="cmp-here">${L.presenterHere}</span>` : nothing}
        ${mine ? html`<span class="cmp-mine">${fill(L.opinionsN, { n: mine })}</span>` : nothing}
        ${d.mayWrite && d.data.may_write && article
          ? html`<button type="button" class="cmp-write" data-write=${i}>${L.write}</button>` : nothing}
      </header>
      <div class="cmp-cols">
        <div class="cmp-old" lang="zh"><span class="cmp-side">${L.oldSide}</span>${p.old
          ? html`<span class="cmp-text">${oldSide(p)}</span>` : html`<span class="cmp-none">${L.noneOld}</span>`}</div>
        <div class="cmp-new" lang="zh"><span class="cmp-side">${L.newSide}</span>${p.new
          ? html`<span class="cmp-text">${newSide(p)}</span>` : html`<span class="cmp-none">${L.noneNew}</span>`}</div>
      </div>
    </article>`;
  }

  function foldView(run) {
    const open = cv.all || cv.unfolded.has(run.fold) || run.items.some(({ i }) => i === cv.presenterPair);
    if (open) return run.items.map(pairView);
    const first = run.items[0].pair, last = run.items.at(-1).pair;
    const text = run.items.length === 1
      ? fill(L.foldedOne, { label: first.new })
      : fill(L.foldedMany, { n: run.items.length, from: first.new, to: last.new });
    return html`<button type="button" class="cmp-fold" id=${`cmp-f-${run.fold}`} data-fold=${run.fold}
      data-first=${run.items[0].i} data-last=${run.items.at(-1).i}>${text}</button>`;
  }

  function paint() {
    const c = cmp();
    if (!cv.open || !c) return;
    const side = c.old && c.new && c.old.document !== c.new.document
      ? fill(L.comparedOther, { new: c.new.version, old: c.old.version, title: c.old.title })
      : fill(L.compared, { new: c.new ? c.new.version : "", old: c.old ? c.old.version : "" });
    $("cmp-title").textContent = `${d.data.title} · ${side}`;
    $("cmp-counts").textContent = STATUSES.filter((s) => c.counts && c.counts[s])
      .map((s) => `${statusLabel(s)} ${c.counts[s]}`).join(" · ");
    const msg = c.status === "pending" ? L.pending
      : c.message || (c.status === "ready" && !c.pairs.some((p) => p.status !== "unchanged") ? L.noChanges : "");
    $("cmp-message").textContent = msg;
    $("cmp-message").hidden = !msg;
    $("cmp-message").classList.toggle("warn", !!(c.warning || c.status === "not_comparable"));
    $("cmp-unfold").textContent = cv.all ? L.foldAll : L.unfoldAll;
    const pairs = c.status === "ready" ? c.pairs : [];
    render(html`${repeat(rows(pairs), (x) => (x.fold != null ? `f${x.fold}` : `p${x.i}`),
      (x) => (x.fold != null ? foldView(x) : pairView(x)))}`, body);
    render(html`${pairs.map((p, i) => (p.status === "unchanged" ? nothing
      : html`<li><button type="button" data-jump=${i} class=${`s-${p.status}`}>
          <span class="cmp-label">${nameOf(p)}</span> <span class=${`cmp-status s-${p.status}`}>${statusLabel(p.status)}</span>
          ${p.new && p.old && p.old !== p.new ? html`<span class="muted">${fill(L.was, { label: p.old })}</span>` : nothing}
        </button></li>`))}`, $("cmp-change-list"));
    body.dataset.painted = String(Date.now());
  }

  function openView() {
    if (!cmp()) return;
    cv.open = true;
    view.hidden = false;
    document.body.dataset.compare = "open";
    if (st.follow) followPresenter(false);
    paint();
    if (st.follow && cv.presenterPair != null) scrollTo(cv.presenterPair, "auto");
    else body.scrollTop = 0;
  }

  function closeView() {
    cv.open = false;
    view.hidden = true;
    delete document.body.dataset.compare;
    if (window.yitingTablet && window.yitingTablet.drawer === "changes") window.yitingTablet.open("");
  }

  function scrollTo(i, behavior = "smooth") {
    const el = $(`cmp-p-${i}`);
    if (!el) return;
    const top = body.scrollTop + el.getBoundingClientRect().top - body.getBoundingClientRect().top - 8;
    body.scrollTo({ top, behavior });
    el.classList.remove("cmp-flash");
    void el.offsetWidth; // restart the animation
    el.classList.add("cmp-flash");
  }

  /** Where the presenter is, as a pair of this comparison (null: not this paper). */
  function presenterPair() {
    const p = st.presenter;
    const c = cmp();
    if (!c || !st.open || p.document !== st.open.doc.id || p.page == null) return null;
    const art = d.articleAtPage(p.page);
    if (!art) return null;
    const i = c.pairs.findIndex((x) => x.new_id === art.id);
    return i < 0 ? null : i;
  }

  function followPresenter(scroll = true) {
    cv.presenterPair = presenterPair();
    if (!cv.open) return;
    paint();
    if (scroll && cv.presenterPair != null) scrollTo(cv.presenterPair);
  }

  // -- controls -------------------------------------------------------------------------------
  $("docs-compare").addEventListener("click", openView);
  $("cmp-close").addEventListener("click", closeView);
  $("cmp-unfold").addEventListener("click", () => {
    cv.all = !cv.all;
    if (!cv.all) cv.unfolded.clear();
    paint();
  });
  body.addEventListener("click", (ev) => {
    if (window.yitingTablet && window.yitingTablet.drawer) { window.yitingTablet.open(""); return; }
    const fold = ev.target.closest("button[data-fold]");
    if (fold) {
      cv.unfolded.add(Number(fold.dataset.fold));
      paint();
      return;
    }
    const row = ev.target.closest(".cmp-pair");
    if (!row || !d.mayWrite || !d.data || !d.data.may_write) return;
    const p = cmp().pairs[Number(row.dataset.i)];
    if (p) d.opinions.openForPair(p);
  });
  $("cmp-change-list").addEventListener("click", (ev) => {
    const b = ev.target.closest("button[data-jump]");
    if (!b) return;
    const i = Number(b.dataset.jump);
    // jumping is reading freely: the presenter's place stays one tap away (top bar)
    if (st.follow && cv.presenterPair !== i) { st.follow = false; r.follow.render(); }
    window.yitingTablet?.open("");
    paint();
    scrollTo(i);
  });

  // -- staying true ---------------------------------------------------------------------------
  d.onChange(() => {
    if (cv.open && !cmp()) closeView();
    cv.presenterPair = presenterPair();
    paint();
  });
  d.opinions.onChange(paint);
  client.on("presenter.page", () => {
    if (!cv.open) { cv.presenterPair = presenterPair(); return; }
    if (!st.follow) { paint(); return; }
    // following: another paper presented takes the reader there (reader_follow.js)
    if (!st.open || !d.data || st.presenter.document !== d.data.document) { closeView(); return; }
    followPresenter();
  });
  $("docs-follow").addEventListener("click", () => { if (cv.open) followPresenter(); });
  document.addEventListener("reader:state", (ev) => {
    if (cv.open && (!ev.detail.open || (st.open && d.data && st.open.doc.id !== d.data.document))) closeView();
  });
  document.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape" && cv.open && !(window.yitingTablet && window.yitingTablet.drawer)
      && $("op-sheet").hidden) closeView();
  });

  return { open: openView, close: closeView, paint, cv };
}
