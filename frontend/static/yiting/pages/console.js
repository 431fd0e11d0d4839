// Clerk console: the agenda (current item, next / previous / jump), attendance against the
// roster with the quorum, tablets online, keyboard shortcuts; the feature panels mount below.
import { currentItem, setup } from "../core.js";
import { html, nothing, render, repeat } from "../render.js";
import { fmtClock } from "../client.js";
import * as documents from "../panels/documents.js";
import * as floor from "../panels/floor.js";
import * as vote from "../panels/vote_console.js";
import * as recording from "../panels/recording.js";
import { errorText } from "../errors.js";
import { labelled, quorumText } from "../words.js";
import { label } from "../labels.js";

const { client, ctx } = setup();
const head = document.getElementById("console-head").dataset;
const errorBox = document.getElementById("console-error");
const online = new Map();
const insecure = new Set(); // members whose tablet page is not a secure context
function trackSecure(o) {
  if (o.online !== false && o.insecure > 0) insecure.add(o.member); else insecure.delete(o.member);
}
const names = () => new Map((ctx.roster || []).map((m) => [m.id, m.name]));
// The console's agenda line: who presents, and an "open" button on every item not current.
ctx.agendaItem = (i) => {
  const who = i.presenter ? names().get(i.presenter) : null;
  return html`<li data-item=${i.id} class=${i.state}>${i.title}${i.presenter
    ? html` <small class="muted">· ${who || ""} ${head.lPresenter}</small>`
    : nothing}${i.id === ctx.state.agenda.current
    ? nothing
    : html` <button data-open=${i.id} class="open-item">${head.lOpen}</button>`}</li>`;
};

function report(err) {
  errorBox.hidden = false;
  errorBox.dataset.code = err.code;
  errorBox.textContent = errorText(err);
  clearTimeout(report.timer);
  report.timer = setTimeout(() => { errorBox.hidden = true; }, 8000);
}

const openItem = (id) => client.send("agenda.open", { item: id }).catch(report);
const step = (direction) => client.send("agenda.step", { direction }).catch(report);

document.getElementById("agenda").addEventListener("click", (ev) => {
  const btn = ev.target.closest("button[data-open]");
  if (btn) openItem(Number(btn.dataset.open));
});
document.getElementById("prev-item").addEventListener("click", () => step("previous"));
document.getElementById("next-item").addEventListener("click", () => step("next"));

// Shortcuts press the panels' own buttons, so a shortcut can never do what the button would not.
const press = (id) => {
  const b = document.getElementById(id);
  if (b && !b.disabled && b.offsetParent !== null) b.click();
};
const help = document.getElementById("keys-help");
document.getElementById("keys-help-btn").addEventListener("click", () => help.showModal());
document.addEventListener("keydown", (ev) => {
  const typing = ev.target.closest("input, textarea, select, [contenteditable]");
  if (typing) return;
  if (ev.key === "?" && !ev.altKey) { help.open ? help.close() : help.showModal(); return; }
  if (!ev.altKey) return;
  const digit = /^Digit([1-9])$/.exec(ev.code);
  const actions = {
    ArrowRight: () => step("next"),
    ArrowLeft: () => step("previous"),
    KeyG: () => press("floor-grant-next"),
    KeyE: () => { const b = document.querySelector("#floor-now button[data-act=finished]"); if (b) b.click(); },
    KeyC: () => press("vc-close"),
    KeyA: () => { const b = document.querySelector("#vote-console button[data-act=announce]"); if (b) b.click(); },
  };
  let act = actions[ev.code];
  if (digit) {
    const item = ctx.state.agenda.items[Number(digit[1]) - 1];
    act = item ? () => openItem(item.id) : null;
  }
  if (act) { ev.preventDefault(); act(); }
});

