// Vote panel (表决): the member's ballot, the clerk's console, the wall display.
//
// One follower keeps the sitting's vote state from the `votes` snapshot part and the
// vote.* events; each view redraws from it. The tablet casts with an idempotent key
// (client.send(..., {idempotent: true})), so a ballot sent while the Wi-Fi drops goes
// out again after the reconnect with the same key and is counted once. What the tablet
// shows as "your ballot" comes from the server (reply, snapshot), never from a guess.
import { fmtClock } from "../client.js";
import { html, nothing, render as draw, repeat } from "../render.js";
import { errorText } from "../errors.js";
import { label } from "../labels.js";

function follow(client, ctx, onChange) {
  // `missing` is the server's "not yet voted" (vote.progress, snapshot), never rebuilt here;
  // `named` the per-member lists loaded on request, by vote id.
  const s = { open: null, latest: null, prepared: [], history: [], missing: [], offset: 0, note: "", named: {} };
  const early = new Map(); // progress that overtook its vote.opened (unsequenced), by vote id
  client.on("snapshot", (snap) => {
    const v = snap.votes || {};
    s.open = v.open; s.latest = v.latest;
    s.prepared = v.prepared || []; s.history = v.history || [];
    s.kinds = v.kinds || {}; // what each kind of vote allows (the server's; consoles only)
    s.missing = (v.open && v.open.progress && v.open.progress.not_voted) || [];
    onChange(s);
  });
  client.on("vote.prepared", (d) => {
    s.prepared = [...s.prepared.filter((p) => p.id !== d.vote.id), d.vote];
    s.history = [...s.history, { id: d.vote.id, question: d.vote.question, state: "prepared", round: d.vote.round, kind: d.vote.kind }];
    onChange(s);
  });
  client.on("vote.opened", (d) => {
    s.prepared = s.prepared.filter((p) => p.id !== d.vote.id);
    s.missing = [];
    s.open = { vote: d.vote, mine: { cast: false }, progress: { cast: 0 } };
    s.note = "";
    setHistory(s, d.vote);
    if (early.has(d.vote.id)) applyProgress(early.get(d.vote.id));
    early.clear();
    onChange(s);
  });
  // The server's count and its list of who has not voted, as they are now.
  function applyProgress(d) {
    const p = s.open.progress || {};
    if (d.cast < (p.cast || 0)) return; // an older progress, overtaken by a newer one
    // a ballot's quick notice carries no tally for a named vote; the slice after it does
    s.open.progress = { ...p, cast: d.cast, counts: d.counts || p.counts };
    if (d.not_voted) s.missing = d.not_voted;
  }
  client.on("vote.progress", (d) => {
    if (!s.open || s.open.vote.id !== d.vote) { early.set(d.vote, d); return; }
    applyProgress(d);
    onChange(s);
  });
  client.on("vote.closed", (d) => {
    const mine = s.open && s.open.vote.id === d.vote.id ? s.open.mine : null;
    if (s.open && s.open.vote.id === d.vote.id) s.open = null;
    s.latest = { vote: d.vote, result: d.result, mine };
    setHistory(s, d.vote, d.result.passed);
    onChange(s);
  });
  client.on("vote.named_result", (d) => {
    if (s.latest && s.latest.vote.id === d.vote) s.latest.result = { ...s.latest.result, named: d.named };
    onChange(s);
  });
  client.on("vote.announced", (d) => {
    if (s.latest && s.latest.vote.id === d.vote.id) s.latest.vote = d.vote;
    setHistory(s, d.vote);
    onChange(s);
  });
  client.on("vote.cancelled", (d) => {
    if (s.open && s.open.vote.id === d.vote.id) { s.open = null; s.note = "cancelled"; }
    s.prepared = s.prepared.filter((p) => p.id !== d.vote.id);
    setHistory(s, d.vote);
    onChange(s);
  });
  client.on("render", () => onChange(s)); // attendance changes who may vote on this tablet
  client.on("synced", () => measureOffset(client, s));
  return s;
}

function setHistory(s, vote, passed) {
  const h = s.history.find((x) => x.id === vote.id);
  if (h) { h.state = vote.state; if (passed !== undefined) h.passed = passed; }
}

async function measureOffset(client, s) {
  const sent = Date.now();
  try {
    const ans = await client.request("ping", {});
    const back = Date.now();
    s.offset = Date.parse(ans.server_time) + (back - sent) / 2 - back;
  } catch { /* keep the last offset */ }
}

