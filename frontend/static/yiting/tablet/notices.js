// 会务通知 and 呼叫服务 on the member's tablet (issue 25, item 12).
//
// Where: in the page's rail (tablet.html #tablet-notices and #tablet-service, the stacking
// rule of docs/documents.md: what the member must press is in the rail, in flow, above
// every other layer). A page without a rail gets the notices under the top bar and the
// call button in the top bar, both in flow. Never over the floor dock.
// - A notice from the clerk stays on screen until the member taps "知道了"
//   (notice.dismiss); several stack, oldest first.
// - "呼叫服务" opens a small menu just above it (in the rail's flow, so it pushes the
//   rail up rather than covering anything): 茶水 / 技术支持 / 其他 (optional note), and the
//   member's own calls with their state: "等待受理 · 10:31 呼叫", "已受理 10:32",
//   "已完成 10:35". An open call also shows as a pill beside the button.
//
// State comes from the server only: the snapshot's `notices` part, the unsequenced
// notice.sent / notice.read / service.changed events, and after a replay resync (which
// carries no unsequenced events) one `notice.inbox` read, spread over a second or two.
// Words come from the label table (labels.py "desk", "service_kind", "call_state").
import { html, nothing, render, repeat } from "../render.js";
import { label } from "../labels.js";
import { errorText } from "../errors.js";
import { fmtTime } from "../time.js";

const KINDS = ["tea", "tech", "other"];
const OPEN = new Set(["waiting", "taken"]);
const word = (key, vars = {}) =>
  label("desk", key).replace(/\{(\w+)\}/g, (_, k) => (vars[k] == null ? "" : String(vars[k])));
const hm = (iso) => (iso ? fmtTime(iso, { seconds: false }) : "");

/** "等待受理 · 10:31 呼叫", "已受理 10:32", "已完成 10:35", or the state's label. */
export function callStatus(c) {
  if (c.state === "waiting") return word("waiting", { time: hm(c.called_at) });
  if (c.state === "taken") return word("taken_at", { time: hm(c.taken_at) });
  if (c.state === "done") return word("done_at", { time: hm(c.ended_at) });
  return label("call_state", c.state);
}

function stylesheet() {
  if (document.getElementById("yiting-notices-css")) return;
  const link = document.createElement("link");
  link.id = "yiting-notices-css";
  link.rel = "stylesheet";
  link.href = new URL("./notices.css", import.meta.url).href;
  document.head.append(link);
}

