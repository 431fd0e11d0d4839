// Wall display: read-only and full screen; the current item, the quorum, the speaker with
// the countdown and the queue (floor panel), the vote in progress and its result (vote panel).
import { currentItem, setup } from "../core.js";
import * as floor from "../panels/floor.js";
import * as vote from "../panels/vote.js";
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

for (const panel of [floor, vote]) panel.mountDisplay(client, ctx);
client.connect();