function secondsLeft(s, vote) {
  if (!vote || !vote.closes_at) return null;
  return (Date.parse(vote.closes_at) - (Date.now() + s.offset)) / 1000;
}

const zh = () => (document.documentElement.lang || "zh").toLowerCase().startsWith("zh");
const labelOf = (vote, key) => (vote.options.find((o) => o.key === key) || { label: key }).label;

// One line per ballot question ("question：choice"), separated by line breaks.
function choicesTpl(vote, choices) {
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
async function loadNamed(button, vote, s, onChange) {
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

// -- member tablet ------------------------------------------------------------------------

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

// -- clerk console ------------------------------------------------------------------------

export function mountConsole(client, ctx) {
  const root = document.getElementById("vote-console");
  if (!root) return;
  const L = root.dataset;
  const $ = (id) => document.getElementById(id);
  const s = follow(client, ctx, () => render());
  const fail = (err) => { $("vc-error").hidden = false; $("vc-error").textContent = errorText(err); $("vc-error").dataset.code = err.code; };
  const ok = () => { $("vc-error").hidden = true; };

  // The countdown of the open vote; at zero, close it when the clerk asked for that.
  let autoClosed = null;
  function tick() {
    const left = secondsLeft(s, s.open && s.open.vote);
    const t = $("vc-timer");
    if (left == null) { t.textContent = ""; t.dataset.remaining = ""; return; }
    t.dataset.remaining = String(Math.max(0, Math.round(left)));
    t.textContent = left <= 0 ? L.lTimeUp : `${L.lTimeLeft || ""} ${fmtClock(left)}`.trim();
    t.classList.toggle("up", left <= 0);
    if (left <= 0 && $("vc-autoclose").checked && autoClosed !== s.open.vote.id) {
      autoClosed = s.open.vote.id;
      $("vc-close").click();
    }
  }
  setInterval(() => { if (s.open) tick(); }, 1000);

  // While a round is open its live panel (count, countdown, tally, close) is in the
  // console's "now" strip and the prepare form folds away; the card keeps who has not voted.
  function render() {
    draw(html`${repeat(s.prepared, (v) => v.id, (v) => html`<li data-vote=${v.id}>
      <strong>${v.question}</strong> <span class="pill">${v.kind === "secret" ? L.lSecret : L.lNamed}</span>
      <span class="muted">${zh() ? v.rule.label_zh : v.rule.label}${v.round > 1 ? ` · ${L.lRound} ${v.round}` : ""}</span>
      <button class="primary" data-act="open" ?disabled=${!!s.open}>${L.lOpen}</button> <button data-act="cancel">${L.lCancel}</button></li>`)}`, $("vc-prepared"));
    const open = s.open;
    $("vc-open").hidden = !open;
    $("vc-open-detail").hidden = !open;
    const box = $("vc-prepare-box");
    box.hidden = !!open;
    if (open) box.open = false;
    document.getElementById("console-now")?.dispatchEvent(new Event("now-changed"));
    const shown = open ? open.vote.state : s.latest ? s.latest.vote.state : "";
    $("vc-state").textContent = shown ? label("vote_state", shown) : "";
    $("vc-state").dataset.state = shown;
    if (open) renderOpen(open);
    else draw(nothing, $("vc-counts"));
    const latest = s.latest;
    $("vc-result").hidden = !latest || !!open;
    if (latest && !open) {
      const v = latest.vote;
      draw(html`<h3>${v.question}</h3>${resultTpl(v, latest.result, L, { named: s.named[v.id] })}<div class="row">${v.state === "closed"
        ? html`<button class="primary" data-act="announce" data-vote=${v.id}>${L.lAnnounce}</button> ` : nothing}<button data-act="revote" data-vote=${v.id}>${L.lRevote}</button>
        <a href="/votes/${v.id}/result.pdf" target="_blank">${L.lResultPdf}</a>
        <a href="/votes/${v.id}/result.csv">${L.lResultCsv}</a></div>`, $("vc-result"));
    }
    draw(html`${repeat(s.history, (h) => h.id, (h) => html`<li data-vote=${h.id}>${h.question} · ${label("vote_state", h.state)}${h.round > 1 ? ` · ${L.lRound} ${h.round}` : ""}${h.passed == null ? "" : ` · ${h.passed ? L.lPassed : L.lFailed}`}</li>`)}`, $("vc-history"));
  }

  // The server's count of those present and of ballots cast; for a named vote the server's
  // running tally per option (vote.progress carries it to clerks and chairs, never for a
  // secret ballot, so none is drawn for one).
  function renderOpen(open) {
    tick();
    const vote = open.vote;
    const q = ctx.state.attendance.quorum;
    const cast = (open.progress && open.progress.cast) || 0;
    $("vc-question").textContent = vote.question;
    $("vc-kind").textContent = vote.kind === "secret" ? L.lSecret : L.lNamed;
    $("vc-progress").dataset.cast = cast;
    $("vc-progress").textContent = `${cast} ${L.lVoted} / ${q ? q.present : "?"} ${L.lPresent}`;
    $("vc-missing-count").textContent = s.missing.length;
    // the server's list (vote.progress): for a secret ballot too, it says only who has cast
    draw(html`${repeat(s.missing, (m) => m.id, (m) => html`<li data-member=${m.id}>${m.seat} ${m.name}</li>`)}`, $("vc-missing"));
    const counts = vote.kind === "secret" ? null : open.progress && open.progress.counts;
    const many = vote.questions.length > 1;
    draw(counts ? html`<span class="muted">${L.lTally}：</span>${vote.questions.map((qn) => {
      const c = counts[String(qn.id)] || {};
      return html`<span class="vc-tally" data-question=${qn.id}>${many ? `${qn.text}：` : ""}${vote.options.map((o, n) => html`${n ? " · " : ""}${o.label} <b data-option=${o.key}>${c[o.key] || 0}</b>`)}</span>`;
    })}` : nothing, $("vc-counts"));
  }

  // Closing with ballots outstanding and time left asks once, saying what will happen; at
  // zero, or with everyone present voted, it closes at once.
  function closeOpen() {
    if (!s.open) return;
    const left = secondsLeft(s, s.open.vote);
    const outstanding = s.missing.length;
    if (outstanding > 0 && (left == null || left > 0)) {
      const text = (left == null ? L.lConfirmCloseOpen : L.lConfirmClose)
        .replace("{n}", outstanding).replace("{s}", Math.ceil(left || 0));
      if (!confirm(text)) return;
    }
    client.send("vote.close", { vote: s.open.vote.id }).then(ok).catch(fail);
  }

  root.addEventListener("click", (ev) => {
    const b = ev.target.closest(".vote-named-load");
    if (b && s.latest) loadNamed(b, s.latest.vote, s, render);
  });

  $("vc-prepare").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const f = new FormData(ev.target);
    const [base, numerator, denominator, strict] = f.get("rule").split(",");
    const kind = s.kinds[f.get("kind")] || { choices_visible: [] }; // the server's table
    const data = {
      item: ctx.state.agenda.current,
      question: f.get("question"),
      kind: f.get("kind"),
      questions: String(f.get("questions") || "").split("\n").map((x) => x.trim()).filter(Boolean),
      rule: { base, numerator: Number(numerator), denominator: Number(denominator), strict: strict === "1" },
      duration_s: f.get("duration_s") ? Number(f.get("duration_s")) : null,
      allow_change: !!kind.allow_change && f.get("allow_change") === "on",
      show_running: !!kind.show_running && f.get("show_running") === "on",
      choices_visible: kind.choices_visible.includes(f.get("choices_visible")) ? f.get("choices_visible") : kind.choices_visible[0],
    };
    if (data.item == null) return fail({ code: "no_item", message: "—" });
    client.send("vote.prepare", data, { idempotent: true }).then(() => { ok(); ev.target.reset(); }).catch(fail);
  });
  root.addEventListener("click", (ev) => {
    const b = ev.target.closest("button[data-act]");
    if (!b) return;
    const id = Number(b.dataset.vote || b.closest("[data-vote]").dataset.vote);
    const act = b.dataset.act;
    if (act === "cancel") {
      const reason = prompt(L.lReason);
      if (reason) client.send("vote.cancel", { vote: id, reason }).then(ok).catch(fail);
      return;
    }
    if (act === "revote") return client.send("vote.revote", { vote: id }, { idempotent: true }).then(ok).catch(fail);
    client.send(`vote.${act}`, { vote: id }).then(ok).catch(fail);
  });
  $("vc-close").addEventListener("click", closeOpen);
  $("vc-cancel").addEventListener("click", () => {
    if (!s.open) return;
    const reason = prompt(L.lReason);
    if (reason) client.send("vote.cancel", { vote: s.open.vote.id, reason }).then(ok).catch(fail);
  });
}

// -- wall display -------------------------------------------------------------------------

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