export function mountNotices(client, ctx) {
  stylesheet();
  const me = ctx.member;
  const state = { notices: new Map(), calls: new Map(), menu: false, busy: false, error: "", note: "", may: true };
  window.yitingNotices = state; // for tests

  // The page's rail (tablet.html: #tablet-notices, #tablet-service; the stacking rule in
  // docs/documents.md) holds both, in flow, above every other layer. Without a rail the
  // notices go under the top bar, in flow, and the call button into the top bar.
  const bar = document.querySelector("header.topbar");
  const inRail = !!document.getElementById("tablet-service");
  let banner = document.getElementById("tablet-notices");
  if (!banner) {
    banner = document.createElement("section");
    banner.id = "tablet-notices";
    if (bar) bar.after(banner); else document.body.prepend(banner);
  }
  banner.classList.add("tablet-notices");
  banner.setAttribute("aria-live", "assertive");
  banner.setAttribute("aria-label", word("notice"));
  let desk = document.getElementById("tablet-service");
  if (!desk) {
    desk = document.createElement("span");
    desk.id = "tablet-service";
    const conn = document.getElementById("conn");
    if (bar) bar.insertBefore(desk, conn && conn.parentElement === bar ? conn : bar.querySelector(".who"));
  }
  desk.classList.add("tb-desk");
  desk.dataset.place = inRail ? "rail" : "bar";
  const line = document.createElement("span");
  line.className = "sm-line";
  const menu = document.createElement("div");
  menu.id = "service-menu";
  menu.className = "service-menu";
  menu.setAttribute("role", "dialog");
  menu.setAttribute("aria-label", word("call"));
  menu.hidden = true;
  if (inRail) desk.append(menu, line); // the menu opens above the button, in the rail's flow
  else { desk.append(line); document.body.append(menu); }

  const mine = (n) => !n.read && (n.to == null || n.to === me);
  const sorted = (m, key) => [...m.values()].sort((a, b) => (a[key] < b[key] ? -1 : a[key] > b[key] ? 1 : a.id - b.id));

  function load(part) {
    state.notices = new Map((part?.notices || []).filter(mine).map((n) => [n.id, n]));
    state.calls = new Map((part?.calls || []).filter((c) => c.member === me).map((c) => [c.id, c]));
    draw();
  }

  function send(type, data) {
    state.busy = true;
    state.error = "";
    draw();
    return client.send(type, data, { idempotent: true })
      .catch((err) => { state.error = errorText(err); })
      .finally(() => { state.busy = false; draw(); });
  }

  function dismiss(id) {
    state.notices.delete(id); // the server keeps the read; a resync would not bring it back
    draw();
    client.send("notice.dismiss", { notice: id }, { idempotent: true }).catch(() => {});
  }

  function call(kind) {
    const note = kind === "other" ? state.note.trim() : "";
    send("service.call", { kind, note }).then(() => {
      if (!state.error) state.note = "";
    });
  }

  function openMenu(open) {
    state.menu = open;
    state.error = "";
    draw();
  }

  // without a rail the notices sit above the tool row: tell the drawers where it is now
  function remeasure() {
    if (inRail) return; // the rail is measured by tablet/shell.js
    const tools = document.querySelector(".tablet-tools");
    if (tools) document.body.style.setProperty("--tablet-top", `${Math.round(tools.getBoundingClientRect().bottom)}px`);
  }

  function draw() {
    const notices = sorted(state.notices, "sent_at");
    render(html`${repeat(notices, (n) => n.id, (n) => html`
      <div class="tn-notice" data-notice=${n.id} role="alert">
        <span class="tn-label">${n.to == null ? word("notice") : word("to_you")}</span>
        <span class="tn-time">${hm(n.sent_at)}</span>
        <span class="tn-text">${n.text}</span>
        <button type="button" class="primary tn-ok" @click=${() => dismiss(n.id)}>${word("dismiss")}</button>
      </div>`)}`, banner);
    banner.hidden = notices.length === 0;
    remeasure();

    const calls = sorted(state.calls, "called_at");
    const open = calls.filter((c) => OPEN.has(c.state));
    const latest = open[open.length - 1];
    desk.hidden = !state.may;
    render(html`<button type="button" id="service-call" class="tb-call" aria-haspopup="dialog"
        aria-expanded=${String(state.menu)} @click=${() => openMenu(!state.menu)}>${word("call")}</button>${latest
      ? html`<span class="pill tb-call-state ${latest.state}" id="service-state">${label("service_kind", latest.kind)} · ${latest.state === "taken"
        ? callStatus(latest) : label("call_state", latest.state)}</span>`
      : nothing}`, line);

    menu.hidden = !state.menu || !state.may;
    if (!inRail) { // under the notices too: the menu never covers a notice's "知道了"
      const above = banner.hidden ? bar : banner;
      if (above) menu.style.top = `${Math.round(above.getBoundingClientRect().bottom) + 4}px`;
    }
    render(html`
      <div class="sm-head"><strong>${word("call")}</strong>
        <button type="button" class="sm-close" @click=${() => openMenu(false)} aria-label=${word("close")}>✕</button></div>
      <div class="sm-kinds" role="group">${KINDS.map((k) => html`
        <button type="button" class="big" data-kind=${k} ?disabled=${state.busy || open.some((c) => c.kind === k)}
          @click=${() => call(k)}>${label("service_kind", k)}</button>`)}</div>
      <input type="text" id="service-note" maxlength="60" placeholder=${word("note")} aria-label=${word("note")}
        .value=${state.note} @input=${(ev) => { state.note = ev.target.value; }}>
      ${state.error ? html`<p class="error" role="alert" id="service-error">${state.error}</p>` : nothing}
      <ul class="sm-calls">${repeat(calls.slice(-5).reverse(), (c) => c.id, (c) => html`
        <li data-call=${c.id} class=${c.state}><span class="sm-kind">${label("service_kind", c.kind)}</span>
          <span class="sm-status">${callStatus(c)}</span>${c.note ? html`<span class="muted">${c.note}</span>` : nothing}
          ${OPEN.has(c.state) ? html`<button type="button" class="sm-withdraw" ?disabled=${state.busy}
            @click=${() => send("service.withdraw", { call: c.id })}>${word("withdraw")}</button>` : nothing}</li>`)}</ul>`, menu);
  }

  client.on("snapshot", (snap) => {
    const may = snap.sitting?.you?.may;
    state.may = me != null && !!(may && may["service.call"]); // the server's answer (you.may)
    load(snap.notices);
  });
  client.on("synced", ({ mode }) => {
    if (mode !== "replay") return;
    // unsequenced notices are not replayed: read the inbox once, the room spread over ~2 s
    setTimeout(() => client.request("notice.inbox", {}).then(load).catch(() => {}), Math.random() * 2000);
  });
  client.on("notice.sent", ({ notice }) => {
    if (mine(notice)) { state.notices.set(notice.id, notice); draw(); }
  });
  client.on("notice.read", ({ notice, member }) => {
    if (member === me && state.notices.delete(notice)) draw();
  });
  client.on("service.changed", ({ call: c }) => {
    if (c.member !== me) return;
    state.calls.set(c.id, c);
    draw();
  });
  document.addEventListener("click", (ev) => {
    if (state.menu && !ev.target.closest("#service-menu, #tablet-service")) openMenu(false);
  });
  document.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape" && state.menu) openMenu(false);
  });
  draw();
  return state;
}
