// The marks the pages put around their words, Chinese first (issue 25, item 11).
//
// In Chinese text a label takes the full-width colon ("下一位：徐春梅") and an aside
// full-width brackets ("发言已存入个人档案（11 秒）"); an ASCII ": " or " (…)" there reads as
// a program's output. The page's language (<html lang>) decides; the words themselves
// come translated from the server, as every visible string does (durations: time.js).

const zh = () => (document.documentElement.lang || "zh").toLowerCase().startsWith("zh");

/** "标签：值" in Chinese, "Label: value" otherwise. */
export function labelled(label, value) {
  return `${label}${zh() ? "：" : ": "}${value}`;
}

/** "（…）" after Chinese text, " (…)" otherwise. */
export function aside(text) {
  return zh() ? `（${text}）` : ` (${text})`;
}
