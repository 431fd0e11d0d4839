// The tablet's Service Worker: the member keeps reading when the network goes.
//
// Scope /tablet/ (served at /tablet/sw.js by frontend/offline.py, which puts
// self.YITING_SW = {version, shell, static} in front of this file). It keeps:
// - the shell (the tablet's modules, styles, icon, vendored lit-html) in
//   "yiting-shell-<version>", filled at install, under the URLs pages ask for (after
//   collectstatic the hashed names, deploy/staticfiles.py); the version is a digest of
//   those URLs and files, so a deploy installs a new worker, which drops the old shell
//   cache when it activates;
// - the last tablet page (HTML) this browser loaded while online, in "yiting-html"
//   (one entry; only a 200 text/html answer that is not a redirect: never a login page);
// and, when the network is gone, answers page images from "yiting-pages-<user>", which
// the reader itself fills with the images the server sent this login (documents/api.js).
// It stores no API answer, no socket data and no page image of its own; it never
// touches POSTs. Logging out deletes "yiting-html" and "yiting-pages-*" (tablet/shell.js,
// and the login page for any other way out).
const CFG = self.YITING_SW;
const SHELL = `yiting-shell-${CFG.version}`;
const HTML = "yiting-html";
const PAGES_PREFIX = "yiting-pages-";
const NAV_TIMEOUT_MS = 6000; // a network that hangs counts as gone for the page itself
const SHELL_URLS = new Set(CFG.shell.map((u) => new URL(u, self.location.origin).href));
const TABLET_PAGE = /^\/tablet\/\d+\/$/;
const PAGE_IMAGE = /^\/docs\/d\/\d+\/v\/\d+\/p\/\d+\/\d+\.jpg$/;

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL);
    // past the HTTP cache: the files of this version, not what a proxy kept
    await cache.addAll([...SHELL_URLS].map((u) => new Request(u, { cache: "reload", credentials: "same-origin" })));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("yiting-shell-") && name !== SHELL) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET") return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.mode === "navigate" && TABLET_PAGE.test(url.pathname)) {
    event.respondWith(tabletPage(event));
  } else if (SHELL_URLS.has(url.origin + url.pathname) && !url.search) {
    event.respondWith(shellFile(req));
  } else if (PAGE_IMAGE.test(url.pathname)) {
    event.respondWith(fetch(req).catch(() => keptPage(req)));
  }
  // anything else (JSON, search, ink, notes, downloads) goes to the network untouched
});

// The page loaded before this worker controlled it asks to be kept (tablet/shell.js).
self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type !== "keep-page") return;
  const url = new URL(data.url, self.location.origin);
  if (url.origin !== self.location.origin || !TABLET_PAGE.test(url.pathname)) return;
  event.waitUntil((async () => {
    const resp = await fetch(url.href, { credentials: "same-origin", redirect: "manual" });
    await keepPage(url.href, resp);
  })().catch(() => {}));
});

/** Keep a tablet page: a 200 HTML answer only (never a redirect to the login page). */
async function keepPage(url, resp) {
  const type = resp.headers.get("Content-Type") || "";
  if (!(resp.status === 200 && resp.type === "basic" && !resp.redirected && type.startsWith("text/html"))) return;
  const u = new URL(url);
  u.search = ""; u.hash = "";
  const cache = await caches.open(HTML);
  for (const old of await cache.keys()) await cache.delete(old); // only the last one
  await cache.put(u.href, resp);
}

async function tabletPage(event) {
  const req = event.request;
  try {
    const resp = await withTimeout(fetch(req), NAV_TIMEOUT_MS);
    event.waitUntil(keepPage(req.url, resp.clone()).catch(() => {}));
    return resp;
  } catch (networkDown) {
    const cache = await caches.open(HTML);
    const kept = await cache.match(url0(req));
    if (kept) return kept;
    return Response.error();
  }
}

const url0 = (req) => { const u = new URL(req.url); u.search = ""; u.hash = ""; return u.href; };

async function shellFile(req) {
  const cache = await caches.open(SHELL);
  const kept = await cache.match(req.url);
  if (kept) return kept;
  return fetch(req);
}

async function keptPage(req) {
  for (const name of await caches.keys()) {
    if (!name.startsWith(PAGES_PREFIX)) continue;
    const hit = await (await caches.open(name)).match(req.url);
    if (hit) return hit;
  }
  return Response.error();
}

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error("timeout")), ms);
    promise.then((v) => { clearTimeout(t); resolve(v); }, (e) => { clearTimeout(t); reject(e); });
  });
}
