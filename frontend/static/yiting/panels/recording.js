// Recording panel: the tablet publishes its camera for the whole group sitting; the
// console shows who is being recorded; the review page lists, plays and deletes clips.
//
// The tablet publishes all the time (not only while speaking): negotiating a peer takes
// a second or more, and the server keeps a two-second pre-roll, so no speech loses its
// first second. The offer is sent complete (aiortc does not trickle ICE candidates).
import { html, nothing, render as draw, repeat } from "../render.js";
import { fmtDateTime, fmtDuration, fmtTime } from "../time.js";
import { errorText } from "../errors.js";
import { insecureHere } from "../secure.js";
import { aside, labelled } from "../words.js";

const MEDIA = { video: { width: 640, height: 360, frameRate: 15 }, audio: true };

function gathered(pc) {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => { if (pc.iceGatheringState === "complete") resolve(); };
    pc.addEventListener("icegatheringstatechange", done);
    setTimeout(resolve, 3000); // publish with the candidates found so far
  });
}

export function mountTablet(client, ctx) {
  const panel = document.getElementById("recording-panel");
  // Only group sittings record speeches: a plenary tablet never touches the camera.
  if (!panel || ctx.member == null || ctx.kind !== "group") return;
  const L = panel.dataset;
  const badge = document.getElementById("rec-state");
  const preview = document.getElementById("rec-preview");
  const progress = document.getElementById("rec-progress");
  const s = { pc: null, stream: null, wanted: true, busy: false, refused: false };
  const show = (state, label) => { badge.dataset.state = state; badge.textContent = label; };
  // The saving line renders the state of this member's latest recording, not the last
  // message: clip_progress is unsequenced and may arrive after clip_ready.
  const clip = { recording: null, done: 0, total: 0, ready: null };
  const ready = new Set();
  function renderProgress() {
    progress.hidden = clip.recording == null;
    progress.dataset.state = clip.ready ? "ready" : "saving";
    progress.textContent = clip.ready
      ? `${L.lSaved}${aside(fmtDuration(clip.ready.duration_s))}`
      // how far the saving is, as a share ("正在保存发言…（75%）"), not a bare "3/4"
      : `${L.lFinalising}${clip.total ? aside(`${Math.round((100 * clip.done) / clip.total)}%`) : ""}`;
  }
  function track(recording) {
    if (clip.recording !== recording) Object.assign(clip, { recording, done: 0, total: 0, ready: null });
  }

  async function start() {
    if (insecureHere()) {
      // no navigator.mediaDevices over plain HTTP at a LAN address: say so (the page's
      // banner says why), never try
      s.refused = true;
      show("insecure", L.lInsecure);
      return;
    }
    if (s.busy || s.refused || !s.wanted) return;
    s.busy = true;
    try {
      s.stream = s.stream || (await navigator.mediaDevices.getUserMedia(MEDIA));
      preview.srcObject = s.stream;
      const pc = new RTCPeerConnection();
      for (const t of s.stream.getTracks()) pc.addTrack(t, s.stream);
      await pc.setLocalDescription(await pc.createOffer());
      await gathered(pc);
      const ans = await client.send("media.publish", { sdp: pc.localDescription.sdp, kind: "member" });
      await pc.setRemoteDescription({ type: "answer", sdp: ans.sdp });
      pc.addEventListener("connectionstatechange", () => {
        if (["failed", "closed"].includes(pc.connectionState) && s.pc === pc) {
          s.pc = null;
          show("off", L.lOff);
          setTimeout(start, 2000);
        }
      });
      if (s.pc) s.pc.close();
      s.pc = pc;
      panel.dataset.publisher = ans.publisher;
      show("live", L.lLive);
    } catch (err) {
      if (err && (err.code === "not_group_sitting" || err.code === "not_publisher")) {
        s.refused = true;
        panel.hidden = true;
        return;
      }
      if (err && err.code === "codec_not_recorded") {
        s.refused = true; // the same offer would be refused again: do not retry
        show("failed", L.lCodec);
        return;
      }
      show("failed", labelled(L.lFailed, errorText(err.code ? err : { code: "internal_error", message: String(err) })));
    } finally {
      s.busy = false;
    }
  }

  function stop() {
    s.wanted = false;
    if (s.pc) s.pc.close();
    s.pc = null;
    if (s.stream) s.stream.getTracks().forEach((t) => t.stop());
    s.stream = null;
    preview.srcObject = null;
    client.send("media.unpublish", {}).catch(() => {});
    show("off", L.lOff);
  }

  panel.hidden = false;
  document.getElementById("rec-toggle").addEventListener("click", () => {
    if (s.wanted) stop(); else { s.wanted = true; start(); }
  });
  client.on("synced", () => { if (!s.pc) start(); });
  const mine = (d) => d.member === ctx.member;
  client.on("media.recording_started", (d) => { if (mine(d)) show("recording", L.lRecording); });
  client.on("media.recording_stopped", (d) => {
    if (!mine(d) || ready.has(d.recording)) return;
    show("finalising", L.lFinalising);
    track(d.recording);
    renderProgress();
  });
  client.on("media.clip_progress", (d) => {
    if (!mine(d) || ready.has(d.recording)) return; // late progress of a saved clip
    track(d.recording);
    clip.done = Math.max(clip.done, d.done);
    clip.total = d.total;
    renderProgress();
  });
  client.on("media.clip_ready", (d) => {
    if (!mine(d)) return;
    ready.add(d.recording);
    track(d.recording);
    clip.ready = d;
    renderProgress();
    show(s.pc ? "live" : "off", s.pc ? L.lLive : L.lOff);
  });
}

