// Floor panel: the speaking queue, who holds the floor, countdowns, the speaking log.
//
// Every floor event carries the whole floor `state` (rules, open floors, queue), so the
// panel redraws from it alone. Countdowns run from each floor's `deadline` (server time)
// corrected by this device's offset to the server clock, measured with `ping` after each
// (re)sync: a tablet with a wrong clock still shows the room's time.
//
// Two ways to write time, never mixed: a clock ("01:30", fmtClock) for what runs down —
// the time left on a floor, the overrun after it — and a length ("11 秒", fmtDuration, as
// on every page and PDF) for how long a speech lasted (the speaking log).
import { fmtClock } from "../client.js";
import { html, nothing, render as draw, repeat } from "../render.js";
import { fmtDuration, fmtTime } from "../time.js";
import { labelled } from "../words.js";
import { errorText } from "../errors.js";
import { label } from "../labels.js";

const FLOOR_EVENTS = ["floor.queue", "floor.granted", "floor.released", "floor.extended",
  "floor.warning", "floor.time_up", "floor.rules", "floor.priority"];

function follow(client, onState, onReleased) {
  const s = { state: null, offset: 0, log: [] };
  client.on("snapshot", (snap) => {
    if (!snap.floor) return;
    s.log = snap.floor.log || [];
    s.state = snap.floor;
    onState(s);
  });
  for (const type of FLOOR_EVENTS) {
    client.on(type, (data) => {
      if (type === "floor.released" && onReleased) onReleased(s, data.speech);
      s.state = data.state;
      onState(s);
    });
  }
  client.on("synced", () => measureOffset(client, s));
  return s;
}

async function measureOffset(client, s) {
  const sent = Date.now();
  try {
    const ans = await client.request("ping", {});
    const back = Date.now();
    s.offset = Date.parse(ans.server_time) + (back - sent) / 2 - back;
  } catch { /* keep the last offset */ }
}

function remaining(s, speech) {
  if (!speech.deadline) return null;
  return (Date.parse(speech.deadline) - (Date.now() + s.offset)) / 1000;
}

function timerParts(s, speech, labels) {
  const left = remaining(s, speech);
  if (left == null) return { cls: "", text: "—", left: "" };
  const warnAt = s.state ? s.state.rules.warn_before_s : 60;
  const cls = left <= 0 ? "up" : left <= warnAt || speech.warned ? "warn" : "";
  const text = left <= 0 ? `${labels.lTimeUp} +${fmtClock(-left)}` : fmtClock(left);
  return { cls, text, left: String(Math.round(left)) };
}

function timerTpl(s, speech, labels) {
  const t = timerParts(s, speech, labels);
  return html`<span class="floor-timer ${t.cls}" data-remaining=${t.left}>${t.text}</span>`;
}

// The countdowns move every quarter second: each view redraws its speakers from state
// (lit-html changes only the timer text and class).
function startTicker(draw) {
  setInterval(draw, 250);
}

// data-k-point_of_order reads back as dataset.kPoint_of_order (only "-x" is camel-cased).
const dataKey = (prefix, value) => `${prefix}${value[0].toUpperCase()}${value.slice(1)}`;

function kindLabel(root, kind) {
  return root.dataset[dataKey("k", kind)] || kind;
}

function showError(root, err) {
  const box = root.querySelector("#floor-error");
  if (!box) return;
  box.hidden = false;
  box.dataset.code = err.code || "";
  box.textContent = errorText(err);
  clearTimeout(box._t);
  box._t = setTimeout(() => { box.hidden = true; }, 6000);
}

function speakerTpl(root, s, f, extra = nothing) {
  return html`<div class="floor-speaker" data-speech=${f.id} data-member=${f.member}>
    <span class="name">${f.seat} ${f.name}</span><span class="pill">${kindLabel(root, f.kind)}</span>
    ${timerTpl(s, f, root.dataset)}${extra}</div>`;
}

function speakersTpl(root, s, extra) {
  const floors = s.state.floors;
  return floors.length
    ? html`${repeat(floors, (f) => f.id, (f) => speakerTpl(root, s, f, extra ? extra(f) : nothing))}`
    : html`<p class="muted">${root.dataset.lNobody}</p>`;
}

