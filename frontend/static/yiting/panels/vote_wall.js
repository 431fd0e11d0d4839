// The vote on the wall display (表决): the question, "已表决 N / 应到 M" and the countdown
// while a round is open (the running counts only when the server sends them), then the
// result in big type while the vote's own item is the current one.
import { fmtClock } from "../client.js";
import { html, nothing, render as draw } from "../render.js";
import { follow, secondsLeft } from "./vote_follow.js";
import { resultTpl } from "./vote_format.js";

export function mountDisplay(client, ctx) {
  const root = document.getElementById("wall-vote");
  if (!root) return;
  const L = root.dataset;
  const $ = (id) => document.getElementById(id);
  const s = follow(client, ctx, () => render());

  // The open round always; a closed one only while its own item is the current item: when
  // the clerk moves on, the wall moves on too (the item and the vote's item are the
  // server's, from the snapshot and the events, so a reload shows the same).
  function shownVote() {
    if (s.open) return s.open.vote;
    const latest = s.latest;
    return latest && latest.vote.item === ctx.state.agenda.current ? latest.vote : null;
  }

  function render() {
    const open = s.open, latest = s.latest;
    const vote = shownVote();
    root.hidden = !vote;
    if (!vote) return;
    root.dataset.state = vote.state;
    root.dataset.vote = vote.id;
    $("wv-question").textContent = vote.question;
    if (open) {
      const counts = open.progress && open.progress.counts;
      draw(counts
        ? Object.values(counts).map((c) => html`<div class="wv-counts">${vote.options.map((o) => html`<span>${o.label}<b>${c[o.key] || 0}</b></span>`)}</div>`)
        : nothing, $("wv-body"));
      tick();
    } else {
      $("wv-count").hidden = true;
      $("wv-status").textContent = vote.state === "announced" ? L.lAnnounced : "";
      draw(resultTpl(vote, latest.result, L, { big: true }), $("wv-body"));
    }
  }
  // "已表决 N / 应到 M" for every ballot, named or secret: the server's count of ballots
  // and of members present; never who chose what.
  function tick() {
    if (!s.open) return;
    const left = secondsLeft(s, s.open.vote);
    const kind = s.open.vote.kind === "secret" ? L.lSecret : L.lNamed;
    $("wv-status").textContent = `${kind} · ${L.lVoting}${left == null ? "" : ` · ${left <= 0 ? "00:00" : fmtClock(left)}`}`;
    const cast = (s.open.progress && s.open.progress.cast) || 0;
    const q = ctx.state.attendance.quorum;
    const count = $("wv-count");
    count.hidden = false;
    count.dataset.cast = String(cast);
    count.textContent = L.lCount.replace("{n}", cast).replace("{m}", q ? q.present : "—");
  }
  setInterval(tick, 1000);
}