export function mountConsole(client, ctx) {
  const panel = document.getElementById("recording-panel");
  if (!panel) return;
  const L = panel.dataset;
  const st = { names: new Map(), publishers: new Map(), recording: new Map(), log: [] };
  const name = (id) => st.names.get(id) || `#${id}`;
  let logged = 0;
  const log = (text, cls = "") => {
    st.log.unshift({ n: logged++, at: fmtTime(), text, cls });
    render();
  };
  function render() {
    draw(html`${repeat(st.log, (e) => e.n, (e) => html`<li class=${e.cls}>${e.at} ${e.text}</li>`)}`,
      document.getElementById("rec-log"));
    const now = [...st.recording.values()].filter((r) => r.state === "recording");
    const el = document.getElementById("rec-now");
    el.dataset.members = now.map((r) => r.member).join(",");
    el.textContent = now.length
      ? now.map((r) => `● ${L.lRecording}：${name(r.member)}${r.source === "room" ? `（${L.lRoom}）` : ""}`).join(" · ")
      : L.lNone;
    el.className = now.length ? "pill warn" : "muted";
    const pubs = [...st.publishers.values()].filter((p) => p.live);
    document.getElementById("rec-publishers").textContent =
      pubs.map((p) => (p.kind === "room" ? L.lRoom : name(p.member))).join(", ") || "—";
  }
  client.on("snapshot", (snap) => {
    for (const m of snap.roster || []) st.names.set(m.id, m.name);
    st.publishers = new Map((snap.media?.publishers || []).map((p) => [p.publisher, p]));
    st.recording = new Map((snap.media?.recording || []).map((r) => [r.recording, r]));
    render();
  });
  client.on("media.publisher_changed", (p) => { st.publishers.set(p.publisher, p); render(); });
  client.on("media.recording_started", (r) => { st.recording.set(r.recording, r); render(); });
  client.on("media.recording_stopped", (r) => { st.recording.set(r.recording, r); render(); });
  client.on("media.clip_progress", (d) => {
    document.getElementById("rec-now").dataset.progress = `${d.done}/${d.total}`;
  });
  client.on("media.clip_ready", (d) => {
    st.recording.delete(d.recording);
    log(`${L.lReady}：${name(d.member)}（${fmtDuration(d.duration_s)}）`, "ok");
    render();
  });
  client.on("media.recording_failed", (d) => {
    st.recording.delete(d.recording);
    log(`${L.lFailed}：${name(d.member)} — ${errorText({ code: d.code, message: d.code })}`, "warn");
    render();
  });
  // Plenaries are not recorded: a missing stream there is no news.
  client.on("media.not_recorded", (d) => {
    if (ctx.kind === "group") log(`${L.lMissing}：${name(d.member)}`, "warn");
  });
  const gib = (b) => (b / 2 ** 30).toFixed(1);
  client.on("media.disk_low", (d) =>
    log(`${L.lDiskLow}：${gib(d.free_bytes)} GiB（${L.lDiskRefuse} ${gib(d.refuse_below_bytes)} GiB）`, "warn"));
}

