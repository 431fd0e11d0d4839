// The member's private notes in the reader: one text per page of a document, loaded
// when the document opens, saved (debounced, and on leaving the field) to the server,
// which keeps them for this member only. Split out of reader.js.
import { getJson, postJson } from "./api.js";
import { errorText } from "../errors.js";

const notesUrl = (doc) => doc.page_url.split("/v/")[0] + "/notes/";

export function mountNotes(r) {
  const { root, st, L, $ } = r;

  /** A document opened: forget the last one's notes, load this one's. */
  function load(doc) {
    st.notes = {};
    getJson(notesUrl(doc)).then((d) => {
      st.notes = d.notes;
      if (st.open) $("docs-note").value = st.notes[st.open.page] || "";
    }).catch(() => {});
  }

  /** A page shown: its note in the field. */
  function showPage(page) {
    $("docs-note").value = st.notes[page] || "";
    $("docs-note-state").textContent = "";
  }

  let noteTimer = null;
  $("docs-note").addEventListener("input", () => {
    clearTimeout(noteTimer);
    noteTimer = setTimeout(saveNote, 800);
  });
  $("docs-note").addEventListener("blur", saveNote);
  async function saveNote() {
    clearTimeout(noteTimer);
    if (!st.open) return;
    const text = $("docs-note").value;
    const page = st.open.page;
    if ((st.notes[page] || "") === text) return;
    try {
      await postJson(root, notesUrl(st.open.doc), { page, text });
      st.notes[page] = text;
      $("docs-note-state").textContent = L.lSaved;
    } catch (err) {
      $("docs-note-state").textContent = errorText(err);
    }
  }

  return { load, showPage };
}
