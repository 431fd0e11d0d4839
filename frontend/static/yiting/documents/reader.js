// The member's tablet reader: documents by agenda item, page view with swipe and keys,
// zoom up to 300%, thumbnails, go-to-page, prefetch, private notes, reading time, and
// presenter following (leave to read freely, one tap to come back).
import { escapeHtml } from "../client.js";
import { getJson, pageUrl, postJson, PageCache } from "./api.js";
import { errorText } from "../errors.js";
import { mountSearch } from "./search.js";
import { mountInk } from "./ink.js";

const ZOOMS = [1, 1.5, 2, 3];
const PREFETCH = 2;
const READ_SLICE_S = 15;

export function mountReader(client, ctx) {
  const root = document.getElementById("documents-panel");
  if (!root) return null;
  const $ = (id) => document.getElementById(id);
  const L = root.dataset;
  const cache = new PageCache();
  const st = {
    docs: [],
    presenter: { document: null, page: null },
    mayPresent: false,
    presenting: false, // this tablet drives the room (chair, or the item's presenter)
    follow: true,
    open: null, // {doc, page}
    zoom: 0,
    notes: {},
    changed: new Set(),
    penActive: false, // the pen or highlighter draws: swiping does not turn pages
    shownHooks: [], // called with (doc, page, img) once a page image is on screen
  };
  window.yitingDocs = st; // for tests and debugging

  const docById = (id) => st.docs.find((d) => d.id === id);

  async function refresh() {
    try {
      const data = await getJson(L.listUrl);
      st.docs = data.documents;
    } catch (err) {
      console.warn("documents list", err);
      return;
    }
    if (st.open && !docById(st.open.doc.id)) closeReader(L.lRecalled);
    else if (st.open) st.open.doc = docById(st.open.doc.id);
    renderList();
    prefetchDistributed();
    if (st.follow) followPresenter();
  }

  function renderList() {
    const groups = new Map();
    for (const d of st.docs) {
      const key = d.item_title || L.lGeneral;
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(d);
    }
    $("docs-list").innerHTML = st.docs.length
      ? [...groups].map(([title, docs]) => `<h3>${escapeHtml(title)}</h3><ul>${docs.map(docButton).join("")}</ul>`).join("")
      : `<p class="muted">${escapeHtml(L.lEmpty)}</p>`;
  }

  function docButton(d) {
    const open = st.open && st.open.doc.id === d.id ? "open" : "";
    const changed = st.changed.has(d.id) ? `<span class="docs-badge">${escapeHtml(L.lChanged)}</span>` : "";
    const secret = d.access === "confidential" ? `<span class="docs-badge secret">${escapeHtml(L.lConfidential)}</span>` : "";
    return `<li><button class="${open}" data-doc="${d.id}">${escapeHtml(d.title)} <span class="muted">${d.pages} ${escapeHtml(L.lPages)}</span>${changed}${secret}</button></li>`;
  }

  function width() {
    return ZOOMS[st.zoom] > 1 ? 1600 : 800;
  }

  async function show(docId, page, { fromPresenter = false } = {}) {
    const doc = docById(docId);
    if (!doc) return;
    page = Math.min(Math.max(1, page), doc.pages);
    const newDoc = !st.open || st.open.doc.id !== doc.id;
    st.open = { doc, page };
    if (newDoc) openedDoc(doc);
    $("docs-reader").hidden = false;
    $("docs-title").textContent = doc.title;
    $("docs-page-label").textContent = `${L.lPage} ${page} / ${doc.pages}`;
    $("docs-goto").max = doc.pages;
    $("docs-download").hidden = !doc.pdf_url;
    if (doc.pdf_url) $("docs-download").href = doc.pdf_url;
    $("docs-note").value = st.notes[page] || "";
    $("docs-note-state").textContent = "";
    const img = $("docs-page");
    img.dataset.doc = doc.id;
    img.dataset.page = page;
    img.dataset.loaded = "";
    $("docs-status").textContent = "";
    renderFollow();
    renderList();
    markThumb();
    try {
      const src = await cache.get(doc, page, width());
      if (st.open && st.open.doc.id === doc.id && st.open.page === page) {
        if (img.src !== src) {
          img.src = src;
          await img.decode().catch(() => {});
        }
        if (st.open && st.open.doc.id === doc.id && st.open.page === page) {
          img.dataset.loaded = `${doc.id}:${page}`;
          for (const hook of st.shownHooks) hook(doc, page, img);
        }
      }
    } catch (err) {
      $("docs-status").textContent = err.code === "recalled" ? L.lRecalled : err.code === "not_ready" ? L.lNotReady : errorText(err);
      if (err.code === "recalled") { cache.drop(doc.id); refresh(); }
    }
    for (let n = page + 1; n <= Math.min(doc.pages, page + PREFETCH); n++) cache.get(doc, n, width()).catch(() => {});
    if (!fromPresenter && newDoc) st.changed.delete(doc.id);
  }

  function openedDoc(doc) {
    st.notes = {};
    getJson(doc.page_url.split("/v/")[0] + "/notes/").then((d) => {
      st.notes = d.notes;
      if (st.open) $("docs-note").value = st.notes[st.open.page] || "";
    }).catch(() => {});
    report(doc, 0, true);
    if (!$("docs-thumbs").hidden) renderThumbs();
  }

  function closeReader(message) {
    st.open = null;
    $("docs-reader").hidden = true;
    $("docs-status").textContent = message || "";
  }

  function report(doc, seconds, opened) {
    if (ctx.role !== "member" && ctx.role !== "chair") return;
    postJson(root, doc.page_url.split("/v/")[0] + "/read/", { seconds, opened }).catch(() => {});
  }

  setInterval(() => {
    if (st.open && document.visibilityState === "visible") report(st.open.doc, READ_SLICE_S, false);
  }, READ_SLICE_S * 1000);

  // free reading: any page move by the member leaves follow mode
  function turn(delta) {
    if (!st.open) return;
    goTo(st.open.page + delta);
  }

  function goTo(page) {
    if (!st.open) return;
    if (presenting()) {
      client.send("presenter.flip", { page }).catch((e) => ($("docs-status").textContent = errorText(e)));
      return;
    }
    st.follow = false;
    show(st.open.doc.id, page);
  }

  // Only after "Present this page" do a chair's page turns move the room; reading alone
  // on a chair's tablet must never flip everyone's page by accident.
  function presenting() {
    return st.presenting && st.mayPresent && st.presenter.document === (st.open && st.open.doc.id);
  }

  function followPresenter() {
    const p = st.presenter;
    if (p.document && docById(p.document)) show(p.document, p.page, { fromPresenter: true });
    else renderFollow();
  }

  function renderFollow() {
    const p = st.presenter;
    const active = p.document != null && docById(p.document);
    const pill = $("docs-presenter");
    pill.hidden = !active;
    if (active) {
      pill.textContent = `${L.lPresenterAt}: ${docById(p.document).title} · ${L.lPage} ${p.page}`;
      pill.dataset.page = p.page;
      pill.dataset.doc = p.document;
    }
    $("docs-follow").hidden = !active || st.follow;
    $("docs-following").hidden = !active || !st.follow;
    $("docs-present").hidden = !(st.mayPresent && st.open);
  }

  function renderThumbs() {
    if (!st.open) return;
    const doc = st.open.doc;
    const pages = Array.from({ length: doc.pages }, (_, i) => i + 1);
    $("docs-thumbs").innerHTML = pages
      .map((n) => `<button data-page="${n}" title="${n}"><img loading="lazy" alt="${n}" src="${escapeHtml(pageUrl(doc, n, 800))}"></button>`)
      .join("");
    markThumb();
  }

  function markThumb() {
    for (const b of $("docs-thumbs").querySelectorAll("button")) {
      b.classList.toggle("current", st.open && Number(b.dataset.page) === st.open.page);
    }
  }

  function setZoom(step) {
    st.zoom = Math.min(ZOOMS.length - 1, Math.max(0, st.zoom + step));
    const z = ZOOMS[st.zoom];
    $("docs-zoom").textContent = `${Math.round(z * 100)}%`;
    $("docs-sheet").style.width = `${z * 100}%`;
    if (st.open) show(st.open.doc.id, st.open.page, { fromPresenter: st.follow });
  }

  function prefetchDistributed() {
    for (const d of st.docs) {
      if (d.state === "distributed" && !cache.has(d.id)) cache.get(d, 1, 800).catch(() => {});
    }
  }

  // wiring
  $("docs-list").addEventListener("click", (ev) => {
    const b = ev.target.closest("button[data-doc]");
    if (!b) return;
    const id = Number(b.dataset.doc);
    st.follow = st.presenter.document === id;
    show(id, st.follow ? st.presenter.page : 1);
  });
  $("docs-prev").addEventListener("click", () => turn(-1));
  $("docs-next").addEventListener("click", () => turn(1));
  $("docs-goto").addEventListener("change", (ev) => { const n = Number(ev.target.value); if (n) goTo(n); });
  $("docs-zoom-in").addEventListener("click", () => setZoom(1));
  $("docs-zoom-out").addEventListener("click", () => setZoom(-1));
  $("docs-thumbs-toggle").addEventListener("click", () => {
    $("docs-thumbs").hidden = !$("docs-thumbs").hidden;
    if (!$("docs-thumbs").hidden) renderThumbs();
  });
  $("docs-thumbs").addEventListener("click", (ev) => {
    const b = ev.target.closest("button[data-page]");
    if (b) goTo(Number(b.dataset.page));
  });
  $("docs-follow").addEventListener("click", () => { st.follow = true; followPresenter(); });
  $("docs-present").addEventListener("click", () => {
    if (!st.open) return;
    st.follow = true;
    st.presenting = true;
    st.presentingDoc = st.open.doc.id;
    client.send("presenter.open", { document: st.open.doc.id, page: st.open.page }).catch((e) => {
      st.presenting = false;
      $("docs-status").textContent = errorText(e);
    });
  });
  document.addEventListener("keydown", (ev) => {
    if (!st.open || ev.target.closest("input, textarea, select")) return;
    if (ev.key === "ArrowRight" || ev.key === "PageDown") turn(1);
    if (ev.key === "ArrowLeft" || ev.key === "PageUp") turn(-1);
  });
  let touchX = null;
  $("docs-viewport").addEventListener("pointerdown", (ev) => { if (ZOOMS[st.zoom] === 1 && !st.penActive) touchX = ev.clientX; });
  $("docs-viewport").addEventListener("pointerup", (ev) => {
    if (touchX == null) return;
    const dx = ev.clientX - touchX;
    touchX = null;
    if (Math.abs(dx) > 60) turn(dx < 0 ? 1 : -1);
  });
  let noteTimer = null;
  $("docs-note").addEventListener("input", () => {
    clearTimeout(noteTimer);
    noteTimer = setTimeout(saveNote, 800);
  });
  $("docs-note").addEventListener("blur", saveNote);
  async function saveNote() {
    clearTimeout(noteTimer);
    if (!st.open) return;
    const text = $("docs-note").value;
    const page = st.open.page;
    if ((st.notes[page] || "") === text) return;
    try {
      await postJson(root, st.open.doc.page_url.split("/v/")[0] + "/notes/", { page, text });
      st.notes[page] = text;
      $("docs-note-state").textContent = L.lSaved;
    } catch (err) {
      $("docs-note-state").textContent = errorText(err);
    }
  }

  // the socket
  client.on("snapshot", (snap) => {
    if (snap.documents) st.docs = snap.documents.documents;
    if (snap.presenter) {
      st.presenter = snap.presenter;
      st.mayPresent = !!snap.presenter.may_present;
    }
    renderList();
    if (st.follow) followPresenter();
  });
  client.on("synced", () => refresh());
  client.on("presenter.page", (data) => {
    if (st.presenting && data.document !== st.presentingDoc) st.presenting = false; // taken over
    st.presenter = { ...st.presenter, ...data };
    if (st.follow) followPresenter();
    else renderFollow();
  });
  client.on("documents.changed", (data) => {
    for (const id of data.documents) {
      if (data.reason === "recalled") cache.drop(id);
      if (data.reason === "new_version") { cache.drop(id); st.changed.add(id); }
    }
    refresh();
  });
  // a search result: read that page freely (leaving follow mode)
  st.openFree = (docId, page) => {
    if (!docById(docId)) return false;
    st.follow = false;
    show(docId, page);
    return true;
  };
  st.search = mountSearch(root, st);
  st.ink = mountInk(root, st);
  return st;
}
