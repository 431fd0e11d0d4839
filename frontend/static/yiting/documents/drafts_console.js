// 修改对照 on the clerk's console (issue 29): each paper of the session with the reading
// of its current version ("12 条"), a "与…对照" control choosing an earlier version of
// the session, and the comparison's state: being read, ready (counts, the table as PDF or
// DOCX, unchanged articles folded or in full), cannot be compared (why), or a warning
// when almost nothing aligns. Refreshed on documents.compared / documents.changed.
import { html, nothing, render as draw } from "../render.js";
import { csrf, getJson } from "./api.js";
import { errorText } from "../errors.js";

export function mountDraftsConsole(client) {
  const root = document.getElementById("drafts-console");
  if (!root) return null;
  const L = root.dataset;
  const st = { docs: [], choosing: null, error: null, full: false };
  window.yitingDraftsConsole = st;
  const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_, k) => String(values[k] ?? ""));

  async function refresh() {
    try {
      st.docs = (await getJson(L.url)).documents;
    } catch (err) {
      console.warn(err);
      return;
    }
    render();
  }

  async function send(method, url, body) {
    const resp = await fetch(url, {
      method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(document.getElementById("documents-console") || root) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const data = await resp.json().catch(() => ({}));
    if (!resp.ok) throw { status: resp.status, ...data };
    return data;
  }

  const current = (d) => d.versions.find((v) => v.current) || d.versions[d.versions.length - 1];
  const reading = (v) => fill(L[`lReading${v.reading.replace(/(^|_)(\w)/g, (_, s, c) => c.toUpperCase())}`] || v.reading, { n: v.articles });
  const named = (docId, number) => {
    const d = st.docs.find((x) => x.id === docId);
    return `《${d ? d.title : docId}》${fill(L.lVersion, { n: number })}`;
  };
  // every other version of the session's papers, the same paper's earlier ones first
  function choices(d, v) {
    const out = [];
    for (const other of [d, ...st.docs.filter((x) => x.id !== d.id)]) {
      for (const ov of [...other.versions].reverse()) {
        if (other.id === d.id && ov.number === v.number) continue;
        out.push({ value: `${other.id}:${ov.number}`, label: named(other.id, ov.number) });
      }
    }
    return out;
  }

  function comparisonLine(d, v) {
    const c = v.comparison;
    if (!c) return nothing;
    const what = named(c.old.document, c.old.version);
    let state;
    if (c.status === "pending") state = html`<span class="muted" data-compare-state="pending">${L.lStatusPending}</span>`;
    else if (c.status === "not_comparable") state = html`<span class="drafts-refusal" data-compare-state="not_comparable" role="alert">${L.lStatusNotComparable}：${c.message}</span>`;
    else {
      const q = st.full ? "?unchanged=show" : "";
      state = html`<span data-compare-state="ready">${fill(L.lCounts, c.counts)}</span>
        ${c.warning ? html`<span class="drafts-warning" role="alert" data-compare-warning>${c.message}</span>` : nothing}
        <span>${L.lTable}：<a href=${c.pdf + q} data-table="pdf">PDF</a> · <a href=${c.docx + q} data-table="docx">DOCX</a></span>`;
    }
    return html`<div class="drafts-line" data-comparison=${d.id}>
      <span>${fill(L.lComparedWith, { what })}</span>${state}
      <button type="button" data-uncompare=${d.id} data-version=${v.number}>${L.lUncompare}</button></div>`;
  }

  function chooser(d, v) {
    if (st.choosing !== d.id) return nothing;
    const options = choices(d, v);
    return html`<form class="drafts-line" data-choose=${d.id} data-version=${v.number}>
      <select name="old" aria-label=${L.lChoose} required><option value="">${L.lChoose}</option>
        ${options.map((o) => html`<option value=${o.value}>${o.label}</option>`)}</select>
      <button class="primary">${L.lCompareDo}</button>
      <button type="button" data-choose-close>${L.lClose}</button>
      ${st.error ? html`<p class="drafts-refusal" role="alert" data-code=${st.error.code || nothing}>${errorText(st.error)}</p>` : nothing}
    </form>`;
  }

  function row(d) {
    const v = current(d);
    return html`<li data-draft=${d.id}>
      <div class="drafts-head"><span class="drafts-title" title=${d.title}>${d.title}</span>
        <span class="muted">${fill(L.lVersion, { n: v.number })} · ${d.here ? d.item_title || "" : L.lOtherSitting} · <span data-reading=${v.reading}>${reading(v)}</span></span>
        <button type="button" class="link" data-compare=${d.id} aria-expanded=${st.choosing === d.id ? "true" : "false"} ?disabled=${d.state === "recalled"}>${L.lCompare}</button></div>
      ${comparisonLine(d, v)}${chooser(d, v)}
    </li>`;
  }

  function render() {
    const docs = st.docs;
    draw(docs.length
      ? html`${docs.map(row)}<li><label class="muted"><input type="checkbox" data-full ?checked=${st.full}> ${L.lShowUnchanged}</label></li>`
      : html`<li class="muted">${L.lNone}</li>`, document.getElementById("drafts-list"));
  }

  const list = document.getElementById("drafts-list");
  list.addEventListener("click", async (ev) => {
    const open = ev.target.closest("button[data-compare]");
    if (open) {
      const id = Number(open.dataset.compare);
      Object.assign(st, { choosing: st.choosing === id ? null : id, error: null });
      return render();
    }
    if (ev.target.closest("button[data-choose-close]")) {
      Object.assign(st, { choosing: null, error: null });
      return render();
    }
    const off = ev.target.closest("button[data-uncompare]");
    if (off) {
      try {
        await send("DELETE", `/docs/d/${off.dataset.uncompare}/v/${off.dataset.version}/comparison/`);
      } catch (err) {
        alert(errorText(err));
      }
      refresh();
    }
  });
  list.addEventListener("change", (ev) => {
    if (ev.target.matches("input[data-full]")) { st.full = ev.target.checked; render(); }
  });
  list.addEventListener("submit", async (ev) => {
    const form = ev.target.closest("form[data-choose]");
    if (!form) return;
    ev.preventDefault();
    const [doc, number] = form.elements.namedItem("old").value.split(":").map(Number);
    if (!doc) return;
    try {
      await send("POST", `/docs/d/${form.dataset.choose}/v/${form.dataset.version}/comparison/`, { old_document: doc, old_version: number });
      Object.assign(st, { choosing: null, error: null });
    } catch (err) {
      st.error = err;
    }
    refresh();
  });
  root.addEventListener("toggle", () => { if (root.open) refresh(); });

  client.on("synced", refresh);
  client.on("documents.compared", refresh);
  client.on("documents.changed", refresh);
  refresh();
  return st;
}
