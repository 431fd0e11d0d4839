import { label } from "./labels.js";

// One way to show a time in the browser: in the server's TIME_ZONE (from <body data-tz>),
// never the browser's own zone, formatted like the server's pages (YYYY-MM-DD HH:MM:SS).
const TZ = document.body.dataset.tz || undefined;
const parts = (date, opts) =>
  Object.fromEntries(
    new Intl.DateTimeFormat("en-GB", { timeZone: TZ, hourCycle: "h23", ...opts })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );

const asDate = (v) => (v instanceof Date ? v : new Date(v));

/** "16:00:28" in TIME_ZONE. */
export function fmtTime(v = new Date(), { seconds = true } = {}) {
  const d = asDate(v);
  if (Number.isNaN(d.getTime())) return "";
  const p = parts(d, { hour: "2-digit", minute: "2-digit", ...(seconds ? { second: "2-digit" } : {}) });
  return seconds ? `${p.hour}:${p.minute}:${p.second}` : `${p.hour}:${p.minute}`;
}

/** "2026-11-30 16:00:28" in TIME_ZONE. */
export function fmtDateTime(v, { seconds = true } = {}) {
  const d = asDate(v);
  if (Number.isNaN(d.getTime())) return "";
  const p = parts(d, { year: "numeric", month: "2-digit", day: "2-digit" });
  return `${p.year}-${p.month}-${p.day} ${fmtTime(d, { seconds })}`;
}

/** A length of time, one way on every page: "11 秒", "1 分 05 秒", "1 小时 02 分" (whole
 * seconds; the words from the server's label table, like the |duration filter's). */
export function fmtDuration(seconds) {
  const t = Math.max(0, Math.round(Number(seconds) || 0));
  const h = Math.floor(t / 3600), m = Math.floor((t % 3600) / 60), s = t % 60;
  const pad = (n) => String(n).padStart(2, "0");
  if (h) return label("duration", "hm").replace("{h}", h).replace("{m}", pad(m));
  if (m) return label("duration", "ms").replace("{m}", m).replace("{s}", pad(s));
  return label("duration", "s").replace("{s}", s);
}