// ---------------------------------------------------------------- tablet
export function mountTablet(client, ctx) {
  const root = document.getElementById("floor-panel");
  if (!root) return;
  const L = root.dataset;
  const s = follow(client, () => render());
  const act = (type, data = {}) => client.send(type, data, { idempotent: true }).catch((e) => showError(root, e));
  root.querySelectorAll("#floor-ask [data-kind]").forEach((b) =>
    b.addEventListener("click", () => act("floor.request", { kind: b.dataset.kind })));
  root.querySelector("#floor-withdraw").addEventListener("click", () => act("floor.withdraw"));
  root.querySelector("#floor-take").addEventListener("click", () => act("floor.take"));
  root.querySelector("#floor-yield").addEventListener("click", () => act("floor.yield"));
  // The one-minute warning and zero, for the speaker: a frame around their timer and a buzz.
  const alertMine = (cls) => (data) => {
    if (data.speech.member !== ctx.member) return;
    root.querySelector("#floor-mine").classList.add(cls);
    if (navigator.vibrate) navigator.vibrate(300);
  };
  client.on("floor.warning", alertMine("warned"));
  client.on("floor.time_up", alertMine("time-up"));

  function render() {
    const st = s.state;
    if (!st) return;
    const mine = st.floors.find((f) => f.member === ctx.member);
    const pos = st.queue.findIndex((q) => q.member === ctx.member);
    const badge = root.querySelector("#floor-mypos");
    badge.dataset.position = pos >= 0 ? String(pos + 1) : "";
    badge.textContent = pos >= 0
      ? L.lPlace.replace("{n}", pos + 1).replace("{total}", st.queue.length) : L.lNotQueued;
    badge.className = `pill ${pos >= 0 ? "ok" : ""}`;
    const mineBox = root.querySelector("#floor-mine");
    mineBox.hidden = !mine;
    if (!mine || !mine.warned) mineBox.classList.remove("warned");
    if (!mine || !mine.time_up) mineBox.classList.remove("time-up");
    if (mine) mineBox.dataset.speech = mine.id; else delete mineBox.dataset.speech;
    const canTake = ctx.may["floor.take_any_mode"] || (ctx.may["floor.take"] && st.rules.mode !== "request");
    root.querySelector("#floor-take").hidden = !!mine || !canTake;
    root.querySelector("#floor-withdraw").hidden = pos < 0;
    root.querySelectorAll("#floor-ask [data-kind]").forEach((b) => { b.hidden = pos >= 0 || !!mine; });
    draw(html`${repeat(st.queue, (q) => q.id, (q) => html`<li data-request=${q.id} data-member=${q.member} class=${q.member === ctx.member ? "mine" : ""}>
        ${q.seat} ${q.name} · ${kindLabel(root, q.kind)}</li>`)}`, root.querySelector("#floor-queue"));
    renderTimers();
  }
  function renderTimers() {
    const st = s.state;
    if (!st) return;
    const mine = st.floors.find((f) => f.member === ctx.member);
    if (mine) {
      const t = timerParts(s, mine, L);
      const span = root.querySelector("#floor-my-timer");
      span.className = `floor-timer ${t.cls}`;
      span.dataset.remaining = t.left;
      span.textContent = t.text;
    }
    draw(speakersTpl(root, s), root.querySelector("#floor-now"));
  }
  startTicker(renderTimers);
}

