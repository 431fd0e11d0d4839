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
export class PageCache {
  constructor() {
    this.byDoc = new Map(); // doc id -> Map(url -> Promise<objectURL>)
  }

  get(doc, page, width) {
    const url = pageUrl(doc, page, width);
    let pages = this.byDoc.get(doc.id);
    if (!pages) this.byDoc.set(doc.id, (pages = new Map()));
    if (!pages.has(url)) {
      const p = this.fetchPage(url);
      pages.set(url, p);
      p.catch(() => pages.delete(url)); // a failure is not cached
    }
    return pages.get(url);
  }

  async fetchPage(url, tries = 30) {
    for (let i = 0; i < tries; i++) {
      const resp = await fetch(url, { credentials: "same-origin" });
      if (resp.ok) return URL.createObjectURL(await resp.blob());
      const body = await resp.json().catch(() => ({}));
      if (resp.status !== 409) throw { status: resp.status, ...body };
      await new Promise((r) => setTimeout(r, 1000));
    }
    throw { status: 409, code: "not_ready", message: "page not ready" };
  }

  drop(docId) {
    const pages = this.byDoc.get(docId);
    if (!pages) return;
    for (const p of pages.values()) p.then((u) => URL.revokeObjectURL(u)).catch(() => {});
    this.byDoc.delete(docId);
  }

  has(docId) {
    return this.byDoc.has(docId);
  }
}
