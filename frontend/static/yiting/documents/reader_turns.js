// Turning pages and zooming by hand in the reader: the previous/next buttons, the go-to
// field, the arrow and Page keys, a swipe (one pointer, mostly sideways, page not wider
// than the stage) and a pinch (two touches, the sheet follows the fingers live, the
// image is fetched at the end). The stage's touch-action leaves only scrolling to the
// browser; while the pen draws, or the vote has the screen, nothing here turns a page.
// Split out of reader.js: the input, not the rules (reader_follow.js decides what a
// turn does, reader_page.js what the stage shows).
const SWIPE_PX = 60;

export function mountTurns(r) {
  const { st, $ } = r;
  const turn = (delta) => r.follow.turn(delta);

  $("docs-prev").addEventListener("click", () => turn(-1));
  $("docs-next").addEventListener("click", () => turn(1));
  $("docs-goto").addEventListener("change", (ev) => { const n = Number(ev.target.value); if (n) r.follow.goTo(n); });
  document.addEventListener("keydown", (ev) => {
    if (!st.open || ev.target.closest("input, textarea, select") || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    if (document.querySelector("#tablet-vote[data-mode=sheet]")) return; // the vote has the screen
    if (ev.key === "ArrowRight" || ev.key === "PageDown") { ev.preventDefault(); turn(1); }
    if (ev.key === "ArrowLeft" || ev.key === "PageUp") { ev.preventDefault(); turn(-1); }
  });

  const vp = $("docs-viewport");
  const touches = new Map();
  let swipe = null;
  let pinch = null;
  vp.addEventListener("pointerdown", (ev) => {
    if (st.penActive && ev.target.closest("#docs-ink")) return;
    touches.set(ev.pointerId, { x: ev.clientX, y: ev.clientY });
    if (touches.size === 2) {
      const [a, b] = [...touches.values()];
      pinch = { dist: Math.hypot(a.x - b.x, a.y - b.y) || 1, zoom: st.zoom, now: st.zoom };
      swipe = null;
    } else if (touches.size === 1) {
      swipe = { x: ev.clientX, y: ev.clientY, t: performance.now() };
    }
  });
  vp.addEventListener("pointermove", (ev) => {
    if (!touches.has(ev.pointerId)) return;
    touches.set(ev.pointerId, { x: ev.clientX, y: ev.clientY });
    if (pinch && touches.size === 2) {
      const [a, b] = [...touches.values()];
      pinch.now = Math.min(3, Math.max(1, pinch.zoom * (Math.hypot(a.x - b.x, a.y - b.y) / pinch.dist)));
      r.page.layout(pinch.now); // live: the sheet follows the fingers; the image is fetched at the end
    }
  });
  const lift = (ev) => {
    if (!touches.has(ev.pointerId)) return;
    touches.delete(ev.pointerId);
    if (pinch) {
      if (touches.size === 0) { const z = pinch.now; pinch = null; r.page.setZoom(z); }
      return;
    }
    const s = swipe;
    swipe = null;
    if (!s || ev.type === "pointercancel" || st.penActive) return;
    const dx = ev.clientX - s.x, dy = ev.clientY - s.y;
    const fits = vp.scrollWidth <= vp.clientWidth + 2;
    if (Math.abs(dx) > SWIPE_PX && Math.abs(dx) > 1.5 * Math.abs(dy) && fits) turn(dx < 0 ? 1 : -1);
  };
  vp.addEventListener("pointerup", lift);
  vp.addEventListener("pointercancel", lift);
}
