// Read receipts from the reader: "opened" when a document opens, then a slice of reading
// time every 15 s while a page is on screen and the tablet is visible and online. The
// server's rule (ctx.may["documents.read_receipt"]) says whose reading is recorded;
// nothing is queued while the network is gone. Split out of reader.js.
import { postJson } from "./api.js";

const READ_SLICE_S = 15;

export function mountReceipts(r) {
  const { ctx, root, st } = r;

  function report(doc, seconds, opened) {
    if (!ctx.may["documents.read_receipt"]) return; // the server's rule: whose reading is recorded
    if (!navigator.onLine) return; // no receipt to send while the network is gone
    postJson(root, doc.page_url.split("/v/")[0] + "/read/", { seconds, opened }).catch(() => {});
  }

  setInterval(() => {
    if (st.open && document.visibilityState === "visible" && navigator.onLine) report(st.open.doc, READ_SLICE_S, false);
  }, READ_SLICE_S * 1000);

  return { report };
}
