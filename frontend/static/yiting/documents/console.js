// The clerk's documents console: upload (several PDFs), rendering progress, distribution,
// recall, new versions, and the presenter bar (open, flip with PageUp/PageDown, stop);
// "同时列入…": one paper placed on other sittings' agenda items too (issue 25).
import { html, nothing, render as draw, repeat, styleMap } from "../render.js";
import { csrf, getJson, postJson } from "./api.js";
import { errorText } from "../errors.js";
import { label } from "../labels.js";
import { progressLine } from "./upload.js";

export function mountDocsConsole(client, ctx) {
  const root = document.getElementById("documents-console");
  if (!root) return null;
  const $ = (id) => document.getElementById(id);
  const L = root.dataset;
  const st = { docs: [], presenter: { document: null }, uploadErrors: [] };
  // where the session's papers are also placed, and the items they may go on (the
  // clerk's: the URL is on the card only for a role the rulebook lets place papers)
  Object.assign(st, { placements: { sittings: [], placements: [] }, placing: null, placeError: null });
  window.yitingDocsConsole = st;
  const report = (err) => alert(errorText(err));

  async function refresh() {
    try {
      st.docs = (await getJson(L.listUrl)).documents;
    } catch (err) {
      console.warn(err);
      return;
    }
    render();
    refreshPlacements();
  }
  // The upload form is folded when the console opens on a sitting that has documents (the
  // list is what the clerk works from during the sitting), open when it has none; decided
  // once, so an upload does not fold the form under the clerk's hand.
  let decided = false;
  function foldUpload() {
    if (decided) return;
    decided = true;
    if (st.docs.length) $("docs-upload-box").open = false;
  }

  function progress(d) {
    if (d.render_failed) return html`<span class="error">${L.lRenderFailed}</span>`;
    if (d.pages && d.pages_ready >= d.pages) return html`<span class="ready">${d.pages} ${L.lPages}</span>`;
    const pct = d.pages ? Math.round((100 * d.pages_ready) / d.pages) : 0;
    return html`<span class="docs-progress" title="${d.pages_ready}/${d.pages}"><span style=${styleMap({ width: `${pct}%` })}></span></span> <span class="ready">${d.pages_ready}/${d.pages}</span>`;
  }

  // One document: its title (two lines at most, whole in the tooltip) over a muted line of
  // version, item and access; state, pages and buttons in a column of their own that never
  // breaks a word ("已分发", "主讲"), however narrow the card.
  const presenting = (d) => st.presenter.document === d.id;
  const row = (d) => html`<tr data-doc=${d.id} class="${d.state} ${presenting(d) ? "presenting" : ""}">
    <td class="docs-doc"><span class="docs-title" title=${d.title}>${d.title}</span>
      <span class="muted docs-meta">v${d.version} · ${d.item_title || L.lGeneral} · ${label("access", d.access)} · ${progress(d)}</span>${placeLine(d)}</td>
    <td class="docs-act"><span class="state pill" data-state=${d.state}>${presenting(d) ? L.lPresenting : label("doc_state", d.state)}</span>
      <span class="docs-buttons"><button data-present=${d.id} ?disabled=${d.state !== "distributed"}>${L.lPresent}</button>
      <label class="link">${L.lNewVersion}<input type="file" data-version=${d.id} accept="application/pdf,.pdf" hidden></label></span></td>
  </tr>`;

  // 同时列入: the row says where a paper is also placed (or, placed here, where it is
  // from); "同时列入…" opens a line under it to place it on another sitting's item or take
  // it off one. A session-wide paper is in every sitting already: no button.
  const here = Number(L.sitting);
  const placedOf = (d) => st.placements.placements.filter((p) => p.document === d.id);
  const where = (sitting, item) => `${sitting}·${item}`;
  async function refreshPlacements() {
    if (!L.placementsUrl) return;
    try {
      st.placements = await getJson(L.placementsUrl);
    } catch (err) {
      console.warn(err);
      return;
    }
    render();
  }
  function placedMeta(d) {
    const mine = placedOf(d);
    const from = mine.find((p) => p.sitting === here);
    if (from) return html`<span class="docs-placed-from">${L.lPlacedFrom.replace("{where}", where(from.from_sitting_title, from.from_item_title))}</span>`;
    if (!mine.length) return nothing;
    return html`<span class="docs-also-on">${L.lAlsoOn}：${mine.map((p) => where(p.sitting_title, p.item_title)).join("、")}</span>`;
  }
  const placeLine = (d) => (L.placementsUrl && d.item
    ? html`<span class="docs-place-line">${placedMeta(d)}<button type="button" class="link docs-place-open" data-place=${d.id} aria-expanded=${st.placing === d.id ? "true" : "false"} ?disabled=${d.state === "recalled"}>${L.lPlace}</button></span>`
    : nothing);
  function placeRow(d) {
    const mine = placedOf(d);
    const from = mine.find((p) => p.sitting === here);
    const home = from ? from.from_sitting : here;
    const taken = new Set(mine.map((p) => p.sitting));
    const others = st.placements.sittings.filter((s) => s.id !== home && s.items.length);
    return html`<tr class="docs-place-row" data-place-for=${d.id}><td colspan="2">
      <form class="docs-place" data-doc=${d.id}><span class="muted">${L.lPlaceHint}</span>
        ${others.length ? html`<select name="item" aria-label=${L.lPlaceItem} required><option value="">${L.lPlaceChoose}</option>
          ${others.map((s) => html`<optgroup label=${s.title}>${s.items.map((i) => html`<option value=${i.id} ?disabled=${taken.has(s.id)}>${where(s.title, i.title)}</option>`)}</optgroup>`)}</select>
          <button class="primary">${L.lPlaceDo}</button>` : html`<span>${L.lPlaceNone}</span>`}
        <button type="button" data-place-close>${L.lClose}</button></form>
      ${st.placeError ? html`<p class="error" role="alert" data-code=${st.placeError.code || nothing}>${errorText(st.placeError)}</p>` : nothing}
      <ul class="docs-placed">${mine.map((p) => html`<li data-item=${p.item}>${where(p.sitting_title, p.item_title)} <button type="button" data-unplace=${p.item} data-doc=${d.id}>${L.lUnplace}</button></li>`)}</ul>
    </td></tr>`;
  }
  async function changePlacement(body) {
    st.placeError = null;
    try {
      st.placements = await postJson(root, L.placementsUrl, body);
    } catch (err) {
      st.placeError = err;
    }
    render();
    if (!st.placeError) refresh(); // taken off this sitting, the paper leaves the list
  }

  function render() {
    const rows = st.docs.flatMap((d) => (st.placing === d.id && d.item
      ? [{ key: d.id, t: row(d) }, { key: `place-${d.id}`, t: placeRow(d) }]
      : [{ key: d.id, t: row(d) }]));
    draw(html`${repeat(rows, (r) => r.key, (r) => r.t)}`, $("docs-table"));
    const items = ctx.state.agenda.items || [];
    // namedItem: form.elements.item is HTMLFormControlsCollection.item(), not the <select>;
    // its first option ("the whole session") is in the template, the items follow it
    const select = $("docs-upload").elements.namedItem("item");
    const chosen = select.value;
    draw(html`${repeat(items, (i) => i.id, (i) => html`<option value=${i.id}>${i.title}</option>`)}`, select);
    select.value = chosen;
    draw(html`${st.uploadErrors.map((r) => html`<li data-code=${r.code || nothing}>${r.file ? `${r.file}：` : ""}${errorText(r)}</li>`)}`, $("docs-upload-errors"));
    renderPresenter();
  }

  // The presenter bar lives in the console's "now" strip: the title, "第 3 / 6 页" and a
  // preview of the page every tablet shows (the clerk may read every page image).
  function renderPresenter() {
    const p = st.presenter;
    $("docs-presenter-bar").hidden = !p.document;
    document.getElementById("console-now")?.dispatchEvent(new Event("now-changed"));
    if (!p.document) return;
    $("docs-presenting").textContent = p.title;
    $("docs-presenting").title = p.title;
    $("docs-p-page").textContent = L.lPageOf.replace("{page}", p.page).replace("{pages}", p.pages);
    $("docs-p-page").dataset.page = p.page;
    $("docs-p-goto").max = p.pages;
    $("docs-p-prev").disabled = p.page <= 1;
    $("docs-p-next").disabled = p.page >= p.pages;
    const img = $("now-page");
    const src = `/docs/d/${p.document}/v/${p.version}/p/${p.page}/800.jpg`;
    if (img.getAttribute("src") !== src) img.src = src;
    img.dataset.page = p.page;
    img.hidden = false;
  }

  // The browser's own file button says "Choose Files" in English whatever the page's
  // language: it is hidden behind a Chinese label, and the chosen names are shown here.
  const picked = $("docs-picked");
  const showPicked = () => {
    const names = [...$("docs-upload").elements.files.files].map((f) => f.name);
    picked.textContent = names.length ? names.join("、") : picked.dataset.none;
  };
  $("docs-upload").elements.files.addEventListener("change", showPicked);
  const uploading = progressLine($("docs-upload-progress"), L); // upload.js: XHR with progress
  $("docs-upload").addEventListener("reset", () => setTimeout(showPicked));

  $("docs-upload").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const form = ev.target;
    const body = new FormData();
    const files = [...form.elements.files.files];
    for (const f of files) body.append("files", f);
    if (files.length === 1 && form.elements.title.value) body.append("titles", form.elements.title.value);
    const item = form.elements.namedItem("item").value;
    if (item) body.append("item", item);
    body.append("access", form.elements.access.value);
    st.uploadErrors = [];
    render();
    const send = form.querySelector("button.primary");
    send.disabled = true; // one upload at a time: the progress line is for it
    try {
      await uploading.send(L.uploadUrl, body, csrf(root));
      form.reset();
      refresh();
    } catch (err) {
      if (err.code !== "cancelled") st.uploadErrors = (err.details && err.details.files) || [err];
      render();
    } finally {
      send.disabled = false;
    }
  });
  $("docs-table").addEventListener("click", (ev) => {
    const b = ev.target.closest("button[data-present]");
    if (b) client.send("presenter.open", { document: Number(b.dataset.present), page: 1 }).catch(report);
  });
  $("docs-table").addEventListener("click", (ev) => {
    const open = ev.target.closest("button[data-place]");
    if (open) {
      const id = Number(open.dataset.place);
      Object.assign(st, { placing: st.placing === id ? null : id, placeError: null });
      render();
      if (st.placing) refreshPlacements();
    } else if (ev.target.closest("button[data-place-close]")) {
      Object.assign(st, { placing: null, placeError: null });
      render();
    } else if (ev.target.closest("button[data-unplace]")) {
      const b = ev.target.closest("button[data-unplace]");
      changePlacement({ document: Number(b.dataset.doc), item: Number(b.dataset.unplace), remove: true });
    }
  });
  $("docs-table").addEventListener("submit", (ev) => {
    const form = ev.target.closest("form.docs-place");
    if (!form) return;
    ev.preventDefault();
    const item = Number(form.elements.namedItem("item").value);
    if (item) changePlacement({ document: Number(form.dataset.doc), item });
  });
  $("docs-table").addEventListener("change", async (ev) => {
    const input = ev.target.closest("input[data-version]");
    if (!input || !input.files.length) return;
    if (uploading.busy()) {
      input.value = "";
      alert(L.lUploadBusy); // one progress line, one upload at a time
      return;
    }
    const body = new FormData();
    body.append("file", input.files[0]);
    $("docs-upload-box").open = true; // the progress line (with 取消上传) is in that card
    const send = $("docs-upload").querySelector("button.primary");
    send.disabled = true;
    try {
      await uploading.send(`/docs/d/${input.dataset.version}/versions/`, body, csrf(root));
      refresh();
    } catch (err) {
      if (err.code !== "cancelled") report(err);
    } finally {
      send.disabled = false;
      input.value = "";
    }
  });
  $("docs-distribute").addEventListener("click", () => client.send("documents.distribute", {}, { idempotent: true }).then(refresh).catch(report));
  $("docs-recall").addEventListener("click", () => {
    if (confirm(L.lConfirmRecall)) client.send("documents.recall", {}, { idempotent: true }).then(refresh).catch(report);
  });
  const flip = (page) => client.send("presenter.flip", { page }).catch(report);
  $("docs-p-prev").addEventListener("click", () => flip(st.presenter.page - 1));
  $("docs-p-next").addEventListener("click", () => flip(st.presenter.page + 1));
  $("docs-p-goto").addEventListener("change", (ev) => { const n = Number(ev.target.value); if (n) flip(n); });
  $("docs-p-close").addEventListener("click", () => client.send("presenter.close", {}).catch(report));
  document.addEventListener("keydown", (ev) => {
    if (!st.presenter.document || ev.target.closest("input, textarea, select")) return;
    if (ev.key === "PageDown") { ev.preventDefault(); flip(st.presenter.page + 1); }
    if (ev.key === "PageUp") { ev.preventDefault(); flip(st.presenter.page - 1); }
  });

  client.on("snapshot", (snap) => {
    if (snap.documents) { st.docs = snap.documents.documents; foldUpload(); }
    if (snap.presenter) st.presenter = snap.presenter;
    render();
  });
  client.on("synced", refresh);
  client.on("render", render);
  client.on("presenter.page", (data) => { st.presenter = data; render(); });
  client.on("documents.changed", refresh);
  client.on("documents.progress", (p) => {
    const d = st.docs.find((x) => x.id === p.document);
    if (!d) return refresh();
    d.pages_ready = Math.max(d.pages_ready, p.pages_ready);
    if (p.failed) d.render_failed = true;
    render();
  });
  return st;
}
