// "… {name} …" with the values put in: the draft reader's sentences (draft.js, compare.js,
// opinions.js). Its own module so that none of them imports another round a cycle, which
// hashed static names (ManifestStaticFilesStorage) cannot express.

/** "… {name} …" with the values put in. */
export const fill = (text, values) =>
  String(text || "").replace(/\{(\w+)\}/g, (m, k) => (values[k] != null ? String(values[k]) : m));
