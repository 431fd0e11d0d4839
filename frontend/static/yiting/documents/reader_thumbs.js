// The reader's thumbnails drawer: every page of the open document as a small image (the
// 800-wide page, loaded lazily), the current one marked, a tap reads that page. Drawn
// only while the drawer is open (tablet/shell.js says so with "tablet:drawer"). Split
// out of reader.js.
import { html, render, classMap, repeat } from "../render.js";
import { pageUrl } from "./api.js";

export function mountThumbs(r) {
  const { root, st, L, $, tell } = r;

  function renderThumbs() {
    if (!st.open) {
      render(html`<p class="muted">${L.lPick}</p>`, $("docs-thumbs"));
      return;
    }
    const doc = st.open.doc;
    const pages = Array.from({ length: doc.pages }, (_, i) => i + 1);
    render(
      html`${repeat(pages, (n) => `${doc.id}:${n}`, (n) => html`<button type="button" data-page=${n}
        class=${classMap({ current: n === st.open.page })} title="${L.lPage} ${n}">
        <img loading="lazy" alt="${L.lPage} ${n}" src=${pageUrl(doc, n, 800)}><span>${n}</span></button>`)}`,
      $("docs-thumbs"),
    );
  }

  function markThumb() {
    for (const b of $("docs-thumbs").querySelectorAll("button")) {
      b.classList.toggle("current", !!st.open && Number(b.dataset.page) === st.open.page);
    }
  }

  document.addEventListener("tablet:drawer", (ev) => {
    root.dataset.drawer = ev.detail || "";
    if (ev.detail === "thumbs") renderThumbs();
  });
  $("docs-thumbs").addEventListener("click", (ev) => {
    const b = ev.target.closest("button[data-page]");
    if (!b) return;
    r.follow.goTo(Number(b.dataset.page));
    tell("picked", { page: Number(b.dataset.page) });
  });

  return { render: renderThumbs, mark: markThumb };
}
