// The reader's list of the sitting's documents (grouped by agenda item, with the badges
// 新 / changed / confidential / presenter here), and keeping that list true: from the
// snapshot (which also carries the presenter's place), a reload after the socket syncs,
// and documents.changed (recalled or a new version: the kept pages of it are dropped).
// Split out of reader.js so the list and its sources of truth read in one place.
import { html, render, nothing, classMap, repeat } from "../render.js";
import { getJson } from "./api.js";
import { label } from "../labels.js";

export function mountList(r) {
  const { client, st, L, $, cache, docById, tell } = r;

  async function refresh() {
    try {
      const data = await getJson(L.listUrl);
      st.docs = data.documents;
    } catch (err) {
      console.warn("documents list", err);
      return;
    }
    if (st.open && !docById(st.open.doc.id)) r.page.close(L.lRecalled);
    else if (st.open) st.open.doc = docById(st.open.doc.id);
    renderList();
    prefetchDistributed();
    if (st.follow) r.follow.followPresenter();
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

  /** Opened: no longer 新 (the server records the receipt). */
  function opened(doc) {
    const listed = docById(doc.id);
    if (listed && listed.new) { listed.new = false; renderList(); }
  }

  function prefetchDistributed() {
    for (const d of st.docs) {
      if (d.state === "distributed" && !cache.has(d.id)) cache.get(d, 1, 800).catch(() => {});
    }
  }

  $("docs-list").addEventListener("click", (ev) => {
    const b = ev.target.closest("button[data-doc]");
    if (!b) return;
    const id = Number(b.dataset.doc);
    st.follow = st.presenter.document === id;
    r.page.show(id, st.follow ? st.presenter.page : 1);
    tell("picked", { doc: id });
  });

  client.on("snapshot", (snap) => {
    if (snap.documents) st.docs = snap.documents.documents;
    if (snap.presenter) {
      st.presenter = snap.presenter;
      st.mayPresent = !!snap.presenter.may_present;
    }
    renderList();
    if (st.follow) r.follow.followPresenter();
    else r.follow.render();
    tell("state", { open: !!st.open });
  });
  client.on("synced", () => { st.synced = true; refresh(); });
  client.on("documents.changed", (data) => {
    for (const id of data.documents) {
      if (data.reason === "recalled") cache.drop(id);
      if (data.reason === "new_version") { cache.drop(id); st.changed.add(id); }
    }
    refresh();
  });

  return { refresh, render: renderList, opened };
}
