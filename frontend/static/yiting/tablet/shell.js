// The tablet's frame around the document: one drawer open at a time (agenda, documents,
// thumbnails, search, notes), the current item in the top bar, the floor dock folding
// open and shut, the layers kept apart by one stacking rule (tablet.css, docs/documents.md), the Service Worker that keeps the shell for offline reading (scope
// /tablet/, frontend/serviceworker/tablet.js), and the kept pages dropped on logout.
//
// Drawers are <aside data-drawer-panel="name"> opened by <button data-drawer="name">;
// tapping the page or Escape closes them. With no document open the documents drawer
// is the screen (nothing else to read); opening a document closes it.
import { dropAllPages } from "../documents/api.js";
import { insecureHere } from "../secure.js";

export function mountShell(client, ctx) {
  const body = document.body;
  const panels = () => [...document.querySelectorAll("[data-drawer-panel]")];
  const buttons = () => [...document.querySelectorAll("button[data-drawer]")];
  const shell = { drawer: "", auto: false, readerOpen: false };
  window.yitingTablet = shell; // for tests

  function openDrawer(name, { auto = false } = {}) {
    shell.drawer = name || "";
    shell.auto = auto && !!name;
    for (const p of panels()) p.hidden = p.dataset.drawerPanel !== shell.drawer;
    for (const b of buttons()) b.setAttribute("aria-expanded", String(b.dataset.drawer === shell.drawer));
    body.dataset.drawer = shell.drawer;
    document.dispatchEvent(new CustomEvent("tablet:drawer", { detail: shell.drawer }));
    if (shell.drawer === "search") document.getElementById("docs-q")?.focus({ preventScroll: true });
  }
  shell.open = openDrawer;

  document.addEventListener("click", (ev) => {
    const b = ev.target.closest("button[data-drawer]");
    if (b) {
      openDrawer(shell.drawer === b.dataset.drawer ? "" : b.dataset.drawer);
      return;
    }
    // a tap on the page (not a drag, not the pen) closes a drawer that covers it
    if (shell.drawer && ev.target.closest("#docs-viewport") && shell.readerOpen) openDrawer("");
  });
  document.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape" && shell.drawer && shell.readerOpen) openDrawer("");
  });
  document.addEventListener("reader:state", (ev) => {
    shell.readerOpen = ev.detail.open;
    if (!ev.detail.open && !shell.drawer) openDrawer("docs", { auto: true });
    if (ev.detail.open && shell.auto) openDrawer("");
  });
  // the member picked a document, a thumbnail or a search hit: show them the page
  document.addEventListener("reader:picked", () => {
    if (shell.drawer && window.matchMedia("(max-width: 1100px)").matches) openDrawer("");
    else if (shell.drawer === "docs") openDrawer("");
  });
  openDrawer("docs", { auto: true });

  // The stacking rule (docs/documents.md): drawers and the vote sheet start under the
  // bars and end where the rail begins, whatever height each wraps or grows to; the rail
  // (vote bar, floor dock, camera) is never covered.
  const bar = document.querySelector("header.topbar");
  const tools = document.querySelector(".tablet-tools");
  const rail = document.getElementById("tablet-rail");
  const px = (name, value) => body.style.setProperty(name, `${Math.max(0, Math.round(value))}px`);
  const measure = () => {
    if (bar) px("--tablet-bar", bar.getBoundingClientRect().bottom);
    if (tools) px("--tablet-top", tools.getBoundingClientRect().bottom);
    if (rail) px("--tablet-rail", window.innerHeight - rail.getBoundingClientRect().top);
  };
  const watch = new ResizeObserver(measure);
  for (const el of [document.body, tools, rail]) if (el) watch.observe(el);
  window.addEventListener("resize", measure);
  measure();

  // the current agenda item, in the top bar
  const item = document.getElementById("tb-item");
  client.on("render", () => {
    const cur = ctx.state.agenda.items.find((i) => i.state === "current");
    item.textContent = cur ? cur.title : item.dataset.lNone;
    item.title = item.textContent;
    item.dataset.item = cur ? cur.id : "";
  });

  // the floor dock: folded to one line (ask / withdraw / place / speaking), or open
  const dock = document.getElementById("tablet-dock");
  const more = document.getElementById("floor-more");
  if (dock && more) {
    more.addEventListener("click", () => {
      const open = dock.dataset.open !== "true";
      dock.dataset.open = String(open);
      more.setAttribute("aria-expanded", String(open));
      more.textContent = `${open ? dock.dataset.lLess : dock.dataset.lMore} ${open ? "▾" : "▴"}`;
    });
    more.textContent = `${dock.dataset.lMore} ▴`;
  }

  // Plain HTTP at a LAN address: no camera, no offline reading; the banner says why.
  const insecure = document.getElementById("insecure-context");
  if (insecure && insecureHere()) insecure.hidden = false;

  // Offline-tolerant reading: the worker keeps the shell and the last tablet page, so a
  // reload without network still opens the pages already read.
  const sw = document.getElementById("documents-panel")?.dataset.sw;
  if (sw && "serviceWorker" in navigator) {
    const keep = () => navigator.serviceWorker.controller?.postMessage({ type: "keep-page", url: location.pathname });
    // loaded before the worker was there (the first visit, a new version): ask it to
    // keep this page; a page it served itself is kept already
    if (!navigator.serviceWorker.controller) navigator.serviceWorker.addEventListener("controllerchange", keep, { once: true });
    navigator.serviceWorker.register(sw, { scope: sw.replace(/sw\.js$/, "") })
      .catch((err) => console.warn("service worker not registered", err));
  }

  // Logging out leaves no page image on the tablet (confidential ones included), nor the
  // kept tablet page; the login page drops them too, whatever way led there.
  const logout = document.querySelector("header form[action$='/logout/']");
  if (logout) {
    logout.addEventListener("submit", (ev) => {
      if (logout.dataset.cleared) return;
      ev.preventDefault();
      dropAllPages().finally(() => { logout.dataset.cleared = "1"; logout.submit(); });
    });
  }
  client.on("documents.changed", (d) => {
    if (d.reason === "recalled" && !d.documents.length) dropAllPages();
  });
  return shell;
}