client.on("snapshot", (snap) => {
  online.clear();
  insecure.clear();
  for (const o of (snap.presence && snap.presence.online) || []) {
    online.set(o.member, o.sockets);
    trackSecure(o);
  }
  ctx.roster = snap.roster || [];
  ctx.seating = snap.seating || {};
  client.fire("render", ctx); // core.js rendered before the roster and presence were known
});
client.on("presence.changed", (p) => {
  if (p.online) online.set(p.member, p.sockets); else online.delete(p.member);
  trackSecure(p);
  client.fire("render", ctx);
});

function renderHead() {
  const cur = currentItem(ctx);
  document.getElementById("console-current").textContent =
    ctx.state.sitting === "ended" ? head.lEnded : cur ? `${cur.order}. ${cur.title}` : "—";
}

// The seat plan (座位图): the server's rows of member ids, front row (nearest the chair's
// table) first, drawn as shallow arcs facing the table. Each seat says its state in a
// sign as well as a colour: ✔ checked in, ◉ tablet online, ○ not here, 假 on leave.
const plan = document.getElementById("roster");
const L = plan.dataset;
const shortName = (name) => {
  const last = String(name || "").trim().split(/\s+/).pop() || "";
  return last.length > 4 ? `${last.slice(0, 3)}…` : last;
};
function seatState(m, present, leave) {
  if (present.has(m.id)) return ["present", "✔", L.lPresent];
  if (online.has(m.id)) return ["online", "◉", L.lOnline];
  if (leave.has(m.id)) return ["leave", "假", L.lLeave];
  return ["absent", "○", L.lAbsent];
}
function seatButton(m, present, leave, style) {
  const [state, sign, words] = seatState(m, present, leave);
  const label = `${m.seat || "—"} ${m.name} · ${words}`;
  return html`<button type="button" class="seat ${state} ${online.has(m.id) ? "online" : ""}"
    style=${style || nothing} data-member=${m.id} data-state=${state} aria-pressed=${String(present.has(m.id))}
    aria-label=${label} title=${label}><span class="seat-no">${m.seat || "—"} ${sign}</span><span class="seat-name">${shortName(m.name)}</span></button>`;
}
// Where each seat goes, in % of the room's box: rows evenly down, seats evenly across a
// row as wide as its seat count, the row's ends bent toward the chair's table.
function seatBoxes(rows) {
  const widest = Math.max(1, ...rows.map((r) => r.length));
  const slot = 99 / widest;
  const rowH = 100 / (Math.max(1, rows.length) + 0.45); // the 0.45: room for the bend
  const boxes = [];
  rows.forEach((row, i) => {
    const x0 = 50 - (row.length * slot) / 2;
    row.forEach((id, j) => {
      if (id == null) return;
      const cx = x0 + (j + 0.5) * slot;
      const d = (cx - 50) / 50;
      const cy = rowH * (i + 0.5) + rowH * 0.45 * (1 - d * d); // the middle of a row sits back
      boxes.push([id, `left:${cx.toFixed(2)}%;top:${cy.toFixed(2)}%;width:min(${(slot * 0.95).toFixed(2)}%, 6rem);`
        + `height:min(${(rowH * 0.8).toFixed(2)}%, 3.4rem);transform:translate(-50%, -50%)`]);
    });
  });
  return boxes;
}
function renderPlan() {
  const seating = ctx.seating || {};
  const byId = new Map((ctx.roster || []).map((m) => [m.id, m]));
  const present = new Set(ctx.state.attendance.present);
  const leave = new Set(seating.leave || []);
  const rows = seating.rows || [];
  const unplaced = (seating.unplaced || (rows.length ? [] : [...byId.keys()])).filter((id) => byId.has(id));
  const boxes = seatBoxes(rows).filter(([id]) => byId.has(id));
  render(html`<div class="seat-table" aria-hidden="true">${L.lTable}${seating.saved === false
      ? html` <small>（${L.lDefault}）</small>` : nothing}</div>
    <div class="seat-room ${Math.max(0, ...rows.map((r) => r.length)) <= 10 ? "roomy" : ""}">${boxes.map(([id, style]) => seatButton(byId.get(id), present, leave, style))}</div>
    ${unplaced.length ? html`<div class="seat-unplaced"><span class="muted">${L.lUnplaced}：</span>${
      unplaced.map((id) => seatButton(byId.get(id), present, leave))}</div>` : nothing}`, plan);
}

