// A member's opinions on articles (审议意见, issue 29) on the tablet: the 写意见 sheet for
// one article (from the reader: the articles on the page; from the 对照 view: the
// article tapped), saved as a draft while the member types or dictates (the tablet
// keyboard's microphone fills a plain textarea), submitted with 提交; and the 意见
// drawer, every opinion the member wrote in this sitting by paper, submitted ones shown
// as such, those on a recalled paper with the note that they stay.
//
// Offline tolerant like notes and ink: each opinion has a client id made here; a save
// that finds no network waits in an outbox kept in localStorage (per login, cleared on
// logout) and is sent again, with the same client id, when the network is back or the
// tablet reloads; the server answers a resend without saving twice.
import { html, render, nothing, classMap } from "../render.js";
import { postJson, getJson } from "./api.js";
import { errorText } from "../errors.js";
import { fmtTime } from "../time.js";
import { fill } from "./fill.js";

const SAVE_AFTER_MS = 700;
const RETRY_MS = [2000, 5000, 10000, 30000];

const newClientId = () => `op-${(crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2) + Date.now()).replace(/[^A-Za-z0-9]/g, "").slice(0, 24)}`;
const isRefusal = (err) => err && typeof err === "object" && err.status != null;

/** Saves waiting for the network, by client id, kept across reloads (one key per login). */
class Outbox {
  constructor(root, user, onSaved, onRefused, onWaiting) {
    this.root = root;
    this.key = `yiting-opinions-${user}`;
    this.pending = this.read();
    this.busy = false;
    this.tries = 0;
    this.timer = null;
    Object.assign(this, { onSaved, onRefused, onWaiting });
    window.addEventListener("online", () => this.kick());
  }
  read() {
    try { return JSON.parse(localStorage.getItem(this.key) || "{}") || {}; } catch { return {}; }
  }
  write() {
    try {
      if (Object.keys(this.pending).length) localStorage.setItem(this.key, JSON.stringify(this.pending));
      else localStorage.removeItem(this.key);
    } catch { /* private mode: kept in memory only */ }
  }
  put(cid, url, body) {
    this.pending[cid] = { url, body };
    this.write();
    return this.kick();
  }
  has(cid) { return cid in this.pending; }
  drop(cid) {
    delete this.pending[cid];
    this.write();
  }
  /** Send what waits, one at a time, in order; a network failure waits and retries. */
  async kick() {
    if (this.busy) return this.running;
    this.busy = true;
    clearTimeout(this.timer);
    this.running = (async () => {
      for (;;) {
        const cid = Object.keys(this.pending)[0];
        if (cid === undefined) break;
        const job = this.pending[cid];
        try {
          const ans = await postJson(this.root, job.url, job.body);
          this.tries = 0;
          if (this.pending[cid] === job) delete this.pending[cid];
          this.write();
          this.onSaved(cid, ans.opinion);
        } catch (err) {
          if (isRefusal(err)) {
            if (this.pending[cid] === job) delete this.pending[cid];
            this.write();
            this.onRefused(cid, err);
            continue;
          }
          this.onWaiting(cid);
          const wait = RETRY_MS[Math.min(this.tries++, RETRY_MS.length - 1)];
          this.timer = setTimeout(() => this.kick(), wait);
          break;
        }
      }
      this.busy = false;
    })();
    return this.running;
  }
  clear() {
    this.pending = {};
    try { localStorage.removeItem(this.key); } catch { /* nothing kept */ }
  }
}

