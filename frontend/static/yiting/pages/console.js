// Clerk console: the agenda (current item, next / previous / jump), attendance against the
// roster with the quorum, tablets online, keyboard shortcuts; the feature panels mount below.
import { currentItem, setup } from "../core.js";
import { html, nothing, render } from "../render.js";
import * as documents from "../panels/documents.js";
import * as floor from "../panels/floor.js";
import * as vote from "../panels/vote.js";
import * as recording from "../panels/recording.js";
import { errorText } from "../errors.js";

const { client, ctx } = setup();
const head = document.getElementById("console-head").dataset;
const errorBox = document.getElementById("console-error");
const online = new Map();
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
  for (const o of (snap.presence && snap.presence.online) || []) online.set(o.member, o.sockets);
  ctx.roster = snap.roster || [];
  client.fire("render", ctx); // core.js rendered before the roster and presence were known
});
client.on("presence.changed", (p) => {
  if (p.online) online.set(p.member, p.sockets); else online.delete(p.member);
  client.fire("render", ctx);
});

function renderHead() {
  const cur = currentItem(ctx);
  document.getElementById("console-current").textContent =
    ctx.state.sitting === "ended" ? head.lEnded : cur ? `${cur.order}. ${cur.title}` : "—";
}

const seatButton = (m, present) => html`<button class="seat ${present ? "present" : ""} ${online.has(m.id) ? "online" : ""}"
  data-member=${m.id} aria-pressed=${String(present)} title=${m.name}>${m.seat} ${m.name}</button>`;

function renderRoster() {
  document.getElementById("online-count").textContent = online.size;
  const present = new Set(ctx.state.attendance.present);
  render(html`${(ctx.roster || []).map((m) => seatButton(m, present.has(m.id)))}`, document.getElementById("roster"));
  const q = ctx.state.attendance.quorum;
  const detail = document.getElementById("quorum-detail");
  if (q) {
    detail.textContent = `${q.present} / ${q.roster_size} · ≥ ${q.required}`;
    detail.className = `pill ${q.reached ? "ok" : "warn"}`;
  }
}

client.on("render", () => { renderHead(); renderRoster(); });
document.getElementById("roster").addEventListener("click", (ev) => {
  const b = ev.target.closest("button[data-member]");
  if (!b) return;
  const present = !b.classList.contains("present");
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
  if (!m) { report({ code: "not_on_roster", message: typed }); return; }
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

// The panel that needs the clerk comes forward: a vote opens, someone asks for the floor.
function attention(id) {
  const panel = document.getElementById(id);
  if (!panel) return;
  panel.classList.add("attention");
  panel.scrollIntoView({ block: "nearest" });
  clearTimeout(attention[id]);
  attention[id] = setTimeout(() => panel.classList.remove("attention"), 8000);
}
client.on("vote.opened", () => attention("vote-console"));
client.on("floor.queue", (d) => { if (d.reason === "requested") attention("floor-panel"); });

for (const panel of [documents, floor, vote, recording]) panel.mountConsole(client, ctx);
client.connect();
