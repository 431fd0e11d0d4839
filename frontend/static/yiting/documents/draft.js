// A draft in the tablet reader (issue 29): what the open paper is article by article, in
// one request per paper (GET /opinions/sittings/<s>/d/<doc>/: its articles with the page
// each starts on, the comparison the clerk marked with the articles' ids, and this
// member's own opinions), kept fresh on a new version or a new comparison. It shows the
// tool row's "对照" (a comparison is marked) and "写意见" (the paper has articles and
// this login writes opinions), and mounts the 对照 view (compare.js) and the opinions
// (opinions.js). Mounted by reader.js as one more part of `r`.
import { getJson } from "./api.js";
import { mountCompare } from "./compare.js";
import { mountOpinions } from "./opinions.js";

export function mountDraft(r) {
  const { client, st, $ } = r;
  const host = $("draft-views");
  if (!host) return null;
  const D = host.dataset;
  const L = {}; // data-l-folded-one="…" → L.foldedOne
  for (const [k, v] of Object.entries(D)) if (/^l[A-Z]/.test(k)) L[k[1].toLowerCase() + k.slice(2)] = v;
  const d = {
    L,
    mayWrite: D.mayWrite === "true",
    data: null, // the reading of the open paper (or null while none / loading)
    docId: null,
    listeners: [],
    /** The URL of the reading (and of writing an opinion) for paper `id`. */
    url: (id) => D.readingUrl.replace(/\/d\/0\/$/, `/d/${id}/`),
    onChange(fn) { this.listeners.push(fn); },
  };
  window.yitingDraft = d; // for tests and the bench

  let asked = 0;
  async function load(docId) {
    const ticket = ++asked;
    d.docId = docId;
    try {
      const data = await getJson(d.url(docId));
      if (ticket !== asked) return;
      d.data = data.in_sitting === false ? null : data; // taken off this sitting meanwhile
    } catch (err) {
      if (ticket !== asked) return;
      d.data = null; // offline, recalled, no role: neither 对照 nor 写意见
    }
    changed();
  }

  function changed() {
    showButtons();
    for (const fn of d.listeners) fn(d.data);
  }

  function showButtons() {
    const data = dataForOpen() ? d.data : null;
    const articles = data && data.draft ? data.draft.articles : [];
    $("docs-compare").hidden = !(data && data.comparison);
    $("docs-opine").hidden = !(d.mayWrite && data && data.may_write && articles.length);
  }
  const dataForOpen = () => d.data && st.open && d.data.document === st.open.doc.id;

  /** The articles on `page`: the one continuing from an earlier page first, then those starting on it. */
  d.articlesOnPage = (page) => {
    const arts = (d.data && d.data.draft && d.data.draft.articles) || [];
    const running = arts.filter((a) => a.page < page).at(-1); // may run onto this page
    const on = arts.filter((a) => a.page === page);
    return running ? [running, ...on] : on;
  };
  /** The article the presenter's page shows: the first starting on it, else the one running on. */
  d.articleAtPage = (page) => {
    const arts = (d.data && d.data.draft && d.data.draft.articles) || [];
    return arts.find((a) => a.page === page) || arts.filter((a) => a.page < page).at(-1) || arts[0] || null;
  };

  // a paper opened (or another page of it shown): load its reading once per paper
  st.shownHooks.push((doc) => { if (d.docId !== doc.id) load(doc.id); else showButtons(); });
  document.addEventListener("reader:state", (ev) => {
    if (!ev.detail.open) { d.docId = null; d.data = null; changed(); }
    else if (st.open && d.docId !== st.open.doc.id) load(st.open.doc.id);
    else showButtons();
  });
  client.on("documents.changed", (data) => {
    if (d.docId != null && data.documents.includes(d.docId)) load(d.docId);
  });
  client.on("documents.compared", (data) => {
    if (d.docId != null && data.document === d.docId) load(d.docId);
  });
  d.reload = () => (d.docId != null ? load(d.docId) : Promise.resolve());

  d.opinions = mountOpinions(r, d);
  d.compare = mountCompare(r, d);
  return d;
}
