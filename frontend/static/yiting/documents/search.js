// Search in the tablet reader (文件检索): the sitting's documents by phrase, results with
// the hits marked, and the hit boxes of the opened page drawn over the page image.
// Server text (titles, snippets) only ever goes into the DOM as textContent.
import { getJson } from "./api.js";
import { errorText } from "../errors.js";

export function mountSearch(root, st) {
  const $ = (id) => document.getElementById(id);
  const L = root.dataset;
  const state = { query: "", results: [], target: null, seq: 0 };

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text != null) node.textContent = text;
    return node;
  }

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
      $("docs-search-status").textContent = data.results.length
        ? `${data.results.length} ${L.lHits}`
        : L.lNoHits;
    } catch (err) {
      if (seq !== state.seq) return;
      state.results = [];
      $("docs-search-status").textContent = errorText(err);
    }
    renderResults();
  }

  function renderResults() {
    const list = $("docs-results");
    list.replaceChildren();
    state.results.forEach((r, i) => {
      const button = el("button", "docs-result");
      button.type = "button";
      button.dataset.index = i;
      button.dataset.doc = r.document;
      button.dataset.page = r.page;
      const head = el("span", "docs-result-head");
      head.append(el("strong", null, r.title), el("span", "muted", ` · ${L.lPage} ${r.page}`));
      const snippet = el("span", "docs-snippet");
      for (const part of r.snippet) snippet.append(part.hit ? el("mark", null, part.text) : document.createTextNode(part.text));
      button.append(head, snippet);
      const item = el("li");
      item.append(button);
      list.append(item);
    });
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
    for (const b of $("docs-results").querySelectorAll("button")) b.classList.toggle("current", b === document.activeElement);
  }

  function clearBoxes() {
    $("docs-hits").replaceChildren();
    delete $("docs-hits").dataset.count;
  }

  // boxes are fractions of the page: percentages of the sheet, so they follow zoom
  function drawIfShown() {
    const t = state.target;
    const img = $("docs-page");
    if (!t || !t.boxes || img.dataset.loaded !== `${t.doc}:${t.page}`) return;
    const layer = $("docs-hits");
    layer.replaceChildren(
      ...t.boxes.map(([x, y, w, h]) => {
        const box = el("span", "docs-hit-box");
        Object.assign(box.style, { left: `${x * 100}%`, top: `${y * 100}%`, width: `${w * 100}%`, height: `${h * 100}%` });
        return box;
      }),
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