// ---------------------------------------------------------------- console
export function mountConsole(client, ctx) {
  const root = document.getElementById("floor-panel");
  if (!root) return;
  const L = root.dataset;
  const online = new Set();
  let roster = [];
  const s = follow(client, () => render(), (st, speech) => { st.log.unshift(speech); });
  const act = (type, data = {}, idempotent = true) =>
    client.send(type, data, { idempotent }).catch((e) => showError(root, e));
  client.on("snapshot", (snap) => {
    online.clear();
    for (const o of (snap.presence && snap.presence.online) || []) online.add(o.member);
    roster = snap.roster || [];
    const speakers = roster; // the sitting's roster: its component members, as the server sends it
    draw(html`${repeat(speakers, (m) => m.id, (m) => html`<option value=${m.id}>${m.seat} ${m.name}</option>`)}`,
      root.querySelector("#floor-enter-member"));
    render();
  });
  client.on("presence.changed", (p) => {
    if (p.online) online.add(p.member); else online.delete(p.member);
    render();
  });
  root.querySelector("#floor-grant-next").addEventListener("click", () => act("floor.grant", {}));
  const prio = root.querySelector("#floor-priority");
  if (prio) prio.addEventListener("click", () =>
    act("floor.priority", { clear_queue: root.querySelector("#floor-clear-queue").checked }));
  root.querySelector("#floor-mode").addEventListener("change", (ev) => act("floor.rules", { mode: ev.target.value }, false));
  root.querySelector("#floor-max").addEventListener("change", (ev) => {
    const n = Number(ev.target.value);
    if (Number.isInteger(n)) act("floor.rules", { max_floors: n }, false);
  });
  root.querySelector("#floor-enter").addEventListener("submit", (ev) => {
    ev.preventDefault();
    act("floor.enter", {
      member: Number(root.querySelector("#floor-enter-member").value),
      kind: root.querySelector("#floor-enter-kind").value,
      note: root.querySelector("#floor-enter-note").value,
    });
  });
  root.querySelector("#floor-now").addEventListener("click", (ev) => {
    const b = ev.target.closest("button[data-act]");
    if (!b) return;
    const speech = Number(b.closest("[data-speech]").dataset.speech);
    if (b.dataset.act === "extend") act("floor.extend", { speech, seconds: Number(root.querySelector("#floor-extend-s").value) });
    else act("floor.end", { speech, how: b.dataset.act });
  });
  root.querySelector("#floor-queue").addEventListener("click", (ev) => {
    const b = ev.target.closest("button[data-act]");
    if (!b) return;
    const request = Number(b.closest("[data-request]").dataset.request);
    if (b.dataset.act === "grant") act("floor.grant", { request });
    if (b.dataset.act === "refuse") act("floor.refuse", { request });
    if (b.dataset.act === "up" || b.dataset.act === "down") {
      const ids = s.state.queue.map((q) => q.id);
      const i = ids.indexOf(request), j = b.dataset.act === "up" ? i - 1 : i + 1;
      if (j < 0 || j >= ids.length) return;
      [ids[i], ids[j]] = [ids[j], ids[i]];
      act("floor.reorder", { order: ids }, false);
    }
  });

  function render() {
    const st = s.state;
    if (!st) return;
    root.querySelector("#floor-mode-label").textContent = `${label("floor_mode", st.rules.mode)} · ${L.lMaxFloors}${st.rules.max_floors}`;
    root.querySelector("#floor-mode").value = st.rules.mode;
    const max = root.querySelector("#floor-max");
    if (document.activeElement !== max) max.value = st.rules.max_floors;
    root.querySelector("#floor-queue-count").textContent = st.queue.length;
    draw(html`${repeat(st.queue, (q) => q.id, (q) => html`<li data-request=${q.id} data-member=${q.member}>
      <span class="name">${q.seat} ${q.name} · ${kindLabel(root, q.kind)}${q.written ? ` · ${L.lWritten}` : ""}</span>
      <button data-act="up" title=${L.lUp}>↑</button><button data-act="down" title=${L.lDown}>↓</button>
      <button data-act="grant" class="primary">${L.lGrant}</button><button data-act="refuse">${L.lRefuse}</button></li>`)}`,
    root.querySelector("#floor-queue"));
    root.querySelector("#floor-log-count").textContent = s.log.length;
    const t = (iso) => (iso ? fmtTime(iso) : "");
    draw(html`${repeat(s.log, (e) => e.id, (e) => html`<tr data-speech=${e.id} data-member=${e.member} data-ended-how=${e.ended_how}>
      <td>${e.seat} ${e.name}</td><td>${kindLabel(root, e.kind)}</td>
      <td>${t(e.started_at)}</td><td>${t(e.ended_at)}</td><td class="floor-log-length">${fmtDuration(e.duration_s || 0)}</td>
      <td>${L[dataKey("e", e.ended_how)] || e.ended_how}</td></tr>`)}`, root.querySelector("#floor-log"));
    renderTimers();
  }
  // who speaks now, with the clerk's buttons; redrawn every tick for the countdowns
  const controls = (f) => html`${f.by_chair ? html`<span class="pill">${L.lChair}</span>` : nothing}${online.has(f.member)
    ? nothing : html`<span class="pill warn floor-offline">${L.lOffline}</span>`}${f.limit_s == null
    ? nothing : html`<button data-act="extend">+</button>`}<button data-act="finished">${L.lEnd}</button><button data-act="revoked">${L.lRevoke}</button>`;
  function renderTimers() {
    if (s.state) draw(speakersTpl(root, s, controls), root.querySelector("#floor-now"));
  }
  startTicker(renderTimers);
}

// ---------------------------------------------------------------- wall display
export function mountDisplay(client, ctx) {
  const root = document.getElementById("floor-panel");
  if (!root) return;
  const L = root.dataset;
  const s = follow(client, () => render());
  function render() {
    const st = s.state;
    if (!st) return;
    const next = st.queue.slice(0, 5).map((q) => q.name).join(" · ");
    root.querySelector("#floor-next").textContent = next ? labelled(L.lNext, next) : "";
    renderTimers();
  }
  function renderTimers() {
    if (s.state) draw(speakersTpl(root, s), root.querySelector("#floor-now"));
  }
  startTicker(renderTimers);
}
