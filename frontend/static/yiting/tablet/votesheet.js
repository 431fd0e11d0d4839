// The vote takes the screen (表决): when a round opens, a sheet covers the reader with the
// ballot of panels/vote_tablet.js (question(s), countdown, big buttons, confirmation) under the
// rule in words; once the member's ballot is cast it shrinks to a bar with their own
// choice (and, for a named vote that allows it, "change my ballot"); a result shows for
// a moment and then collapses to the bar, which goes when the agenda moves on or the
// member closes it. It never stays pinned over the document. Closing it holds for that
// vote across reloads (localStorage, "yiting-votes-dismissed": vote ids, nothing else).
//
// panels/vote_tablet.js owns the ballot and what it shows; this module only decides how much of
// the screen it gets (#tablet-vote[data-mode] = none | sheet | bar), from the vote events
// and the snapshot, and from #vote-mine[data-cast] (the server's answer, shown back).
import { html, render, nothing } from "../render.js";

export const RESULT_MOMENT_S = 12; // a closed or announced result holds the screen this long
const CAST_MOMENT_S = 1.5; // "you voted: yes" is read on the sheet before it shrinks
const CANCEL_MOMENT_S = 6;

const DISMISSED_KEY = "yiting-votes-dismissed";
const DISMISSED_KEEP = 50; // the newest ids; a vote's id is never reused

/** The votes whose result bar this browser's member closed (ids). */
function dismissedVotes() {
  try {
    const ids = JSON.parse(localStorage.getItem(DISMISSED_KEY) || "[]");
    return Array.isArray(ids) ? ids.filter(Number.isInteger) : [];
  } catch { return []; }
}

function setDismissed(id, on) {
  const ids = dismissedVotes().filter((v) => v !== id);
  if (on) ids.push(id);
  try { localStorage.setItem(DISMISSED_KEY, JSON.stringify(ids.slice(-DISMISSED_KEEP))); } catch { /* private mode: this page only */ }
}

const zh = () => (document.documentElement.lang || "zh").toLowerCase().startsWith("zh");
const colon = () => (zh() ? "：" : ": ");

