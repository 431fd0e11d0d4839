// Server error codes as people read them. There is one map, on the server
// (realtime/protocol/messages.py, translated in locale/): every error reply already
// carries its sentence in the page's language, and the page carries the same table in
// <script id="yiting-errors"> for replies that came untranslated and for the browser's
// own codes (offline, disconnected). This module holds no sentence of its own.
let table = null;

function sentences() {
  if (table == null) {
    const el = document.getElementById("yiting-errors");
    table = el ? JSON.parse(el.textContent) : { messages: {}, details: {} };
  }
  return table;
}

const CJK = /[\u3400-\u9fff]/;
const CHINESE = (document.documentElement.lang || "zh").toLowerCase().startsWith("zh");

/** The sentence for a code in the page's language, or undefined. */
export function messageFor(code) {
  return sentences().messages[code];
}

// "{present}" in a details sentence takes details.present.
function withDetails(code, details) {
  const form = sentences().details[code];
  if (!form || !details) return "";
  if (!/\{(\w+)\}/.test(form) || [...form.matchAll(/\{(\w+)\}/g)].some((m) => details[m[1]] == null)) return "";
  return form.replace(/\{(\w+)\}/g, (_, k) => String(details[k]));
}

/** The message a person reads for an error reply ``{code, message, details}``. */
export function errorText(err) {
  if (!err) return "";
  if (typeof err !== "object") return String(err);
  // The server's own sentence when it is in the page's language, else the table's.
  const own = err.message && (!CHINESE || CJK.test(err.message)) ? err.message : null;
  const text = own || messageFor(err.code) || err.message || String(err.code || "");
  const why = withDetails(err.code, err.details);
  return why && !text.includes(why) ? `${text}${why}` : text;
}
