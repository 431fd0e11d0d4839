// The reader's words for the codes events carry (states, access levels, modes, roles):
// the table is rendered by the server from the models' choices (frontend/labels.py) into
// <script id="yiting-labels">, so the browser never shows a raw code.
let table = null;

/** label("doc_state", "distributed") → "已分发"; the code itself when the table has none. */
export function label(kind, code) {
  if (table == null) {
    const el = document.getElementById("yiting-labels");
    table = el ? JSON.parse(el.textContent) : {};
  }
  return (table[kind] && table[kind][code]) || code;
}
