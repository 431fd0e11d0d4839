// Wall display: read-only and full screen; the current item, the quorum, the speaker with
// the countdown and the queue (floor panel), the vote in progress and its result (vote panel).
import { currentItem, setup } from "../core.js";
import * as floor from "../panels/floor.js";
import * as vote from "../panels/vote_wall.js";
import { fmtTime } from "../time.js";

const { client, ctx } = setup();
const wall = document.getElementById("wall");
const clock = document.getElementById("wall-clock");

client.on("render", () => {
  document.getElementById("wall-ended").hidden = ctx.state.sitting !== "ended";
  const cur = currentItem(ctx);
  document.getElementById("current-item").textContent = cur ? `${cur.order}. ${cur.title}` : "—";
});

const tick = () => {
  clock.textContent = fmtTime(new Date(), { seconds: false });
};
tick();
setInterval(tick, 15000);

// A wall is started once and left running: full screen on the first key or click.
const full = () => {
  if (!document.fullscreenElement && document.documentElement.requestFullscreen) {
    document.documentElement.requestFullscreen().catch(() => {});
  }
};
document.getElementById("wall-fullscreen").addEventListener("click", full);
document.addEventListener("keydown", (ev) => { if (ev.key === "f" || ev.key === "F") full(); });
wall.dataset.ready = "1";

// The presented page: the title and "第 3 / 6 页" always; the page image when this wall may
// read the document (docs_store's access rules: the wall reads public documents), known
// from the documents the server lists for it (snapshot, then the list on a change).
const present = document.getElementById("wall-present");
const P = present.dataset;
const shown = { presenter: { document: null }, readable: new Set() };
function renderPresent() {
  const p = shown.presenter;
  present.hidden = !p.document;
  document.getElementById("wall-body").dataset.presenting = p.document ? "1" : "";
  if (!p.document) return;
  document.getElementById("wall-present-title").textContent = p.title;
  const no = document.getElementById("wall-present-pageno");
  no.textContent = P.lPageOf.replace("{page}", p.page).replace("{pages}", p.pages);
  no.dataset.page = p.page;
  const img = document.getElementById("wall-present-page");
  const readable = shown.readable.has(p.document);
  img.hidden = !readable;
  if (!readable) return;
  const src = `/docs/d/${p.document}/v/${p.version}/p/${p.page}/1600.jpg`;
  if (img.getAttribute("src") !== src) img.src = src;
  img.dataset.page = p.page;
}
const setReadable = (docs) => { shown.readable = new Set((docs || []).map((d) => d.id)); };
async function refreshReadable() {
  try {
    const resp = await fetch(P.docsUrl, { credentials: "same-origin" });
    if (resp.ok) setReadable((await resp.json()).documents);
  } catch { /* keep what the snapshot said */ }
  renderPresent();
}
client.on("snapshot", (snap) => {
  if (snap.documents) setReadable(snap.documents.documents);
  if (snap.presenter) shown.presenter = snap.presenter;
  renderPresent();
});
client.on("presenter.page", (p) => { shown.presenter = p; renderPresent(); });
client.on("documents.changed", refreshReadable);

for (const panel of [floor, vote]) panel.mountDisplay(client, ctx);
client.connect();
