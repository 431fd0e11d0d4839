// The marks the pages put around their words, Chinese first (issue 25, item 11).
//
// In Chinese text a label takes the full-width colon ("下一位：徐春梅") and an aside
// full-width brackets ("发言已存入个人档案（11 秒）"); an ASCII ": " or " (…)" there reads as
// a program's output. The page's language (<html lang>) decides; the words themselves
// come translated from the server, as every visible string does (durations: time.js).
import { label } from "./labels.js";

const zh = () => (document.documentElement.lang || "zh").toLowerCase().startsWith("zh");

/** "标签：值" in Chinese, "Label: value" otherwise. */
export function labelled(name, value) {
  return `${name}${zh() ? "：" : ": "}${value}`;
}

/** "（…）" after Chinese text, " (…)" otherwise. */
export function aside(text) {
  return zh() ? `（${text}）` : ` (${text})`;
}

/** The quorum pill (console, tablet, wall): what the numbers are, in the reader's words —
 * "出席 38 / 65 · 已达法定人数（≥ 33）" or "出席 3 / 65 · 未达法定人数（需 33）" (the label
 * table's "quorum" entry, frontend/labels.py); q is the server's attendance.quorum. */
export function quorumText(q) {
  return label("quorum", q.reached ? "reached" : "short")
    .replace("{present}", q.present)
    .replace("{roster}", q.roster_size)
    .replace("{required}", q.required);
}
