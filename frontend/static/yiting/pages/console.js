// Clerk console: agenda control, attendance and presence, then the feature panels.
import { setup } from "../core.js";
import { escapeHtml } from "../client.js";
import * as documents from "../panels/documents.js";
import * as floor from "../panels/floor.js";
import * as vote from "../panels/vote.js";
import * as recording from "../panels/recording.js";

const { client, ctx } = setup();
const report = (err) => alert(`${err.code}: ${err.message}`);
document.getElementById("agenda").addEventListener("click", (ev) => {
  const li = ev.target.closest("li[data-item]");
  if (li) client.send("agenda.open", { item: Number(li.dataset.item) }).catch(report);
});
const step = (direction) => client.send("agenda.step", { direction }).catch(report);
document.getElementById("prev-item").addEventListener("click", () => step("previous"));
document.getElementById("next-item").addEventListener("click", () => step("next"));
document.addEventListener("keydown", (ev) => {
  if (!ev.altKey) return;
  if (ev.key === "ArrowRight") step("next");
  if (ev.key === "ArrowLeft") step("previous");
});
const online = new Map();
client.on("snapshot", (snap) => {
  online.clear();
  for (const o of (snap.presence && snap.presence.online) || []) online.set(o.member, o.sockets);
  ctx.roster = snap.roster || [];
});
client.on("presence.changed", (p) => {
  if (p.online) online.set(p.member, p.sockets); else online.delete(p.member);
  client.fire("render", ctx);
});
client.on("render", () => {
  document.getElementById("online-count").textContent = online.size;
  const present = new Set(ctx.state.attendance.present);
  document.getElementById("roster").innerHTML = (ctx.roster || [])
    .map((m) => `<button class="seat ${present.has(m.id) ? "present" : ""} ${online.has(m.id) ? "online" : ""}" data-member="${m.id}" title="${escapeHtml(m.name)}">${escapeHtml(m.seat)} ${escapeHtml(m.name)}</button>`)
    .join("");
});
document.getElementById("roster").addEventListener("click", (ev) => {
  const b = ev.target.closest("button[data-member]");
  if (!b) return;
  const present = !b.classList.contains("present");
  client.send("attendance.record", { member: Number(b.dataset.member), present }, { idempotent: true }).catch(report);
});
for (const panel of [documents, floor, vote, recording]) panel.mountConsole(client, ctx);
client.connect();
