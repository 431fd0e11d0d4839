// Shared page set-up: the client, the agenda and attendance views every page shows.
//
// The page keeps the slices of state the server sends (snapshot, then events that each
// carry the whole slice they change) and renders from them with lit-html: the browser
// never re-derives a server rule (which item is done, in what order the agenda stands).
import { SittingClient } from "../yiting/client.js";
import { html, render, repeat } from "./render.js";
import { quorumText } from "./words.js";

export function setup() {
  const root = document.getElementById("sitting");
  const d = root.dataset;
  const ctx = {
    root,
    sitting: Number(d.sitting),
    role: d.role,
    kind: d.kind, // "plenary" or "group": only group sittings record
    member: d.member ? Number(d.member) : null,
    // what this login may do, as the server's rulebook answers it (snapshot's you.may:
    // the allowed actions, each true); panels show controls by it and derive no rule
    may: {},
    state: { agenda: { items: [], current: null }, attendance: { present: [], quorum: null } },
    // how one agenda line looks; a page (the console) may give its own
    agendaItem: (i) => html`<li data-item=${i.id} class=${i.state}>${i.title}</li>`,
  };
  const client = new SittingClient(d.ws, {
    labels: { offline: d.lOffline, reconnecting: d.lReconnecting, live: d.lLive },
  });
  window.yiting = { client, ctx }; // for tests and the console's keyboard
  // The sitting's state is on <body data-sitting-state>: once it has ended, base.css hides
  // every control that would only be refused (requests, follow, check-in) on every page.
  const setSittingState = (state) => {
    ctx.state.sitting = state;
    document.body.dataset.sittingState = state || "";
  };
  client.on("snapshot", (snap) => {
    ctx.may = (snap.sitting && snap.sitting.you && snap.sitting.you.may) || {};
    ctx.state.agenda = snap.agenda;
    setSittingState(snap.sitting ? snap.sitting.state : null);
    ctx.state.attendance = snap.attendance;
    ctx.state.presence = snap.presence || {};
    client.fire("render", ctx);
  });
  // agenda.current, agenda.changed and sitting.state carry the whole agenda as the server has it
  for (const type of ["agenda.current", "agenda.changed"]) {
    client.on(type, (data) => {
      ctx.state.agenda = data.agenda;
      client.fire("render", ctx);
    });
  }
  client.on("attendance.changed", (data) => {
    const set = new Set(ctx.state.attendance.present);
    if (data.present) set.add(data.member); else set.delete(data.member);
    ctx.state.attendance.present = [...set].sort((a, b) => a - b);
    ctx.state.attendance.quorum = data.quorum;
    client.fire("render", ctx);
  });
  client.on("sitting.state", (data) => {
    setSittingState(data.state);
    if (data.agenda) ctx.state.agenda = data.agenda;
    client.fire("render", ctx);
  });
  client.on("render", () => renderCore(ctx));
  return { client, ctx };
}

/** The current item as the server says (agenda.current), or null. */
export function currentItem(ctx) {
  const id = ctx.state.agenda.current;
  return id == null ? null : ctx.state.agenda.items.find((i) => i.id === id) || null;
}

export function renderCore(ctx) {
  const list = document.getElementById("agenda");
  if (list) render(html`${repeat(ctx.state.agenda.items, (i) => i.id, ctx.agendaItem)}`, list);
  const q = ctx.state.attendance.quorum;
  const qEl = document.getElementById("quorum");
  if (qEl && q) {
    qEl.textContent = quorumText(q);
    qEl.className = `pill ${q.reached ? "ok" : "warn"}`;
    qEl.dataset.present = q.present;
  }
  const ended = document.getElementById("sitting-ended");
  if (ended) ended.hidden = ctx.state.sitting !== "ended";
  const cur = currentItem(ctx);
  const wall = document.getElementById("current-item");
  if (wall) wall.textContent = cur ? cur.title : "—";
}
