// Search in the tablet reader (文件检索): the sitting's documents by phrase, results with
// the hits marked, and the hit boxes of the opened page drawn over the page image.
// Server text (titles, snippets) only ever goes into the DOM through lit-html, which
// escapes every value.
import { html, render, nothing, styleMap, classMap } from "../render.js";
import { getJson } from "./api.js";
import { errorText } from "../errors.js";

export function mountSearch(root, st) {
  const $ = (id) => document.getElementById(id);
  const L = root.dataset;
  const state = { query: "", results: [], target: null, seq: 0, current: null };

  async function run(query) {
    const seq = ++state.seq;
    state.query = query;
    clearBoxes();
    $("docs-search-status").textContent = L.lSearching;
    $("docs-search-clear").hidden = false;
    try {
      const data = await getJson(`${L.searchUrl}?q=${encodeURIComponent(query)}`);
      if (seq !== state.seq) return;
      state.results = data.results;
      state.current = null;
      $("docs-search-status").textContent = data.results.length
        ? `${data.results.length} ${L.lHits}`
        : L.lNoHits;
    } catch (err) {
      if (seq !== state.seq) return;
      state.results = [];
      // no network (offline reading): say so in words, not the browser's "Failed to fetch"
      $("docs-search-status").textContent = err instanceof TypeError ? L.lSearchOffline : errorText(err);
    }
    renderResults();
  }

  function renderResults() {
    const list = $("docs-results");
    render(
      html`${state.results.map((r, i) => html`<li><button type="button" data-index=${i} data-doc=${r.document} data-page=${r.page}
        class=${classMap({ "docs-result": true, current: state.current === i })}>
        <span class="docs-result-head"><strong>${r.title}</strong><span class="muted"> · ${L.lPage} ${r.page}</span></span>
        <span class="docs-snippet">${r.snippet.map((part) => (part.hit ? html`<mark>${part.text}</mark>` : part.text))}</span>
      </button></li>`)}`,
      list,
    );
    list.hidden = state.results.length === 0;
  }

  async function open(result) {
    const seq = state.seq;
    state.target = { doc: result.document, page: result.page, boxes: null };
    const url = `${result.boxes_url}?q=${encodeURIComponent(state.query)}`;
    getJson(url)
      .then((data) => {
        if (seq !== state.seq || !state.target || state.target.doc !== result.document) return;
        state.target.boxes = data.boxes;
        drawIfShown();
      })
      .catch((err) => {
        if (seq === state.seq) $("docs-search-status").textContent = errorText(err);
      });
    if (!st.openFree(result.document, result.page)) state.target = null;
    state.current = state.results.indexOf(result);
    renderResults();
  }

  function clearBoxes() {
    render(nothing, $("docs-hits"));
    delete $("docs-hits").dataset.count;
  }

  // boxes are fractions of the page: percentages of the sheet, so they follow zoom
  function drawIfShown() {
    const t = state.target;
    const img = $("docs-page");
    if (!t || !t.boxes || img.dataset.loaded !== `${t.doc}:${t.page}`) return;
    const layer = $("docs-hits");
    const pct = (n) => `${n * 100}%`;
    render(
      html`${t.boxes.map(([x, y, w, h]) => html`<span class="docs-hit-box"
        style=${styleMap({ left: pct(x), top: pct(y), width: pct(w), height: pct(h) })}></span>`)}`,
      layer,
    );
    layer.dataset.count = t.boxes.length;
  }

  st.shownHooks.push((doc, page) => {
    const t = state.target;
    if (t && t.doc === doc.id && t.page === page) drawIfShown();
    else {
      state.target = null; // a page turn ends the highlight
      clearBoxes();
    }
  });

  $("docs-search").addEventListener("submit", (ev) => {
    ev.preventDefault();
    run($("docs-q").value);
  });
  $("docs-search-clear").addEventListener("click", () => {
    state.seq++;
    state.results = [];
    state.target = null;
    state.current = null;
    $("docs-q").value = "";
    $("docs-search-status").textContent = "";
    $("docs-search-clear").hidden = true;
    clearBoxes();
    renderResults();
  });
  $("docs-results").addEventListener("click", (ev) => {
    const b = ev.target.closest("button[data-index]");
    if (b) open(state.results[Number(b.dataset.index)]);
  });
  return state;
}
