// 会务通知 and 呼叫服务 on the clerk's console (issue 25, item 12).
//
// - Calls arrive live (service.changed): time (TIME_ZONE), seat, name, what, state; the
//   clerk takes one (受理, service.take) and marks it done (service.done). Waiting calls
//   are counted in the panel's head, and while the panel is scrolled out of sight a
//   button at the bottom left says how many wait and brings the panel into view.
// - A notice goes to every seat or to one member of the roster (notice.send); the sent
//   ones are listed with how many have read them (notice.read).
//
// The module mounts itself once the page's client exists (pages/console.js sets
// window.yiting), so the console page needs only the panel's template included.
import { html, nothing, render, repeat } from "../render.js";
import { label } from "../labels.js";
import { errorText } from "../errors.js";
import { fmtTime } from "../time.js";
import { callStatus } from "../tablet/notices.js";

const word = (key, vars = {}) =>
  label("desk", key).replace(/\{(\w+)\}/g, (_, k) => (vars[k] == null ? "" : String(vars[k])));
const hm = (iso) => (iso ? fmtTime(iso, { seconds: false }) : "");
const ORDER = { waiting: 0, taken: 1, done: 2, withdrawn: 3 };

export function mountServiceDesk(client, root = document.getElementById("service-desk")) {
  if (!root) return null;
  const $ = (id) => document.getElementById(id);
  const state = { calls: new Map(), notices: new Map(), roster: [], busy: new Set(), visible: true };
  window.yitingDesk = state; // for tests

  const form = $("notice-form");
  const text = $("notice-text");
  const to = $("notice-to");
  const error = $("notice-error");
  const alertBtn = $("desk-alert");
  $("notice-send").textContent = word("send");
  text.placeholder = word("placeholder");

  function act(type, id) {
    state.busy.add(id);
    draw();
    client.send(type, { call: id }, { idempotent: true })
      .catch((err) => { error.hidden = false; error.textContent = errorText(err); })
      .finally(() => { state.busy.delete(id); draw(); });
  }

  function callRow(c) {
    const busy = state.busy.has(c.id);
    return html`<li data-call=${c.id} class=${c.state}>
      <span class="dc-time">${hm(c.called_at)}</span>
      <span class="dc-seat">${word("seat", { seat: c.seat || "—" })}</span>
      <span class="dc-what"><strong>${c.name}</strong>${label("service_kind", c.kind)}${c.note
        ? html` · <span class="muted">${c.note}</span>` : nothing}<br><small class="muted">${callStatus(c)}</small></span>
      <span class="dc-actions">${c.state === "waiting"
        ? html`<button type="button" class="primary" data-take=${c.id} ?disabled=${busy}
            @click=${() => act("service.take", c.id)}>${word("take")}</button>` : nothing}${c.state === "waiting" || c.state === "taken"
        ? html`<button type="button" data-done=${c.id} ?disabled=${busy}
            @click=${() => act("service.done", c.id)}>${word("finish")}</button>` : nothing}</span></li>`;
  }

  function draw() {
    const calls = [...state.calls.values()].sort(
      (a, b) => ORDER[a.state] - ORDER[b.state] || (a.called_at < b.called_at ? -1 : 1),
    );
    render(calls.length
      ? html`${repeat(calls, (c) => c.id, callRow)}`
      : html`<li class="muted">${word("no_calls")}</li>`, $("desk-calls"));
    const waiting = calls.filter((c) => c.state === "waiting").length;
    const pill = $("desk-waiting");
    pill.hidden = waiting === 0;
    pill.textContent = word("open_calls", { n: waiting });
    alertBtn.hidden = waiting === 0 || state.visible;
    alertBtn.textContent = `${word("calls")} · ${word("open_calls", { n: waiting })}`;
    const notices = [...state.notices.values()].sort((a, b) => (a.sent_at < b.sent_at ? 1 : -1)).slice(0, 8);
    render(html`${repeat(notices, (n) => n.id, (n) => html`<li data-notice=${n.id}>
      <span class="dc-time">${hm(n.sent_at)}</span>
      <span class="dn-text">${n.text}</span>
      <span class="muted">${n.to == null ? word("sent_all") : word("sent_to", { name: n.to_name })}</span>
      <span class="muted">${word("reads", { n: n.reads || 0 })}</span></li>`)}`, $("desk-notices"));
  }

  function drawRoster() {
    render(html`<option value="">${word("to_all")}</option>${state.roster.map(
      (m) => html`<option value=${m.id}>${m.seat ? `${m.seat} ` : ""}${m.name}</option>`)}`, to);
  }

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    error.hidden = true;
    const member = to.value ? Number(to.value) : null;
    const send = $("notice-send");
    send.disabled = true;
    client.send("notice.send", { text: text.value, member }, { idempotent: true })
      .then(({ notice }) => {
        state.notices.set(notice.id, { reads: 0, ...state.notices.get(notice.id), ...notice });
        text.value = "";
        draw();
      })
      .catch((err) => { error.hidden = false; error.textContent = errorText(err); })
      .finally(() => { send.disabled = false; });
  });
  alertBtn.addEventListener("click", () => root.scrollIntoView({ behavior: "smooth", block: "center" }));
  new IntersectionObserver(([entry]) => {
    state.visible = entry.isIntersecting;
    draw();
  }, { threshold: 0.15 }).observe(root);

  function load(snap) {
    state.roster = snap.roster || [];
    const part = snap.notices || {};
    state.calls = new Map((part.calls || []).map((c) => [c.id, c]));
    state.notices = new Map((part.notices || []).map((n) => [n.id, n]));
    drawRoster();
    draw();
  }
  client.on("snapshot", load);
  if (client.snapshot) load(client.snapshot);
  client.on("synced", ({ mode }) => {
    if (mode === "replay") client.request("notice.inbox", {}).then((part) => load({ roster: state.roster, notices: part })).catch(() => {});
  });
  client.on("service.changed", ({ call }) => { state.calls.set(call.id, call); draw(); });
  client.on("notice.sent", ({ notice }) => {
    state.notices.set(notice.id, { reads: 0, ...state.notices.get(notice.id), ...notice });
    draw();
  });
  client.on("notice.read", ({ notice, reads }) => {
    const n = state.notices.get(notice);
    if (n) { n.reads = reads; draw(); }
  });
  draw();
  return state;
}

// DOMContentLoaded comes after every module of the page ran: pages/console.js made the client
document.addEventListener("DOMContentLoaded", () => {
  if (window.yiting) mountServiceDesk(window.yiting.client);
});
