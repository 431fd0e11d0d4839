// HTTP helpers of the documents feature: JSON with CSRF, page images as cached blobs.

export function csrf(root) {
  const el = root.querySelector("input[name=csrfmiddlewaretoken]");
  return el ? el.value : "";
}

export async function getJson(url) {
  const resp = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  const body = await resp.json().catch(() => ({}));
  if (!resp.ok) throw { status: resp.status, ...body };
  return body;
}

export async function postJson(root, url, data) {
  const resp = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    keepalive: true,
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(root) },
    body: JSON.stringify(data),
  });
  const body = await resp.json().catch(() => ({}));
  if (!resp.ok) throw { status: resp.status, ...body };
  return body;
}

export function pageUrl(doc, page, width) {
  return doc.page_url.replace("{page}", page).replace("{width}", width);
}

// Page images kept as object URLs per document, so flipping back is instant and a recall
// can drop every copy at once. A page still rendering (409) is retried after a second.
//
// Offline-tolerant reading: every page image the server sent to this login is also put
// in the Cache API (one cache per login, "yiting-pages-<user>"), so pages already read
// (or prefetched) stay readable when the network goes, across a reload of the tablet
// page too (the Service Worker, frontend/serviceworker/tablet.js, keeps the shell and
// answers <img> requests from this cache when offline). Only what the server already
// sent to this user is kept: a confidential page is kept as the watermarked image this
// member received. Beside the images, one small record per document read ("where I
// was": the document's list entry and the page), so a reload without network reopens
// it. A recall drops the document's pages and record; logging out (shell.js, the login
// page) and another login on the tablet drop them all, with the kept tablet page.
export const PAGE_CACHE_PREFIX = "yiting-pages-";
export const HTML_CACHE = "yiting-html"; // the Service Worker's copy of the tablet page
const READING = "_reading"; // /docs/d/<id>/_reading: never a server address
const hasCaches = () => typeof caches !== "undefined";

export class PageCache {
  constructor(user = "anon") {
    this.byDoc = new Map(); // doc id -> Map(url -> Promise<objectURL>)
    this.name = `${PAGE_CACHE_PREFIX}${user}`;
    this.store = hasCaches() ? caches.open(this.name).catch(() => null) : Promise.resolve(null);
    if (hasCaches()) dropOtherLogins(this.name);
  }

  get(doc, page, width) {
    const url = pageUrl(doc, page, width);
    let pages = this.byDoc.get(doc.id);
    if (!pages) this.byDoc.set(doc.id, (pages = new Map()));
    if (!pages.has(url)) {
      // offline, the page read at the other width (portrait / landscape) will do
      const other = pageUrl(doc, page, width === 800 ? 1600 : 800);
      const p = this.fetchPage(url, 30, other);
      pages.set(url, p);
      p.catch(() => pages.delete(url)); // a failure is not cached
    }
    return pages.get(url);
  }

  async fetchPage(url, tries = 30, other = null) {
    if (!navigator.onLine) { // the network is known to be gone: no request to fail
      const kept = (await this.kept(url)) || (other && (await this.kept(other)));
      if (kept) return URL.createObjectURL(kept);
      throw { code: "not_cached", message: "offline and not read before" };
    }
    for (let i = 0; i < tries; i++) {
      let resp;
      try {
        resp = await fetch(url, { credentials: "same-origin" });
      } catch (networkDown) {
        const kept = (await this.kept(url)) || (other && (await this.kept(other)));
        if (kept) return URL.createObjectURL(kept);
        throw { code: "not_cached", message: "offline and not read before" };
      }
      if (resp.ok) {
        const blob = await resp.blob();
        this.keep(url, blob);
        return URL.createObjectURL(blob);
      }
      const body = await resp.json().catch(() => ({}));
      if (resp.status !== 409) throw { status: resp.status, ...body };
      await new Promise((r) => setTimeout(r, 1000));
    }
    throw { status: 409, code: "not_ready", message: "page not ready" };
  }

  async keep(url, blob) {
    const store = await this.store;
    if (!store) return;
    const headers = { "Content-Type": blob.type || "image/jpeg" };
    await store.put(url, new Response(blob, { headers })).catch(() => {});
  }

  async kept(url) {
    const store = await this.store;
    const hit = store && (await store.match(url).catch(() => null));
    return hit ? hit.blob() : null;
  }

  /** Where this member is reading: the document's list entry and the page. */
  async remember(doc, page) {
    const store = await this.store;
    if (!store) return;
    const body = JSON.stringify({ doc, page, at: Date.now() });
    const headers = { "Content-Type": "application/json" };
    await store.put(`/docs/d/${doc.id}/${READING}`, new Response(body, { headers })).catch(() => {});
  }

  /** The document read last on this tablet by this login, {doc, page}, or null. */
  async lastRead() {
    const store = await this.store;
    if (!store) return null;
    let best = null;
    try {
      for (const req of await store.keys()) {
        if (!new URL(req.url).pathname.endsWith(`/${READING}`)) continue;
        const rec = await (await store.match(req)).json();
        if (!best || rec.at > best.at) best = rec;
      }
    } catch { return null; }
    return best;
  }

  drop(docId) {
    const pages = this.byDoc.get(docId);
    if (pages) for (const p of pages.values()) p.then((u) => URL.revokeObjectURL(u)).catch(() => {});
    this.byDoc.delete(docId);
    this.store.then(async (store) => {
      if (!store) return;
      for (const req of await store.keys()) {
        if (new URL(req.url).pathname.startsWith(`/docs/d/${docId}/`)) await store.delete(req);
      }
    }).catch(() => {});
  }

  has(docId) {
    return this.byDoc.has(docId);
  }
}

/** Another login's pages never stay on a tablet that someone else opens. */
async function dropOtherLogins(own) {
  try {
    for (const name of await caches.keys()) {
      if (name.startsWith(PAGE_CACHE_PREFIX) && name !== own) await caches.delete(name);
    }
  } catch { /* no Cache API here (insecure origin): nothing was kept either */ }
}

/** Drop every page image kept on this tablet (logout, recall of everything). */
export async function dropAllPages() {
  if (!hasCaches()) return;
  try {
    for (const name of await caches.keys()) {
      if (name.startsWith(PAGE_CACHE_PREFIX) || name === HTML_CACHE) await caches.delete(name);
    }
  } catch { /* nothing kept */ }
}
