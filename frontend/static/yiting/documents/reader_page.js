// The reader's page view: the open document's page image on the stage, fitted to the
// width or the whole page, zoomed 100–300%; the image width to fetch for that size; the
// page loaded through the PageCache (api.js) so pages read stay readable offline, the
// next pages prefetched; and closing the reader when its document is recalled. Split
// out of reader.js: everything that decides what the stage shows and at what size.
import { errorText } from "../errors.js";

const ZOOMS = [1, 1.5, 2, 3];
const PREFETCH = 2;

export function mountPage(r) {
  const { root, st, L, $, cache, docById, tell } = r;

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
    r.notes.showPage(page);
    const img = $("docs-page");
    img.dataset.doc = doc.id;
    img.dataset.page = page;
    img.dataset.loaded = "";
    $("docs-status").textContent = "";
    r.follow.render();
    r.list.render();
    r.thumbs.mark();
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
      if (err.code === "recalled") { cache.drop(doc.id); r.list.refresh(); }
    }
    if (navigator.onLine) for (let n = page + 1; n <= Math.min(doc.pages, page + PREFETCH); n++) cache.get(doc, n, w).catch(() => {});
    if (!fromPresenter && newDoc) st.changed.delete(doc.id);
  }

  // A document opened: its list entry, its notes, the receipt, the thumbnails if shown.
  function openedDoc(doc) {
    r.list.opened(doc);
    r.notes.load(doc);
    r.receipts.report(doc, 0, true);
    if (root.dataset.drawer === "thumbs") r.thumbs.render();
  }

  function close(message) {
    st.open = null;
    $("docs-reader").hidden = true;
    root.dataset.open = "false";
    $("docs-title").textContent = "";
    $("docs-page-label").textContent = "";
    $("docs-status").textContent = message || "";
    r.follow.render();
    tell("state", { open: false });
  }

  function setZoom(zoom, { reload = true } = {}) {
    st.zoom = Math.min(ZOOMS.at(-1), Math.max(ZOOMS[0], zoom));
    layout();
    if (reload && st.open) show(st.open.doc.id, st.open.page, { fromPresenter: st.follow });
  }

  const nextZoom = (dir) => (dir > 0
    ? ZOOMS.find((z) => z > st.zoom + 0.01) ?? ZOOMS.at(-1)
    : [...ZOOMS].reverse().find((z) => z < st.zoom - 0.01) ?? ZOOMS[0]);

  $("docs-zoom-in").addEventListener("click", () => setZoom(nextZoom(1)));
  $("docs-zoom-out").addEventListener("click", () => setZoom(nextZoom(-1)));
  $("docs-fit").addEventListener("click", () => {
    st.fit = st.fit === "width" ? "page" : "width";
    setZoom(1);
  });
  window.addEventListener("resize", () => { layout(); });

  return { show, close, layout, setZoom };
}
