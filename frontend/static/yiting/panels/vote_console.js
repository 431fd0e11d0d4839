// The clerk's vote console (表决): prepare a round (kind, rule, questions, time limit),
// open, close (asking once when ballots are outstanding and time is left), cancel,
// announce, revote; while a round is open its live count, countdown, who has not voted
// and, for a named vote, the server's running tally; the result with its PDF and CSV.
import { fmtClock } from "../client.js";
import { html, nothing, render as draw, repeat } from "../render.js";
import { errorText } from "../errors.js";
import { label } from "../labels.js";
import { follow, secondsLeft } from "./vote_follow.js";
import { loadNamed, resultTpl, zh } from "./vote_format.js";

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
