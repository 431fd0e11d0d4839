// The member's tablet reader, document first: the page image fills the stage (fit width or
// fit page, zoom up to 300% by buttons or pinch), swipe and arrow keys turn, thumbnails,
// go-to-page, prefetch, private notes, reading time, and presenter following (leave to
// read freely, one tap to come back, "the presenter moved to p. 7" while free).
// Pages already read stay readable when the network goes (api.js PageCache, Cache API),
// a reload without network too: the Service Worker (frontend/serviceworker/tablet.js)
// keeps the shell, and the reader reopens the document read last from its kept record.
import { html, render, nothing, classMap, repeat } from "../render.js";
import { getJson, pageUrl, postJson, PageCache } from "./api.js";
import { errorText } from "../errors.js";
import { label } from "../labels.js";
import { mountSearch } from "./search.js";
import { mountInk } from "./ink.js";
import { labelled } from "../words.js";

const ZOOMS = [1, 1.5, 2, 3];
const PREFETCH = 2;
const READ_SLICE_S = 15;
const SWIPE_PX = 60;

/** "… {page} …" with the page number put in. */
const fill = (text, page) => String(text || "").replace("{page}", String(page));

/** Tell the tablet shell (tablet/shell.js) something happened in the reader. */
function tell(name, detail) {
  document.dispatchEvent(new CustomEvent(`reader:${name}`, { detail }));
}

