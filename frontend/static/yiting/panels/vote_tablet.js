// The member's ballot on the tablet (表决): the question(s), the countdown, big buttons,
// a confirmation, "your ballot" and, after the round, the result and a check of the
// member's named ballot in the hash-chained record (回执编号). The tablet casts with an
// idempotent key (client.send(..., {idempotent: true})), so a ballot sent while the
// Wi-Fi drops goes out again after the reconnect with the same key and is counted once.
// What the tablet shows as "your ballot" comes from the server (reply, snapshot), never
// from a guess. tablet/votesheet.js decides how much of the screen this takes.
import { fmtClock } from "../client.js";
import { html, nothing, render as draw } from "../render.js";
import { errorText } from "../errors.js";
import { follow, secondsLeft } from "./vote_follow.js";
import { choicesTpl, loadNamed, resultTpl, zh } from "./vote_format.js";

export function mountTablet(client, ctx) {
  const root = document.getElementById("vote-panel");
  if (!root || ctx.member == null) return;
  const L = root.dataset;
  const $ = (id) => document.getElementById(id);
  const ui = { picked: {}, confirming: false, changing: false, error: "" };
  const s = follow(client, ctx, () => render());

  function render() {
    const open = s.open, latest = s.latest;
    const vote = open ? open.vote : latest ? latest.vote : null;
    root.hidden = !vote && !s.note;
    $("vote-error").hidden = !ui.error;
    $("vote-error").textContent = ui.error;
    if (!vote) { $("vote-question").textContent = L.lCancelled; hideAll(); return; }
    $("vote-question").textContent = vote.question + (vote.round > 1 ? ` · ${L.lRound} ${vote.round}` : "");
    $("vote-kind").textContent = vote.kind === "secret" ? L.lSecret : L.lNamed;
    root.dataset.state = vote.state;
    root.dataset.vote = vote.id;
    if (open) renderOpen(open); else renderResult(latest);
  }

  function hideAll() {
    for (const id of ["vote-ballot", "vote-confirm", "vote-mine", "vote-change", "vote-result"]) $(id).hidden = true;
  }

  function renderOpen(open) {
    const vote = open.vote, mine = open.mine || { cast: false };
    const present = ctx.state.attendance.present.includes(ctx.member);
    $("vote-result").hidden = true;
    const showBallot = (!mine.cast || ui.changing) && !ui.confirming;
    $("vote-ballot").hidden = !showBallot;
    $("vote-confirm").hidden = !ui.confirming;
    $("vote-mine").hidden = !mine.cast || ui.changing;
    $("vote-change").hidden = !(mine.cast && vote.allow_change && !ui.changing);
    if (mine.cast) {
      $("vote-mine").dataset.cast = "true";
      draw(mine.choices ? html`${L.lCast}：<strong>${choicesTpl(vote, mine.choices)}</strong>` : html`${L.lCastSecret}`, $("vote-mine"));
    }
    if (showBallot) drawBallot(vote, present);
    tick();
  }

  function drawBallot(vote, present) {
    const many = vote.questions.length > 1;
    const line = (q) => html`<div class="vote-line" data-question=${q.id}>
      ${many ? html`<h3>${q.text}</h3>` : nothing}
      <div class="vote-options">${vote.options.map((o) => html`<button type="button" class="big ${ui.picked[q.id] === o.key ? "chosen" : ""}" data-question=${q.id} data-option=${o.key} ?disabled=${!present}>${o.label}</button>`)}</div></div>`;
    draw(html`${present ? nothing : html`<p class="error">${L.lNotCheckedIn}</p>`}${vote.questions.map(line)}${many
      ? html`<button type="submit" class="primary big" id="vote-submit" ?disabled=${!present}>${L.lConfirm}</button>` : nothing}`, $("vote-ballot"));
  }

  // The member's check of the record, for one vote: the chain intact or not, and their
  // ballot's entry shown as a receipt code (回执编号), the entry's full hash on a tap.
  const audit = { vote: null, intact: null, found: null, hash: "", error: "", showHash: false };
  const receiptCode = (hash) => `${hash.slice(0, 4)}-${hash.slice(4, 8)}`.toUpperCase();
  function auditTpl() {
    if (audit.error) return audit.error;
    if (audit.intact == null) return nothing;
    const chain = audit.intact ? L.lChainOk : L.lChainBroken;
    if (!audit.hash) return `${chain} · ${L.lNotFound}`;
    return html`${chain} · ${L.lFound}${zh() ? "，" : ", "}<span class="vote-receipt">${L.lReceipt}${zh() ? "：" : ": "}<button type="button" id="vote-receipt" class="link"
        title=${audit.hash} aria-expanded=${String(audit.showHash)}>${receiptCode(audit.hash)}</button></span>
      <code id="vote-receipt-hash" class="vote-receipt-hash" ?hidden=${!audit.showHash}>${audit.hash}</code>`;
  }
  function renderResult(latest) {
    if (audit.vote !== latest.vote.id) Object.assign(audit, { vote: latest.vote.id, intact: null, found: null, hash: "", error: "", showHash: false });
    hideAll();
    $("vote-result").hidden = false;
    $("vote-timer").textContent = "";
    const mine = latest.mine && latest.mine.cast && latest.mine.choices
      ? html`<p class="vote-mine">${L.lCast}：${choicesTpl(latest.vote, latest.mine.choices)}</p>` : nothing;
    const check = latest.vote.kind === "named" && latest.mine && latest.mine.cast
      ? html`<p><button type="button" id="vote-audit">${L.lCheck}</button> <span id="vote-audit-out" aria-live="polite"
          data-intact=${audit.intact == null ? nothing : String(audit.intact)} data-found=${audit.found == null ? nothing : String(audit.found)}>${auditTpl()}</span></p>` : nothing;
    draw(html`${mine}${resultTpl(latest.vote, latest.result, L, { named: s.named[latest.vote.id] })}${check}`, $("vote-result"));
  }

  root.addEventListener("click", (ev) => {
    const b = ev.target.closest(".vote-named-load");
    if (b && s.latest) loadNamed(b, s.latest.vote, s, render);
  });
  // A member checks that their named ballot is in the hash-chained record.
  root.addEventListener("click", async (ev) => {
    if (ev.target.closest("#vote-receipt")) { audit.showHash = !audit.showHash; render(); return; }
    if (!ev.target.closest("#vote-audit") || !s.latest) return;
    const vote = s.latest.vote.id;
    try {
      const ans = await client.request("vote.audit", { vote });
      const entry = (ans.mine || []).filter((e) => e.kind === "ballot" || e.kind === "change").pop();
      Object.assign(audit, { vote, intact: ans.chain.intact, found: !!entry, hash: entry ? entry.hash : "", error: "" });
    } catch (err) {
      audit.error = errorText(err);
    }
    render();
  });

  function tick() {
    const left = secondsLeft(s, s.open && s.open.vote);
    const t = $("vote-timer");
    if (left == null) { t.textContent = ""; t.dataset.remaining = ""; return; }
    t.dataset.remaining = String(Math.max(0, Math.round(left)));
    t.textContent = left <= 0 ? L.lTimeUp : fmtClock(left);
  }
  setInterval(() => { if (s.open) tick(); }, 1000);

  $("vote-ballot").addEventListener("click", (ev) => {
    const b = ev.target.closest("button[data-option]");
    if (!b || !s.open) return;
    ui.picked[b.dataset.question] = b.dataset.option;
    ui.error = "";
    if (s.open.vote.questions.length === 1) ui.confirming = true;
    render();
    showConfirm();
  });
  $("vote-ballot").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const vote = s.open && s.open.vote;
    if (!vote) return;
    if (vote.questions.some((q) => !ui.picked[q.id])) return;
    ui.confirming = true;
    render();
    showConfirm();
  });
  function showConfirm() {
    if (!ui.confirming || !s.open) return;
    const vote = s.open.vote;
    const chosen = Object.fromEntries(vote.questions.map((q) => [String(q.id), ui.picked[q.id]]));
    draw(html`${choicesTpl(vote, chosen)}`, $("vote-confirm-text"));
  }
  $("vote-confirm-back").addEventListener("click", () => { ui.confirming = false; render(); });
  $("vote-change").addEventListener("click", () => { ui.changing = true; ui.picked = {}; render(); });
  $("vote-confirm-yes").addEventListener("click", async () => {
    const vote = s.open && s.open.vote;
    if (!vote) return;
    const button = $("vote-confirm-yes");
    button.disabled = true;
    const data = { vote: vote.id };
    if (vote.questions.length === 1) data.choice = ui.picked[vote.questions[0].id];
    else data.choices = Object.fromEntries(vote.questions.map((q) => [String(q.id), ui.picked[q.id]]));
    try {
      const ans = await client.send("vote.cast", data, { idempotent: true });
      if (s.open && s.open.vote.id === vote.id) s.open.mine = { cast: true, cast_at: ans.cast_at, choices: ans.choices };
      ui.error = "";
    } catch (err) {
      if (err.code === "already_voted" && s.open) {
        s.open.mine = { cast: true, cast_at: err.details.cast_at, choices: err.details.choices };
      }
      ui.error = err.code === "already_voted" ? "" : errorText(err);
    } finally {
      button.disabled = false;
      ui.confirming = false; ui.changing = false; ui.picked = {};
      render();
    }
  });
}