export function mountDisplay(client, ctx) {}

// --- staff review (no socket: plain HTTP with the session cookie) ----------------------
// A typed date in the order people write it ("2026/11/3", "2026年11月3日", "2026.11.03")
// becomes the server's YYYY-MM-DD; anything else is left for the field to refuse.
function asDate(text) {
  const m = /^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$/.exec(text);
  return m ? `${m[1]}-${m[2].padStart(2, "0")}-${m[3].padStart(2, "0")}` : text.trim();
}

export function mountReview(root) {
  if (!root) return;
  const L = root.dataset;
  const form = document.getElementById("review-filter");
  const tbody = root.querySelector("#review-table tbody");
  const csrf = () => document.querySelector("input[name=csrfmiddlewaretoken]")?.value || "";
  const opts = JSON.parse(document.getElementById("review-options").textContent);
  const field = (n) => form.elements.namedItem(n);
  let playing = null; // the clip in the player: filters never stop or reset it

  // Name or pinyin initials → member ids ("lyl" and "李" both find 李玉兰).
  function membersFor(text) {
    const t = text.trim().toLowerCase();
    if (!t) return "";
    const exact = opts.members.filter((m) => m.name === text.trim());
    const found = exact.length ? exact : opts.members.filter((m) => m.name.includes(t) || m.initials.startsWith(t) || m.seat === t);
    return found.map((m) => m.id).join(",") || "none";
  }
  // Sittings follow the session chosen, items the sitting; choices are names, never ids.
  // The first option ("all") is in the template; the choices follow it.
  // Each choice says what tells it apart where it is listed (review_filters.py): with
  // every session listed a sitting names its session; an item names its sitting (and
  // session) unless one sitting is chosen.
  function fill(select, rows, keep, key) {
    draw(html`${repeat(rows, (r) => r.id, (r) => html`<option value=${r.id}>${r[key] || r.title}</option>`)}`, select);
    select.value = rows.some((r) => String(r.id) === keep) ? keep : "";
  }
  const view = { clips: [], canDelete: false };
  const clipRow = (c) => html`<tr data-clip=${c.clip} class=${playing === c.clip ? "playing" : ""}>
      <td><a href="/media/members/${c.member.id}/record/">${c.member.name}</a></td>
      <td>${c.session.title}</td><td>${c.sitting.title}</td>
      <td>${c.item ? c.item.title : "—"}</td>
      <td>${fmtDateTime(c.started_at)}</td>
      <td>${fmtDuration(c.duration_s)}${c.stream_lost ? html` <span class="pill warn">${L.lLost}</span>` : nothing}${c.source === "room" ? html` <span class="pill">${L.lRoom}</span>` : nothing}</td>
      <td><button class="play" type="button" @click=${() => play(c)}>${L.lPlay}</button>
        ${c.downloadable ? html`<a href="${c.links.file}?download=1">${L.lDownload}</a>` : nothing}
        ${view.canDelete ? html`<button class="delete" type="button" @click=${() => remove(c)}>${L.lDelete}</button>` : nothing}</td>
    </tr>`;
  const renderClips = () => draw(html`${repeat(view.clips, (c) => c.clip, clipRow)}`, tbody);
  function cascade() {
    const session = field("session").value;
    fill(field("sitting"), opts.sittings.filter((s) => !session || String(s.session) === session), field("sitting").value,
      session ? "label" : "label_all");
    const sitting = field("sitting").value;
    const sittings = new Set(opts.sittings.filter((s) => !session || String(s.session) === session).map((s) => s.id));
    fill(field("item"), opts.items.filter((i) => (sitting ? String(i.sitting) === sitting : sittings.has(i.sitting))), field("item").value,
      sitting ? "label" : session ? "label_session" : "label_all");
  }

  async function load() {
    const member = membersFor(field("who").value);
    field("member").value = member;
    const err0 = document.getElementById("review-error");
    if (member === "none") {
      err0.hidden = false; err0.className = "pill warn"; err0.textContent = L.lNoMatch;
      view.clips = []; renderClips(); document.getElementById("review-count").textContent = "";
      return;
    }
    const pairs = [...new FormData(form)].filter(([k, v]) => v !== "" && k !== "who");
    const q = new URLSearchParams(pairs);
    // the filters are in the address, so a link (e.g. from a deputy record) opens them
    const shown = new URLSearchParams([...new FormData(form)].filter(([k, v]) => v !== "" && k !== "member"));
    history.replaceState(null, "", `${location.pathname}${shown.toString() ? `?${shown}` : ""}`);
    const res = await fetch(`${L.api}?${q}`, { credentials: "same-origin" });
    const body = await res.json();
    const err = document.getElementById("review-error");
    err.hidden = res.ok;
    err.className = res.ok ? "" : "pill warn";
    if (!res.ok) { err.textContent = errorText(body.error); return; }
    document.getElementById("review-empty").hidden = body.clips.length > 0;
    document.getElementById("review-count").textContent = `${body.count} ${L.lCount}`;
    view.clips = body.clips;
    view.canDelete = !!body.can_delete;
    renderClips();
  }

  function play(c) {
    const box = document.getElementById("review-player");
    const video = document.getElementById("review-video");
    box.hidden = false;
    box.dataset.clip = c.clip;
    playing = c.clip;
    renderClips();
    document.getElementById("review-title").textContent =
      [c.member.name, c.session.title, c.sitting.title, c.item && c.item.title].filter(Boolean).join(" · ");
    if (c.links.poster) video.poster = c.links.poster; else video.removeAttribute("poster");
    video.src = c.links.file;
    // the player plays where the reviewer looks: beside the list, held on screen while the
    // list scrolls (review_clips.html); brought into view should the page be elsewhere
    box.scrollIntoView({ block: "nearest" });
    video.play().catch(() => {});
  }

  async function remove(c) {
    const reason = prompt(L.lReason);
    if (reason == null) return;
    const res = await fetch(`/media/clips/${c.clip}/delete`, {
      method: "POST", credentials: "same-origin",
      headers: { "X-CSRFToken": csrf(), "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ reason }),
    });
    if (!res.ok) alert(errorText((await res.json()).error));
    load();
  }

  // Filters apply as they change (typing waits a moment); the player keeps playing.
  let timer = null;
  const soon = () => { clearTimeout(timer); timer = setTimeout(load, 250); };
  form.addEventListener("submit", (ev) => { ev.preventDefault(); load(); });
  form.addEventListener("input", (ev) => { if (ev.target.name === "who") soon(); });
  form.addEventListener("change", (ev) => {
    if (ev.target.classList.contains("date-field")) {
      ev.target.value = asDate(ev.target.value);
      if (!ev.target.checkValidity()) { ev.target.reportValidity(); return; }
    }
    if (ev.target.name === "session" || ev.target.name === "sitting") cascade();
    if (ev.target.name !== "who") load();
  });
  form.addEventListener("reset", () => setTimeout(() => { cascade(); load(); }, 0));
  // open with the filters of the address (?member=12 from the deputy record, or ?who=…)
  const params = new URLSearchParams(location.search);
  const byId = params.get("member") && opts.members.find((m) => String(m.id) === params.get("member"));
  if (byId) field("who").value = byId.name;
  for (const k of ["who", "session", "from", "to"]) if (params.get(k)) field(k).value = params.get(k);
  cascade();
  for (const k of ["sitting", "item"]) {
    if (params.get(k)) { field(k).value = params.get(k); cascade(); }
  }
  load();
}