export function mountReader(client, ctx) {
  const root = document.getElementById("documents-panel");
  if (!root) return null;
  const $ = (id) => document.getElementById(id);
  const L = root.dataset;
  const cache = new PageCache(root.dataset.user || "anon");
  const st = {
    docs: [],
    presenter: { document: null, page: null },
    mayPresent: false,
    presenting: false, // this tablet drives the room (chair, or the item's presenter)
    follow: true,
    open: null, // {doc, page}
    zoom: 1, // times the fitted size; 1–3
    fit: "width", // "width": the page as wide as the stage; "page": the whole page visible
    ratio: 1.414, // height / width of the open page
    notes: {},
    changed: new Set(),
    penActive: false, // the pen or highlighter draws: swiping does not turn pages
    shownHooks: [], // called with (doc, page, img) once a page image is on screen
    cache,
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
    tell("state", { open: !!st.open });
  }

  function renderList() {
    const groups = new Map();
    for (const d of st.docs) {
      const key = d.item_title || L.lGeneral;
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(d);
    }
    render(
      st.docs.length
        ? html`${[...groups].map(([title, docs]) => html`<h3>${title}</h3>
            <ul>${repeat(docs, (d) => d.id, docButton)}</ul>`)}`
        : html`<p class="muted">${L.lEmpty}</p>`,
      $("docs-list"),
    );
  }

  function docButton(d) {
    const open = !!(st.open && st.open.doc.id === d.id);
    return html`<li><button type="button" class=${classMap({ open })} data-doc=${d.id}>
      <span class="docs-list-title">${d.title}</span>
      <span class="muted">${d.pages} ${L.lPages}</span>
      ${d.new ? html`<span class="docs-badge new" title=${label("doc_mark", "new_long")}>${label("doc_mark", "new")}</span>` : nothing}
      ${st.changed.has(d.id) ? html`<span class="docs-badge">${L.lChanged}</span>` : nothing}
      ${d.access === "confidential" ? html`<span class="docs-badge secret">${L.lConfidential}</span>` : nothing}
      ${st.presenter.document === d.id ? html`<span class="docs-badge live">${L.lPresenterAt}</span>` : nothing}
    </button></li>`;
  }

  // -- geometry: fit width / fit page, zoom, the image width to fetch -------------------
  function stageSize() {
    const vp = $("docs-viewport");
    return { w: vp.clientWidth || window.innerWidth, h: vp.clientHeight || window.innerHeight };
  }

  function sheetWidth(zoom = st.zoom) {
    const { w, h } = stageSize();
    const fitted = st.fit === "page" ? Math.min(w, h / st.ratio) : w;
    return Math.max(100, Math.floor(fitted * zoom));
  }

  function width() {
    return sheetWidth() * (window.devicePixelRatio || 1) > 900 ? 1600 : 800;
  }

  function layout(zoom = st.zoom) {
    const sheet = $("docs-sheet");
    sheet.style.width = `${sheetWidth(zoom)}px`;
    $("docs-zoom").textContent = `${Math.round(zoom * 100)}%`;
    $("docs-fit").textContent = st.fit === "page" ? L.lFitWidth : L.lFitPage;
    $("docs-fit").dataset.fit = st.fit;
    root.dataset.fit = st.fit;
  }

  async function show(docId, page, { fromPresenter = false } = {}) {
    const doc = docById(docId);
    if (!doc) return;
    page = Math.min(Math.max(1, page), doc.pages);
    const newDoc = !st.open || st.open.doc.id !== doc.id;
    st.open = { doc, page };
    if (newDoc) openedDoc(doc);
    $("docs-reader").hidden = false;
    root.dataset.open = "true";
    $("docs-title").textContent = doc.title;
    $("docs-title").title = doc.title;
    $("docs-page-label").textContent = `${page} / ${doc.pages}`;
    $("docs-page-label").title = `${L.lPage} ${page} / ${doc.pages}`;
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
    tell("state", { open: true });
    const w = width();
    try {
      const src = await cache.get(doc, page, w);
      if (st.open && st.open.doc.id === doc.id && st.open.page === page) {
        if (img.src !== src) {
          img.src = src;
          await img.decode().catch(() => {});
        }
        if (st.open && st.open.doc.id === doc.id && st.open.page === page) {
          if (img.naturalWidth) {
            const ratio = img.naturalHeight / img.naturalWidth;
            if (Math.abs(ratio - st.ratio) > 0.001) { st.ratio = ratio; layout(); }
          }
          img.dataset.loaded = `${doc.id}:${page}`;
          img.dataset.width = w;
          cache.remember(doc, page); // a reload without network reopens it here
          for (const hook of st.shownHooks) hook(doc, page, img);
        }
      }
    } catch (err) {
      if (!(st.open && st.open.doc.id === doc.id && st.open.page === page)) return;
      $("docs-status").textContent = err.code === "recalled" ? L.lRecalled
        : err.code === "not_ready" ? L.lNotReady
        : err.code === "not_cached" ? L.lNotCached : errorText(err);
      if (err.code === "recalled") { cache.drop(doc.id); refresh(); }
    }
    if (navigator.onLine) for (let n = page + 1; n <= Math.min(doc.pages, page + PREFETCH); n++) cache.get(doc, n, w).catch(() => {});
    if (!fromPresenter && newDoc) st.changed.delete(doc.id);
  }

  function openedDoc(doc) {
    const listed = docById(doc.id); // opened: no longer 新 (the server records the receipt)
    if (listed && listed.new) { listed.new = false; renderList(); }
    st.notes = {};
    getJson(doc.page_url.split("/v/")[0] + "/notes/").then((d) => {
      st.notes = d.notes;
      if (st.open) $("docs-note").value = st.notes[st.open.page] || "";
    }).catch(() => {});
    report(doc, 0, true);
    if (root.dataset.drawer === "thumbs") renderThumbs();
  }

  function closeReader(message) {
    st.open = null;
    $("docs-reader").hidden = true;
    root.dataset.open = "false";
    $("docs-title").textContent = "";
    $("docs-page-label").textContent = "";
    $("docs-status").textContent = message || "";
    renderFollow();
    tell("state", { open: false });
  }

  function report(doc, seconds, opened) {
    if (!ctx.may["documents.read_receipt"]) return; // the server's rule: whose reading is recorded
    if (!navigator.onLine) return; // no receipt to send while the network is gone
    postJson(root, doc.page_url.split("/v/")[0] + "/read/", { seconds, opened }).catch(() => {});
  }

  setInterval(() => {
    if (st.open && document.visibilityState === "visible" && navigator.onLine) report(st.open.doc, READ_SLICE_S, false);
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

  // Following or reading freely, unmistakably: the top bar's chip, the stage's frame
  // (body[data-follow]) and, while free, where the presenter is with one tap back.
  function renderFollow() {
    const p = st.presenter;
    const active = p.document != null && !!docById(p.document);
    const following = active && st.follow;
    const mode = !active ? "none" : following ? "following" : "free";
    document.body.dataset.follow = mode;
    const pill = $("docs-presenter");
    pill.hidden = mode !== "free";
    if (active) {
      const doc = docById(p.document);
      const moved = fill(L.lPresenterMoved, p.page);
      const same = st.open && st.open.doc.id === p.document;
      pill.textContent = same ? moved : `${moved} · ${doc.title}`;
      pill.title = labelled(L.lPresenterAt, `${doc.title} · ${L.lPage} ${p.page}`);
      if (pill.dataset.page && pill.dataset.page !== String(p.page)) flash(pill);
      pill.dataset.page = p.page;
      pill.dataset.doc = p.document;
    } else {
      delete pill.dataset.page;
    }
    const back = $("docs-follow");
    back.hidden = mode !== "free";
    back.textContent = fill(L.lBackTo, p.page);
    const chip = $("docs-following");
    chip.hidden = mode !== "following";
    chip.textContent = fill(L.lFollowingAt, p.page);
    $("docs-present").hidden = !(st.mayPresent && st.open);
  }

  function flash(el) {
    el.classList.remove("flash");
    void el.offsetWidth; // restart the animation
    el.classList.add("flash");
  }

  function renderThumbs() {
    if (!st.open) {
      render(html`<p class="muted">${L.lPick}</p>`, $("docs-thumbs"));
      return;
    }
    const doc = st.open.doc;
    const pages = Array.from({ length: doc.pages }, (_, i) => i + 1);
    render(
      html`${repeat(pages, (n) => `${doc.id}:${n}`, (n) => html`<button type="button" data-page=${n}
        class=${classMap({ current: n === st.open.page })} title="${L.lPage} ${n}">
        <img loading="lazy" alt="${L.lPage} ${n}" src=${pageUrl(doc, n, 800)}><span>${n}</span></button>`)}`,
      $("docs-thumbs"),
    );
  }

  function markThumb() {
    for (const b of $("docs-thumbs").querySelectorAll("button")) {
      b.classList.toggle("current", !!st.open && Number(b.dataset.page) === st.open.page);
    }
  }

  function setZoom(zoom, { reload = true } = {}) {
    st.zoom = Math.min(ZOOMS.at(-1), Math.max(ZOOMS[0], zoom));
    layout();
    if (reload && st.open) show(st.open.doc.id, st.open.page, { fromPresenter: st.follow });
  }

  const nextZoom = (dir) => (dir > 0
    ? ZOOMS.find((z) => z > st.zoom + 0.01) ?? ZOOMS.at(-1)
    : [...ZOOMS].reverse().find((z) => z < st.zoom - 0.01) ?? ZOOMS[0]);

  function prefetchDistributed() {
    for (const d of st.docs) {
      if (d.state === "distributed" && !cache.has(d.id)) cache.get(d, 1, 800).catch(() => {});
    }
  }

  // -- wiring --------------------------------------------------------------------------
  $("docs-list").addEventListener("click", (ev) => {
    const b = ev.target.closest("button[data-doc]");
    if (!b) return;
    const id = Number(b.dataset.doc);
    st.follow = st.presenter.document === id;
    show(id, st.follow ? st.presenter.page : 1);
    tell("picked", { doc: id });
  });
  $("docs-prev").addEventListener("click", () => turn(-1));
  $("docs-next").addEventListener("click", () => turn(1));
  $("docs-goto").addEventListener("change", (ev) => { const n = Number(ev.target.value); if (n) goTo(n); });
  $("docs-zoom-in").addEventListener("click", () => setZoom(nextZoom(1)));
  $("docs-zoom-out").addEventListener("click", () => setZoom(nextZoom(-1)));
  $("docs-fit").addEventListener("click", () => {
    st.fit = st.fit === "width" ? "page" : "width";
    setZoom(1);
  });
  document.addEventListener("tablet:drawer", (ev) => {
    root.dataset.drawer = ev.detail || "";
    if (ev.detail === "thumbs") renderThumbs();
  });
  $("docs-thumbs").addEventListener("click", (ev) => {
    const b = ev.target.closest("button[data-page]");
    if (!b) return;
    goTo(Number(b.dataset.page));
    tell("picked", { page: Number(b.dataset.page) });
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
    if (!st.open || ev.target.closest("input, textarea, select") || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    if (document.querySelector("#tablet-vote[data-mode=sheet]")) return; // the vote has the screen
    if (ev.key === "ArrowRight" || ev.key === "PageDown") { ev.preventDefault(); turn(1); }
    if (ev.key === "ArrowLeft" || ev.key === "PageUp") { ev.preventDefault(); turn(-1); }
  });
  window.addEventListener("resize", () => { layout(); });

  // Swipe (one pointer, mostly sideways, page not wider than the stage) and pinch (two
  // touches): the stage's touch-action leaves only scrolling to the browser.
  const vp = $("docs-viewport");
  const touches = new Map();
  let swipe = null;
  let pinch = null;
  vp.addEventListener("pointerdown", (ev) => {
    if (st.penActive && ev.target.closest("#docs-ink")) return;
    touches.set(ev.pointerId, { x: ev.clientX, y: ev.clientY });
    if (touches.size === 2) {
      const [a, b] = [...touches.values()];
      pinch = { dist: Math.hypot(a.x - b.x, a.y - b.y) || 1, zoom: st.zoom, now: st.zoom };
      swipe = null;
    } else if (touches.size === 1) {
      swipe = { x: ev.clientX, y: ev.clientY, t: performance.now() };
    }
  });
  vp.addEventListener("pointermove", (ev) => {
    if (!touches.has(ev.pointerId)) return;
    touches.set(ev.pointerId, { x: ev.clientX, y: ev.clientY });
    if (pinch && touches.size === 2) {
      const [a, b] = [...touches.values()];
      pinch.now = Math.min(3, Math.max(1, pinch.zoom * (Math.hypot(a.x - b.x, a.y - b.y) / pinch.dist)));
      layout(pinch.now); // live: the sheet follows the fingers; the image is fetched at the end
    }
  });
  const lift = (ev) => {
    if (!touches.has(ev.pointerId)) return;
    touches.delete(ev.pointerId);
    if (pinch) {
      if (touches.size === 0) { const z = pinch.now; pinch = null; setZoom(z); }
      return;
    }
    const s = swipe;
    swipe = null;
    if (!s || ev.type === "pointercancel" || st.penActive) return;
    const dx = ev.clientX - s.x, dy = ev.clientY - s.y;
    const fits = vp.scrollWidth <= vp.clientWidth + 2;
    if (Math.abs(dx) > SWIPE_PX && Math.abs(dx) > 1.5 * Math.abs(dy) && fits) turn(dx < 0 ? 1 : -1);
  };
  vp.addEventListener("pointerup", lift);
  vp.addEventListener("pointercancel", lift);

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

  // -- the socket ------------------------------------------------------------------------
  client.on("snapshot", (snap) => {
    if (snap.documents) st.docs = snap.documents.documents;
    if (snap.presenter) {
      st.presenter = snap.presenter;
      st.mayPresent = !!snap.presenter.may_present;
    }
    renderList();
    if (st.follow) followPresenter();
    else renderFollow();
    tell("state", { open: !!st.open });
  });
  client.on("synced", () => { st.synced = true; refresh(); });
  client.on("presenter.page", (data) => {
    if (st.presenting && data.document !== st.presentingDoc) st.presenting = false; // taken over
    st.presenter = { ...st.presenter, ...data };
    if (st.follow) followPresenter();
    else renderFollow();
    renderList();
  });
  client.on("documents.changed", (data) => {
    for (const id of data.documents) {
      if (data.reason === "recalled") cache.drop(id);
      if (data.reason === "new_version") { cache.drop(id); st.changed.add(id); }
    }
    refresh();
  });
  // The indicator says what still works without the network: pages already read. The
  // connection pill itself says "offline, showing the pages kept on this tablet".
  let wasLive = false;
  const conn = document.getElementById("conn");
  const offlineNote = () => {
    const down = !navigator.onLine || (client.state !== "live" && (wasLive || st.offlineStart));
    $("docs-offline").hidden = !down;
    document.body.dataset.network = down ? "offline" : "online";
    if (conn && down && st.open) {
      conn.textContent = L.lConnCached;
      conn.dataset.cached = "true";
    } else if (conn) delete conn.dataset.cached;
  };
  client.on("connection", (state) => {
    if (state === "live") wasLive = true;
    else if (state === "offline" && !st.synced) openKept(); // never reached the server: read what is kept
    offlineNote();
  });
  window.addEventListener("online", () => {
    offlineNote();
    // back: reconnect now (within a second and a half, so a room does not come back at
    // once) rather than at the end of a long backoff; the socket then resyncs
    setTimeout(() => {
      if (client.ws || client.state === "live") return;
      clearTimeout(client.timer);
      client.connect();
    }, Math.random() * 1500);
  });
  window.addEventListener("offline", () => {
    // the device says the network is gone: drop the socket now, so the connection
    // indicator says offline at once (it reconnects when the "online" event comes)
    if (client.ws) client.ws.close();
    offlineNote();
  });
  // Opened without the network (or the server): the document read last on this tablet
  // by this login, at its page, read freely, from the kept record and images.
  async function openKept() {
    if (st.open || st.docs.length || st.keptTried) return;
    st.keptTried = true;
    const rec = await cache.lastRead();
    if (!rec || st.open || st.docs.length || st.synced) return;
    st.offlineStart = true;
    st.follow = false;
    st.docs = [rec.doc];
    renderList();
    await show(rec.doc.id, rec.page);
    offlineNote();
  }
  // a search result: read that page freely (leaving follow mode)
  st.openFree = (docId, page) => {
    if (!docById(docId)) return false;
    st.follow = false;
    show(docId, page);
    tell("picked", { doc: docId, page });
    return true;
  };
  st.layout = layout;
  layout();
  if (!navigator.onLine) openKept();
  st.search = mountSearch(root, st);
  st.ink = mountInk(root, st);
  return st;
}