export function mountVoteSheet(client, ctx) {
  const box = document.getElementById("tablet-vote");
  const panel = document.getElementById("vote-panel");
  if (!box || !panel || ctx.member == null) return null;
  const L = box.dataset;
  const s = { vote: null, state: "", cast: false, result: null, mode: "none", timer: null, momentS: RESULT_MOMENT_S };
  const isDismissed = (vote) => !!vote && dismissedVotes().includes(vote.id);
  window.yitingVoteSheet = s; // for tests

  function setMode(mode, { after = 0, then = null } = {}) {
    clearTimeout(s.timer);
    s.timer = null;
    s.mode = mode;
    box.dataset.mode = mode;
    document.body.dataset.vote = mode;
    if (after && then) s.timer = setTimeout(() => setMode(then), after * 1000);
    draw();
  }

  function draw() {
    const v = s.vote;
    box.dataset.state = s.state;
    box.dataset.cast = String(s.cast);
    if (!v) { render(nothing, document.getElementById("tv-head")); render(nothing, document.getElementById("tv-bar")); return; }
    const rule = v.rule ? (zh() ? v.rule.label_zh : v.rule.label) : "";
    // the tool row's check-in is under the sheet: a member not checked in finds it here
    const checkIn = document.getElementById("check-in");
    const absent = s.state === "open" && !ctx.state.attendance.present.includes(ctx.member);
    render(
      html`${rule ? html`<span class="tv-rule" data-base=${v.rule.base}>${L.lRule}${colon()}<strong>${rule}</strong></span>` : nothing}
        ${absent && checkIn ? html`<button type="button" class="primary big" data-act="check-in">${checkIn.textContent}</button>` : nothing}
        <button type="button" class="tv-fold" data-act="fold">${L.lFold}</button>`,
      document.getElementById("tv-head"),
    );
    const passed = s.result ? s.result.passed : null;
    const status = s.state === "open" ? (s.cast ? "" : L.lNotCast)
      : s.state === "cancelled" ? L.lCancelled : "";
    render(
      html`${passed != null && s.state !== "open"
          ? html`<span class="tv-outcome ${passed ? "passed" : "failed"}" data-passed=${String(passed)}>${L.lResult}${colon()}${passed ? L.lPassed : L.lFailed}</span>`
          : nothing}
        ${status ? html`<span class="tv-status">${status}</span>` : nothing}
        <button type="button" class="tv-expand primary" data-act="expand">${L.lExpand}</button>
        ${s.state !== "open" ? html`<button type="button" class="tv-dismiss" data-act="dismiss" aria-label=${L.lDismiss}>✕</button>` : nothing}`,
      document.getElementById("tv-bar"),
    );
  }

  function openRound(vote, cast) {
    s.vote = vote; s.state = "open"; s.cast = !!cast; s.result = null;
    setMode(cast ? "bar" : "sheet");
  }

  client.on("snapshot", (snap) => {
    const v = snap.votes || {};
    if (v.open) return openRound(v.open.vote, v.open.mine && v.open.mine.cast);
    if (v.latest && v.latest.vote.item === ctx.state.agenda.current) {
      s.vote = v.latest.vote; s.state = v.latest.vote.state; s.result = v.latest.result;
      s.cast = !!(v.latest.mine && v.latest.mine.cast);
      // closed by the member (before a reload too): it stays closed
      if (isDismissed(s.vote)) return setMode("none");
      // a result from before this page loaded is a bar, never a sheet over the page
      if (s.mode !== "sheet") setMode("bar"); else draw();
      return;
    }
    s.vote = null; s.state = ""; setMode("none");
  });
  client.on("vote.opened", (d) => openRound(d.vote, false));
  client.on("vote.closed", (d) => {
    s.vote = d.vote; s.state = "closed"; s.result = d.result;
    setMode("sheet", { after: s.momentS, then: "bar" });
  });
  client.on("vote.announced", (d) => {
    if (!s.vote || s.vote.id !== d.vote.id) return;
    s.vote = d.vote; s.state = "announced";
    setDismissed(d.vote.id, false); // the announcement is news: its bar comes back
    if (s.result) s.result = { ...s.result, passed: d.passed ?? s.result.passed };
    setMode("sheet", { after: s.momentS, then: "bar" });
  });
  client.on("vote.cancelled", (d) => {
    if (!s.vote || s.vote.id !== d.vote.id || s.state !== "open") return;
    s.vote = d.vote; s.state = "cancelled";
    setMode("sheet", { after: CANCEL_MOMENT_S, then: "none" });
  });
  client.on("render", () => { if (s.vote) draw(); }); // attendance: who may vote
  // the agenda moved on: the last result is no news any more
  client.on("agenda.current", () => {
    if (s.vote && s.state !== "open" && s.vote.item !== ctx.state.agenda.current) setMode("none");
  });

  // The member's ballot came back from the server (vote_tablet.js shows it in #vote-mine): the
  // sheet has done its work and shrinks to the bar.
  const mine = document.getElementById("vote-mine");
  new MutationObserver(() => {
    const cast = mine.dataset.cast === "true" && !mine.hidden;
    if (s.state !== "open") return;
    if (!cast && s.cast && s.mode === "sheet") { s.cast = false; draw(); return; } // changing it
    if (cast && !s.cast) {
      s.cast = true;
      if (s.mode === "sheet") setMode("sheet", { after: CAST_MOMENT_S, then: "bar" });
      else draw();
    }
  }).observe(mine, { attributes: true, attributeFilter: ["hidden", "data-cast"] });

  // Touching the sheet means the member is reading it: it stays until they fold it.
  box.addEventListener("pointerdown", () => {
    if (s.mode === "sheet" && s.timer && s.state !== "open") { clearTimeout(s.timer); s.timer = null; }
  });
  box.addEventListener("click", (ev) => {
    const act = ev.target.closest("[data-act]")?.dataset.act;
    if (ev.target.closest("#vote-change")) return setMode("sheet"); // changing: the ballot again
    if (act === "expand") setMode("sheet");
    if (act === "fold") setMode("bar");
    if (act === "check-in") document.getElementById("check-in")?.click();
    if (act === "dismiss") { if (s.vote) setDismissed(s.vote.id, true); setMode("none"); }
  });
  document.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape" && s.mode === "sheet" && !document.querySelector("#vote-confirm:not([hidden])")) setMode("bar");
  });
  return s;
}