export function mountOpinions(r, d) {
  const { root, st, $ } = r;
  const L = d.L;
  const host = $("draft-views");
  const sheet = $("op-sheet");
  const text = $("op-text");
  const op = {
    article: null, // {id, label, text, old} the sheet is about
    docId: null,
    clientId: null, // the draft being written (its client id), or null before the first save
    opinion: null, // the server's copy of it, once saved
    pickPage: null,
    listeners: [],
    onChange(fn) { this.listeners.push(fn); },
  };
  window.yitingOpinions = op; // for tests

  const changed = () => { for (const fn of op.listeners) fn(); };
  const mine = () => (d.data && d.data.opinions) || [];
  op.countFor = (articleId) => (articleId ? mine().filter((o) => o.article === articleId).length : 0);
  const idUrl = (pattern, id) => pattern.replace(/\/0\/(\w+\/)$/, `/${id}/$1`);
  const at = (iso) => (iso ? fmtTime(iso, { seconds: false }) : "");

  /** Keep the reading's list of this member's opinions true after a save or submit. */
  function remember(opinion) {
    if (!d.data || d.data.document !== opinion.document) return;
    const list = d.data.opinions;
    const k = list.findIndex((o) => o.client_id === opinion.client_id);
    if (k >= 0) list[k] = opinion; else list.push(opinion);
    changed();
  }

  const outbox = new Outbox(
    root,
    root.dataset.user || "anon",
    (cid, opinion) => {
      remember(opinion);
      if (cid === op.clientId) {
        op.opinion = opinion;
        state(opinion.state === "submitted" ? fill(L.submittedAt, { at: at(opinion.submitted_at) })
          : fill(L.savedAt, { at: at(opinion.updated_at) }));
        paintSheet();
      }
    },
    (cid, err) => { if (cid === op.clientId) state(errorText(err), true); },
    (cid) => { if (cid === op.clientId) state(L.unsaved, true); },
  );
  outbox.kick(); // what a reload found waiting

  function state(message, bad = false) {
    $("op-state").textContent = message || "";
    $("op-state").classList.toggle("bad", !!bad);
  }

  // -- the sheet ------------------------------------------------------------------------------
  function show() {
    sheet.hidden = false;
    document.body.dataset.opinion = "open";
  }

  function close() {
    flush();
    sheet.hidden = true;
    delete document.body.dataset.opinion;
    op.article = null;
  }

  /** From the reader: the articles on the page, to pick one. */
  function openPicker(page) {
    const arts = d.articlesOnPage(page);
    op.pickPage = page;
    $("op-head").textContent = fill(L.pick, { page });
    $("op-write").hidden = true;
    $("op-pick").hidden = false;
    render(arts.length
      ? html`<ul class="op-pick-list">${arts.map((a) => html`<li><button type="button" data-article=${a.id}>
          <strong>${a.label}</strong> <span class="op-excerpt">${a.text}</span>
          ${op.countFor(a.id) ? html`<span class="cmp-mine">${fill(L.opinionsN, { n: op.countFor(a.id) })}</span>` : nothing}
        </button></li>`)}</ul>`
      : html`<p class="muted">${L.noArticles}</p>`, $("op-pick"));
    show();
  }

  /** One article: continue the member's draft on it, or start one. */
  function openFor(article) {
    op.article = article;
    op.docId = d.data.document;
    const draft = mine().find((o) => o.article === article.id && o.state === "draft");
    op.clientId = draft ? draft.client_id : null;
    op.opinion = draft || null;
    text.value = draft ? draft.text : "";
    state(draft ? fill(L.savedAt, { at: at(draft.updated_at) }) : "");
    $("op-pick").hidden = true;
    $("op-write").hidden = false;
    paintSheet();
    show();
    text.focus({ preventScroll: true });
  }

  op.openForPair = (p) => {
    const id = p.new_id || p.old_id;
    if (!id) return;
    const side = p.new_id ? "+" : "-";
    const body = p.ops.filter(([o]) => o === "=" || o === side).map(([, t]) => t).join("");
    openFor({ id, label: p.new || p.old, text: body, old: !p.new_id });
  };

  function paintSheet() {
    const a = op.article;
    if (!a) return;
    $("op-head").textContent = fill(L.onArticle, { label: a.old ? `${a.label}（${L.oldVersion}）` : a.label });
    $("op-article").textContent = a.text || "";
    const earlier = mine().filter((o) => o.article === a.id && o.client_id !== op.clientId);
    render(html`${earlier.map((o) => html`<li class=${classMap({ submitted: o.state === "submitted" })}>
        <span class=${`op-chip ${o.state}`}>${o.state === "submitted" ? L.submitted : L.draft}</span>
        <span class="op-when">${at(o.submitted_at || o.updated_at)}</span>
        <span class="op-body">${o.text}</span></li>`)}`, $("op-earlier"));
    const submitted = !!(op.opinion && op.opinion.state === "submitted");
    text.readOnly = submitted;
    $("op-submit").hidden = submitted;
    $("op-delete").hidden = submitted || !op.clientId;
    $("op-new").hidden = !submitted;
    $("op-submit").disabled = !text.value.trim();
    resetDelete();
  }

  // -- saving ---------------------------------------------------------------------------------
  let timer = null;
  function scheduleSave() {
    clearTimeout(timer);
    timer = setTimeout(save, SAVE_AFTER_MS);
    $("op-submit").disabled = !text.value.trim();
  }

  /** Save the draft now (nothing to save: resolved at once); resolves when the server has it. */
  function save() {
    clearTimeout(timer);
    const a = op.article;
    if (!a || text.readOnly) return Promise.resolve();
    const value = text.value;
    if (!value.trim()) return Promise.resolve(); // an empty draft is not kept
    if (op.opinion && op.opinion.text === value && !outbox.has(op.clientId)) return Promise.resolve();
    if (!op.clientId) op.clientId = newClientId();
    state(L.saving);
    return outbox.put(op.clientId, d.url(op.docId), { article: a.id, text: value, client_id: op.clientId });
  }
  const flush = () => save();

  text.addEventListener("input", scheduleSave);
  text.addEventListener("blur", () => { save(); });

  $("op-submit").addEventListener("click", async () => {
    const button = $("op-submit");
    button.disabled = true;
    try {
      await save();
      if (!op.opinion || outbox.has(op.clientId)) return; // still offline: it waits as a draft
      const ans = await postJson(root, idUrl(host.dataset.submitUrl, op.opinion.id), {});
      op.opinion = ans.opinion;
      remember(ans.opinion);
      state(fill(L.submittedAt, { at: at(ans.opinion.submitted_at) }));
      paintSheet();
      refreshMine();
    } catch (err) {
      state(errorText(err), true);
    } finally {
      button.disabled = !text.value.trim();
    }
  });

  let armed = false;
  function resetDelete() {
    armed = false;
    $("op-delete").classList.remove("armed");
    $("op-delete").textContent = $("op-delete").dataset.label || $("op-delete").textContent;
  }
  $("op-delete").dataset.label = $("op-delete").textContent;
  $("op-delete").addEventListener("click", async () => {
    if (!armed) { // two taps: a slip of the finger deletes nothing
      armed = true;
      $("op-delete").classList.add("armed");
      $("op-delete").textContent = L.confirmDelete;
      return;
    }
    clearTimeout(timer);
    if (op.clientId) outbox.drop(op.clientId); // never saved (offline): nothing to send
    await outbox.running;
    try {
      if (op.opinion) await postJson(root, idUrl(host.dataset.deleteUrl, op.opinion.id), {});
      if (d.data) d.data.opinions = d.data.opinions.filter((o) => o.client_id !== op.clientId);
      op.clientId = null;
      op.opinion = null;
      text.value = "";
      paintSheet();
      state(L.deletedDraft);
      changed();
      refreshMine();
    } catch (err) {
      state(errorText(err), true);
      resetDelete();
    }
  });

  $("op-new").addEventListener("click", () => {
    op.clientId = null;
    op.opinion = null;
    text.value = "";
    state("");
    paintSheet();
    text.focus({ preventScroll: true });
  });
  $("op-close").addEventListener("click", close);
  $("op-pick").addEventListener("click", (ev) => {
    const b = ev.target.closest("button[data-article]");
    if (!b) return;
    const a = d.data.draft.articles.find((x) => x.id === Number(b.dataset.article));
    if (a) openFor({ id: a.id, label: a.label, text: a.text, old: false });
  });
  sheet.addEventListener("click", (ev) => { if (ev.target === sheet) close(); });
  document.addEventListener("keydown", (ev) => {
    if (ev.key !== "Escape" || sheet.hidden) return;
    ev.stopImmediatePropagation(); // Escape closes the sheet, not the 对照 view under it too
    close();
  });
  $("docs-opine").addEventListener("click", () => { if (st.open) openPicker(st.open.page); });

  // -- the 意见 drawer: every opinion of this sitting, by paper ----------------------------------
  async function refreshMine() {
    if (!d.mayWrite) return;
    let data;
    try { data = await getJson(host.dataset.mineUrl); } catch { return; }
    render(data.documents.length
      ? html`${data.documents.map((doc) => html`<section class="op-doc" data-doc=${doc.document}>
          <h3>${doc.title}</h3>
          ${doc.recalled ? html`<p class="op-recalled">${doc.note}</p>` : nothing}
          <ol>${doc.opinions.map((o) => html`<li class=${classMap({ submitted: o.state === "submitted" })}>
            ${openable(o) ? html`<button type="button" class="op-open" data-article=${o.article}>${o.label}</button>`
              : html`<strong>${o.label}</strong>`}
            <span class=${`op-chip ${o.state}`}>${o.state === "submitted" ? L.submitted : L.draft}</span>
            <span class="op-when">${at(o.submitted_at || o.updated_at)}</span>
            <span class="op-body">${o.text}</span></li>`)}</ol></section>`)}`
      : html`<p class="muted">${L.noneMine}</p>`, $("op-mine"));
  }
  document.addEventListener("tablet:drawer", (ev) => { if (ev.detail === "opinions") refreshMine(); });

  /** An opinion on the paper open now (and still readable) opens its article's sheet. */
  const openable = (o) => !!(d.data && d.data.document === o.document && d.data.may_write && d.data.draft);
  function openArticle(id) {
    const c = d.data.comparison;
    const pair = c && c.pairs && c.pairs.find((p) => p.new_id === id || (!p.new_id && p.old_id === id));
    if (pair) return op.openForPair(pair);
    const a = d.data.draft.articles.find((x) => x.id === id);
    if (a) openFor({ id: a.id, label: a.label, text: a.text, old: false });
  }
  $("op-mine").addEventListener("click", (ev) => {
    const b = ev.target.closest("button[data-article]");
    if (!b || !d.data) return;
    window.yitingTablet?.open("");
    openArticle(Number(b.dataset.article));
  });

  // logging out leaves no unsent opinion on the tablet
  const logout = document.querySelector("header form[action$='/logout/']");
  if (logout) logout.addEventListener("submit", () => outbox.clear());

  return op;
}