function renderRoster() {
  document.getElementById("online-count").textContent = online.size;
  const warn = document.getElementById("insecure-tablets");
  warn.dataset.count = String(insecure.size);
  warn.textContent = warn.dataset.lText.replace("{n}", insecure.size);
  warn.hidden = insecure.size === 0;
  renderPlan();
  const q = ctx.state.attendance.quorum;
  const detail = document.getElementById("quorum-detail");
  if (q) {
    detail.textContent = quorumText(q);
    detail.className = `pill ${q.reached ? "ok" : "warn"}`;
  }
}

client.on("render", () => { renderHead(); renderRoster(); });
client.on("seating.plan", (p) => { ctx.seating = p; client.fire("render", ctx); });
// Tap a seat: check the member in, or undo (check out) when they are checked in.
plan.addEventListener("click", (ev) => {
  const b = ev.target.closest("button[data-member]");
  if (!b) return;
  const present = b.dataset.state !== "present";
  client.send("attendance.record", { member: Number(b.dataset.member), present }, { idempotent: true }).catch(report);
});
// Check-in by seat number (typed, Enter) and "check in all online" (tablets on the socket).
const seatForm = document.getElementById("seat-checkin");
seatForm.addEventListener("submit", (ev) => {
  ev.preventDefault();
  const typed = seatForm.elements.namedItem("seat").value.trim();
  // a seat ("3", "003") or the number on the member's card (typed, or read by a card reader
  // that types it and Enter)
  const m = (ctx.roster || []).find((r) => r.seat === typed || (r.card && r.card === typed)
    || (/^\d+$/.test(typed) && Number(r.seat) === Number(typed)));
  if (!m) { report({ code: "not_on_roster", message: label("checkin", "unknown").replace("{typed}", typed) }); return; }
  client.send("attendance.record", { member: m.id, present: true }, { idempotent: true })
    .then(() => { seatForm.reset(); seatForm.elements.namedItem("seat").focus(); })
    .catch(report);
});
document.getElementById("check-in-online").addEventListener("click", () => {
  const present = new Set(ctx.state.attendance.present);
  for (const m of ctx.roster || []) {
    if (online.has(m.id) && !present.has(m.id)) {
      client.send("attendance.record", { member: m.id, present: true }, { idempotent: true }).catch(report);
    }
  }
});

// The clerk edits the room's layout: one line per row, front first, seats by spaces, | an aisle.
const seatingDialog = document.getElementById("seating-dialog");
if (seatingDialog) {
  const form = document.getElementById("seating-form");
  const area = form.elements.namedItem("rows");
  const fail = document.getElementById("seating-error");
  const save = (rows) => client.send("seating.save", { rows })
    .then((ans) => { ctx.seating = ans.seating; client.fire("render", ctx); seatingDialog.close(); })
    .catch((err) => { fail.hidden = false; fail.dataset.code = err.code; fail.textContent = errorText(err); });
  document.getElementById("seating-edit").addEventListener("click", () => {
    const seats = (ctx.seating && ctx.seating.seats) || [];
    area.value = seats.map((row) => row.map((s) => s || "|").join(" ")).join("\n");
    document.getElementById("seating-room").textContent = (ctx.seating && ctx.seating.room) || "—";
    fail.hidden = true;
    seatingDialog.showModal();
  });
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const rows = area.value.split("\n").map((line) => line.split(/[\s,，、]+/).filter(Boolean)
      .map((s) => (s === "|" ? "" : s))).filter((row) => row.length);
    save(rows);
  });
  document.getElementById("seating-reset").addEventListener("click", () => save([]));
  document.getElementById("seating-cancel").addEventListener("click", () => seatingDialog.close());
}

