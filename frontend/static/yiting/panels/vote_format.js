// How a vote's choices and results read, shared by the vote views: one line per ballot
// question, the counted result of a round (counts, outcome and its explanation, totals;
// `big` for the wall), and the per-member list of a named vote, loaded on request
// because it is not in the broadcast. Used by vote_tablet.js, vote_console.js, vote_wall.js.
import { html, nothing, repeat } from "../render.js";

export const zh = () => (document.documentElement.lang || "zh").toLowerCase().startsWith("zh");
const labelOf = (vote, key) => (vote.options.find((o) => o.key === key) || { label: key }).label;

// One line per ballot question ("question：choice"), separated by line breaks.
export function choicesTpl(vote, choices) {
  const many = vote.questions.length > 1;
  return vote.questions.map((q, n) => html`${n ? html`<br>` : nothing}${many ? `${q.text}：` : ""}${labelOf(vote, choices[String(q.id)])}`);
}

/** The counted result of a round; the per-member list when loaded (state.named[vote.id]). */
export function resultTpl(vote, result, L, { big = false, named = null } = {}) {
  const lines = result.questions.map((q) => {
    const counts = big
      ? vote.options.map((o) => html`<span data-option=${o.key}>${o.label}<b>${q.counts[o.key] || 0}</b></span>`)
      : vote.options.map((o, n) => html`${n ? " · " : ""}${o.label} <b data-option=${o.key}>${q.counts[o.key] || 0}</b>`);
    const text = zh() ? q.outcome.explanation_zh : q.outcome.explanation;
    return html`<div class="vote-line" data-question=${q.id}>
      ${result.questions.length > 1 ? html`<h3>${q.text}</h3>` : nothing}
      <div class=${big ? "wv-counts" : ""}>${counts}</div>
      <div class="outcome ${q.outcome.passed ? "passed" : "failed"}" data-passed=${String(q.outcome.passed)}>${q.outcome.passed ? L.lPassed : L.lFailed}</div>
      <div class="wv-explain muted">${text}</div></div>`;
  });
  // "投票 36 / 出席 38": a bare "36 / 38" said nothing (the page's labels; the tablet's
  // template may not carry them yet)
  const castOf = L.lCastOf ? `${L.lCastOf} ${result.cast} / ${L.lPresentN} ${result.present}` : `${result.cast} / ${result.present}`;
  const totals = html`<p class="muted vote-totals">${castOf} · ${L.lDidNotVote} ${result.did_not_vote} · ${L.lAbsent} ${result.absent}</p>`;
  let list = nothing;
  const rows = result.named || named;
  if (rows && !big) list = namedTpl(vote, rows);
  else if (result.named_available && !big) {
    list = html`<p><button type="button" class="vote-named-load" data-vote=${vote.id}>${L.lNamedList}</button></p>`;
  }
  return html`${lines}${totals}${list}`;
}

function namedTpl(vote, named) {
  return html`<table class="grid vote-named">${repeat(named, (n) => n.member, (n) => html`<tr data-member=${n.member}><td>${n.seat}</td><td>${n.name}</td><td>${choicesTpl(vote, n.choices)}</td></tr>`)}</table>`;
}

// The per-member list of a named vote is not in the broadcast (it would be 150 kB per
// tablet at 2,000 members); a tablet loads it when the member asks for it.
export async function loadNamed(button, vote, s, onChange) {
  button.disabled = true;
  try {
    const r = await fetch(`/votes/${vote.id}/result.json`, { credentials: "same-origin" });
    const body = await r.json();
    s.named[vote.id] = body.result.named || [];
    onChange(s);
  } catch (err) {
    button.disabled = false;
  }
}
