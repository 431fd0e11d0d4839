// Floor panel: the speaking queue, who holds the floor, countdowns, the speaking log.
//
// Every floor event carries the whole floor `state` (rules, open floors, queue), so the
// panel redraws from it alone. Countdowns run from each floor's `deadline` (server time)
// corrected by this device's offset to the server clock, measured with `ping` after each
// (re)sync: a tablet with a wrong clock still shows the room's time.
import { escapeHtml, fmtClock } from "../client.js";
import { fmtTime } from "../time.js";
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

function timerHtml(s, speech, labels) {
  const t = timerParts(s, speech, labels);
  return `<span class="floor-timer ${t.cls}" data-remaining="${t.left}">${escapeHtml(t.text)}</span>`;
}

function tick(root, s) {
  // Only the countdown text changes every second; the rest redraws on events.
  for (const el of root.querySelectorAll("[data-speech]")) {
    const sp = (s.state?.floors || []).find((f) => f.id === Number(el.dataset.speech));
    const span = el.querySelector(".floor-timer");
    if (!sp || !span) continue;
    const t = timerParts(s, sp, root.dataset);
    span.className = `floor-timer ${t.cls}`;
    span.dataset.remaining = t.left;
    span.textContent = t.text;
  }
}

function startTicker(root, s) {
  setInterval(() => tick(root, s), 250);
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

function speakerHtml(root, s, f, extra = "") {
  const who = `${escapeHtml(f.seat)} ${escapeHtml(f.name)}`;
  return `<div class="floor-speaker" data-speech="${f.id}" data-member="${f.member}">
    <span class="name">${who}</span><span class="pill">${escapeHtml(kindLabel(root, f.kind))}</span>
    ${timerHtml(s, f, root.dataset)}${extra}</div>`;
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
    badge.textContent = pos >= 0 ? `${L.lPosition}: ${pos + 1} / ${st.queue.length}` : L.lNotQueued;
    badge.className = `pill ${pos >= 0 ? "ok" : ""}`;
    const mineBox = root.querySelector("#floor-mine");
    mineBox.hidden = !mine;
    if (!mine || !mine.warned) mineBox.classList.remove("warned");
    if (!mine || !mine.time_up) mineBox.classList.remove("time-up");
    if (mine) mineBox.dataset.speech = mine.id; else delete mineBox.dataset.speech;
    if (mine) {
      const t = timerParts(s, mine, L);
      const span = root.querySelector("#floor-my-timer");
      span.className = `floor-timer ${t.cls}`;
      span.dataset.remaining = t.left;
      span.textContent = t.text;
    }
    const canTake = ctx.role === "chair" || st.rules.mode !== "request";
    root.querySelector("#floor-take").hidden = !!mine || !canTake;
    root.querySelector("#floor-withdraw").hidden = pos < 0;
    root.querySelectorAll("#floor-ask [data-kind]").forEach((b) => { b.hidden = pos >= 0 || !!mine; });
    root.querySelector("#floor-now").innerHTML = st.floors.length
      ? st.floors.map((f) => speakerHtml(root, s, f)).join("")
      : `<p class="muted">${escapeHtml(L.lNobody)}</p>`;
    root.querySelector("#floor-queue").innerHTML = st.queue
      .map((q) => `<li data-request="${q.id}" data-member="${q.member}" class="${q.member === ctx.member ? "mine" : ""}">
        ${escapeHtml(q.seat)} ${escapeHtml(q.name)} · ${escapeHtml(kindLabel(root, q.kind))}</li>`).join("");
  }
  startTicker(root, s);
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
    const sel = root.querySelector("#floor-enter-member");
    sel.innerHTML = roster.filter((m) => ["member", "chair", "vice_chair"].includes(m.role))
      .map((m) => `<option value="${m.id}">${escapeHtml(m.seat)} ${escapeHtml(m.name)}</option>`).join("");
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
    root.querySelector("#floor-now").innerHTML = st.floors.length ? st.floors.map((f) => {
      const off = online.has(f.member) ? "" : `<span class="pill warn floor-offline">${escapeHtml(L.lOffline)}</span>`;
      const chair = f.by_chair ? `<span class="pill">${escapeHtml(L.lChair)}</span>` : "";
      const extend = f.limit_s == null ? "" : `<button data-act="extend">+</button>`;
      const buttons = `${extend}<button data-act="finished">${escapeHtml(L.lEnd)}</button><button data-act="revoked">${escapeHtml(L.lRevoke)}</button>`;
      return speakerHtml(root, s, f, `${chair}${off}${buttons}`);
    }).join("") : `<p class="muted">${escapeHtml(L.lNobody)}</p>`;
    root.querySelector("#floor-queue-count").textContent = st.queue.length;
    root.querySelector("#floor-queue").innerHTML = st.queue.map((q) => `<li data-request="${q.id}" data-member="${q.member}">
      <span class="name">${escapeHtml(q.seat)} ${escapeHtml(q.name)} · ${escapeHtml(kindLabel(root, q.kind))}${q.written ? ` · ${escapeHtml(L.lWritten)}` : ""}</span>
      <button data-act="up" title="${escapeHtml(L.lUp)}">↑</button><button data-act="down" title="${escapeHtml(L.lDown)}">↓</button>
      <button data-act="grant" class="primary">${escapeHtml(L.lGrant)}</button><button data-act="refuse">${escapeHtml(L.lRefuse)}</button></li>`).join("");
    root.querySelector("#floor-log-count").textContent = s.log.length;
    const t = (iso) => (iso ? fmtTime(iso) : "");
    root.querySelector("#floor-log").innerHTML = s.log.map((e) => `<tr data-speech="${e.id}" data-member="${e.member}" data-ended-how="${e.ended_how}">
      <td>${escapeHtml(e.seat)} ${escapeHtml(e.name)}</td><td>${escapeHtml(kindLabel(root, e.kind))}</td>
      <td>${t(e.started_at)}</td><td>${t(e.ended_at)}</td><td>${fmtClock(e.duration_s || 0)}</td>
      <td>${escapeHtml(L[dataKey("e", e.ended_how)] || e.ended_how)}</td></tr>`).join("");
  }
  startTicker(root, s);
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
    root.querySelector("#floor-now").innerHTML = st.floors.length
      ? st.floors.map((f) => speakerHtml(root, s, f)).join("")
      : `<p class="muted">${escapeHtml(L.lNobody)}</p>`;
    const next = st.queue.slice(0, 5).map((q) => `${escapeHtml(q.name)}`).join(" · ");
    root.querySelector("#floor-next").innerHTML = next ? `${escapeHtml(L.lNext)}: ${next}` : "";
  }
  startTicker(root, s);
}