// The panel that needs the clerk comes forward: a vote opens, someone asks for the floor.
function attention(id) {
  const panel = document.getElementById(id);
  if (!panel) return;
  panel.classList.add("attention");
  panel.scrollIntoView({ block: "nearest" });
  clearTimeout(attention[id]);
  attention[id] = setTimeout(() => panel.classList.remove("attention"), 8000);
}
client.on("vote.opened", () => attention("vc-open"));
client.on("floor.queue", (d) => { if (d.reason === "requested") attention("floor-panel"); });

// -- the "now" strip (docs/console.md, "The control room") ----------------------------------
// Between the header and the panels, outside every scrolling card: presenting (documents
// panel), the open vote (vote panel) and, drawn here, who has the floor with the button
// that ends the speech. The strip shows only the tiles of what is happening.
const nowBox = document.getElementById("console-now");
const NL = nowBox.dataset;
const floorTile = document.getElementById("now-floor");
const floorNow = { state: null, offset: 0 };
const kindWord = (k) => {
  const panel = document.getElementById("floor-panel");
  return (panel && panel.dataset[`k${k[0].toUpperCase()}${k.slice(1)}`]) || k;
};
function nowChanged() {
  const shown = [...nowBox.querySelectorAll(".now-tile")].filter((t) => !t.hidden).map((t) => t.id);
  nowBox.dataset.active = shown.join(" ");
  nowBox.hidden = shown.length === 0;
}
nowBox.addEventListener("now-changed", nowChanged);
function speakerTimer(f) {
  if (!f.deadline) return nothing;
  const left = (Date.parse(f.deadline) - (Date.now() + floorNow.offset)) / 1000;
  const warnAt = floorNow.state.rules.warn_before_s;
  const cls = left <= 0 ? "up" : left <= warnAt || f.warned ? "warn" : "";
  return html`<span class="floor-timer ${cls}" data-remaining=${String(Math.round(left))}>${left <= 0
    ? `${NL.lTimeUp} +${fmtClock(-left)}` : fmtClock(left)}</span>`;
}
function renderNowFloor() {
  const st = floorNow.state;
  const floors = st ? st.floors : [];
  const was = floorTile.hidden;
  floorTile.hidden = floors.length === 0;
  if (was !== floorTile.hidden) nowChanged();
  if (!floors.length) { render(nothing, floorTile); return; }
  const next = st.queue[0];
  render(html`<div class="now-body"><p class="now-what"><span class="now-kind">${NL.lSpeaking}</span>${next
      ? html` <span class="muted">${labelled(NL.lNext, `${next.seat} ${next.name}`)}</span>` : nothing}</p>
    ${repeat(floors, (f) => f.id, (f) => html`<div class="now-controls now-speaker" data-speech=${f.id} data-member=${f.member}>
      <strong>${f.seat} ${f.name}</strong> <span class="pill">${kindWord(f.kind)}</span> ${speakerTimer(f)}
      <button type="button" class="primary" data-end=${f.id}>${NL.lEnd}</button></div>`)}</div>`, floorTile);
}
floorTile.addEventListener("click", (ev) => {
  const b = ev.target.closest("button[data-end]");
  if (b) client.send("floor.end", { speech: Number(b.dataset.end), how: "finished" }, { idempotent: true }).catch(report);
});
client.on("snapshot", (snap) => { if (snap.floor) { floorNow.state = snap.floor; renderNowFloor(); } });
for (const type of ["floor.queue", "floor.granted", "floor.released", "floor.extended",
  "floor.warning", "floor.time_up", "floor.rules", "floor.priority"]) {
  client.on(type, (d) => { if (d.state) { floorNow.state = d.state; renderNowFloor(); } });
}
client.on("synced", async () => {
  const sent = Date.now();
  try {
    const ans = await client.request("ping", {});
    const back = Date.now();
    floorNow.offset = Date.parse(ans.server_time) + (back - sent) / 2 - back;
  } catch { /* keep the last offset */ }
});
setInterval(() => { if (floorNow.state && floorNow.state.floors.length) renderNowFloor(); }, 250);

for (const panel of [documents, floor, vote, recording]) panel.mountConsole(client, ctx);
nowChanged();
client.connect();
