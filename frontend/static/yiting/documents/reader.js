// The member's tablet reader, document first: the page image fills the stage (fit width or
// fit page, zoom up to 300% by buttons or pinch), swipe and arrow keys turn, thumbnails,
// go-to-page, prefetch, private notes, reading time, and presenter following (leave to
// read freely, one tap to come back, "the presenter moved to p. 7" while free).
// Pages already read stay readable when the network goes (api.js PageCache, Cache API),
// a reload without network too: the Service Worker (frontend/serviceworker/tablet.js)
// keeps the shell, and the reader reopens the document read last from its kept record.
//
// This module only puts the reader together. Each part is its own module and gets the
// same context `r` (the socket client, the page context, the panel root and its labels,
// the shared state `st`, the page cache); the parts reach each other through it
// (r.page.show, r.follow.render, …), so none imports another.
import { PageCache } from "./api.js";
import { mountSearch } from "./search.js";
import { mountInk } from "./ink.js";
import { mountReceipts } from "./reader_receipts.js";
import { mountList } from "./reader_list.js";
import { mountPage } from "./reader_page.js";
import { mountFollow } from "./reader_follow.js";
import { mountThumbs } from "./reader_thumbs.js";
import { mountTurns } from "./reader_turns.js";
import { mountNotes } from "./reader_notes.js";
import { mountOffline } from "./reader_offline.js";
import { mountDraft } from "./draft.js";

export function mountReader(client, ctx) {
  const root = document.getElementById("documents-panel");
  if (!root) return null;
  const cache = new PageCache(root.dataset.user || "anon");
  const st = {
    docs: [],
    presenter: { document: null, page: null },
    mayPresent: false,
    presenting: false, // this tablet drives the room (chair, or the item's presenter)
    follow: true,
    open: null, // {doc, page}
    zoom: 1, // times the fitted size; 1–3
    fit: "width", // "width": the page as wide as the stage; "page": the whole page visible
    ratio: 1.414, // height / width of the open page
    notes: {},
    changed: new Set(),
    penActive: false, // the pen or highlighter draws: swiping does not turn pages
    shownHooks: [], // called with (doc, page, img) once a page image is on screen
    cache,
  };
  window.yitingDocs = st; // for tests and debugging

  const r = {
    client, ctx, root, st, cache,
    L: root.dataset,
    $: (id) => document.getElementById(id),
    docById: (id) => st.docs.find((d) => d.id === id),
    /** Tell the tablet shell (tablet/shell.js) something happened in the reader. */
    tell: (name, detail) => document.dispatchEvent(new CustomEvent(`reader:${name}`, { detail })),
  };
  r.receipts = mountReceipts(r);
  r.list = mountList(r);
  r.page = mountPage(r);
  r.thumbs = mountThumbs(r);
  r.follow = mountFollow(r);
  mountTurns(r);
  r.notes = mountNotes(r);
  r.offline = mountOffline(r);
  r.draft = mountDraft(r); // a draft's 对照 view and opinions on its articles (issue 29)

  st.openFree = r.follow.openFree; // a search result: read that page freely
  st.layout = r.page.layout;
  r.page.layout();
  if (!navigator.onLine) r.offline.openKept();
  st.search = mountSearch(root, st);
  st.ink = mountInk(root, st);
  return st;
}
