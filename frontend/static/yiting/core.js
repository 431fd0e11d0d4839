// Shared page set-up: the client, the agenda and attendance views every page shows.
import { SittingClient, escapeHtml } from "../yiting/client.js";

export function setup() {
  const root = document.getElementById("sitting");
  const d = root.dataset;
  const ctx = {
    root,
    sitting: Number(d.sitting),
    role: d.role,
    kind: d.kind, // "plenary" or "group": only group sittings record
    member: d.member ? Number(d.member) : null,
    state: { agenda: { items: [], current: null }, attendance: { present: [], quorum: null } },
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
    if (state === "ended") {
      for (const i of ctx.state.agenda.items) if (i.state === "current") i.state = "done";
    }
  };
  client.on("snapshot", (snap) => {
    ctx.state.agenda = snap.agenda;
    setSittingState(snap.sitting ? snap.sitting.state : null);
    ctx.state.attendance = snap.attendance;
    ctx.state.presence = snap.presence || {};
    client.fire("render", ctx);
  });
  client.on("agenda.current", (data) => {
    for (const it of ctx.state.agenda.items) {
      if (it.state === "current") it.state = "done";
      if (it.id === data.item.id) it.state = "current";
    }
    ctx.state.agenda.current = data.item.id;
    client.fire("render", ctx);
  });
  client.on("agenda.changed", (data) => {
    const byId = new Map(ctx.state.agenda.items.map((i) => [i.id, i]));
    ctx.state.agenda.items = data.order.map((id, n) => ({ ...byId.get(id), order: n + 1 }));
    client.fire("render", ctx);
  });
  client.on("attendance.changed", (data) => {
    const set = new Set(ctx.state.attendance.present);
    if (data.present) set.add(data.member); else set.delete(data.member);
    ctx.state.attendance.present = [...set].sort((a, b) => a - b);
    ctx.state.attendance.quorum = data.quorum;
    client.fire("render", ctx);
  });
  client.on("sitting.state", (d) => {
    setSittingState(d.state);
    client.fire("render", ctx);
  });
  client.on("render", () => renderCore(ctx));
  return { client, ctx };
}

export function renderCore(ctx) {
  const list = document.getElementById("agenda");
  if (list) {
    list.innerHTML = ctx.state.agenda.items
      .map((i) => `<li data-item="${i.id}" class="${i.state}">${escapeHtml(i.title)}</li>`)
      .join("");
  }
  const q = ctx.state.attendance.quorum;
  const qEl = document.getElementById("quorum");
  if (qEl && q) {
    qEl.textContent = `${q.present} / ${q.roster_size} · ${q.reached ? "✔" : "✘"} ≥ ${q.required}`;
    qEl.className = `pill ${q.reached ? "ok" : "warn"}`;
    qEl.dataset.present = q.present;
  }
  const ended = document.getElementById("sitting-ended");
  if (ended) ended.hidden = ctx.state.sitting !== "ended";
  const cur = ctx.state.agenda.items.find((i) => i.state === "current");
  const wall = document.getElementById("current-item");
  if (wall) wall.textContent = cur ? cur.title : "—";
}
