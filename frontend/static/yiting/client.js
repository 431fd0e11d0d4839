// The sitting socket client every page uses (tablet, console, display).
//
// - connects to /ws/sittings/<id>/, waits for `welcome`, sends `sync` with the last seq seen;
// - applies the answer (replay or snapshot), then live events in seq order, dropping
//   duplicates and resyncing on a gap: a tablet offline for a minute ends exactly current;
// - reconnects with exponential backoff and full jitter;
// - shows "offline / reconnecting / live" in the #conn indicator;
// - `send(type, data, {idempotent})` returns a promise resolved by the server's reply
//   (rejected with {code, message} on an error reply); idempotent commands carry a key
//   and are resent after a reconnect with the same key, so they count once.

import { secureQuery } from "./secure.js";

const STATES = { offline: "offline", connecting: "reconnecting", live: "live" };
export const SYNC_TRIES = 5; // then drop the socket and reconnect
export const SYNC_MAX_DELAY = 4000; // ms between two tries of one socket

export class SittingClient extends EventTarget {
  constructor(path, { indicator = document.getElementById("conn"), labels = {} } = {}) {
    super();
    this.path = path;
    this.indicator = indicator;
    this.labels = { offline: "offline", reconnecting: "reconnecting", live: "live", ...labels };
    this.seq = 0;
    this.snapshot = null;
    this.identity = null;
    this.pending = new Map(); // request id -> {resolve, reject, frame, idempotent}
    this.nextId = 1;
    this.attempt = 0;
    this.synced = false;
    this.buffer = [];
    this.handlers = new Map();
    this.setState("offline");
  }

  on(type, fn) {
    if (!this.handlers.has(type)) this.handlers.set(type, []);
    this.handlers.get(type).push(fn);
    return this;
  }

  fire(type, payload) {
    for (const fn of this.handlers.get(type) || []) {
      try { fn(payload, this); } catch (err) { console.error("handler for", type, err); }
    }
    for (const fn of this.handlers.get("*") || []) {
      try { fn({ type, payload }, this); } catch (err) { console.error(err); }
    }
  }

  setState(state) {
    this.state = state;
    if (this.indicator) {
      this.indicator.dataset.state = state;
      this.indicator.textContent = this.labels[state] || state;
    }
    this.fire("connection", state);
  }

  connect() {
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    this.setState(this.attempt ? "reconnecting" : "reconnecting");
    // the page's isSecureContext travels with the connect: the console counts tablets
    // that cannot record or read offline (secure.js)
    const ws = new WebSocket(`${proto}//${location.host}${this.path}${secureQuery()}`);
    this.ws = ws;
    this.synced = false;
    this.buffer = [];
    ws.onmessage = (ev) => this.onFrame(ev.data);
    ws.onclose = (ev) => this.onClose(ev);
    ws.onerror = () => {};
  }

  onClose(ev) {
    this.ws = null;
    this.synced = false;
    clearInterval(this.pinger);
    clearTimeout(this.syncTimer);
    if ([4401, 4403, 4404].includes(ev.code)) {
      this.setState("offline");
      this.fire("refused", { code: ev.code });
      return; // no role here: retrying will not help
    }
    this.setState("offline");
    for (const [id, p] of this.pending) if (!p.idempotent) { p.reject({ code: "disconnected", message: "connection lost" }); this.pending.delete(id); }
    const base = Math.min(30000, 500 * 2 ** this.attempt);
    const delay = Math.random() * base; // full jitter: a room of tablets does not come back at once
    this.attempt += 1;
    this.timer = setTimeout(() => this.connect(), delay);
  }

  onFrame(text) {
    let msg;
    try { msg = JSON.parse(text); } catch { return; }
    if (msg.type === "welcome") return this.onWelcome(msg.data);
    if (msg.type === "reply") return this.onReply(msg);
    if (msg.seq == null) return this.fire(msg.type, msg.data); // unsequenced notice
    if (!this.synced) { this.buffer.push(msg); return; }
    this.applyEvent(msg);
  }

  onWelcome(data) {
    this.identity = data;
    this.resync();
  }

  // Ask for what we missed; a refused sync (e.g. `try_again` while the database
  // recovers) is retried on the same socket with bounded, jittered backoff, and after
  // SYNC_TRIES the socket is dropped so the reconnect backoff takes over.
  resync(tries = 0) {
    const ws = this.ws;
    this.request("sync", { last_seq: this.seq }).then((ans) => {
      if (this.ws === ws) this.onSync(ans);
    }).catch((err) => {
      if (this.ws !== ws) return; // that socket is gone; the new one syncs itself
      console.warn("sync failed", err);
      if (tries + 1 >= SYNC_TRIES) { ws && ws.close(); return; }
      const delay = Math.min(SYNC_MAX_DELAY, 250 * 2 ** tries) * (0.5 + Math.random() / 2);
      this.syncTimer = setTimeout(() => this.resync(tries + 1), delay);
    });
  }

  onSync(ans) {
    if (ans.mode === "snapshot") {
      this.snapshot = ans.snapshot;
      this.seq = ans.seq;
      this.fire("snapshot", ans.snapshot);
    } else {
      for (const ev of ans.events) this.applyEvent(ev, true);
      this.seq = Math.max(this.seq, ans.seq);
    }
    this.synced = true;
    const buffered = this.buffer;
    this.buffer = [];
    for (const ev of buffered) this.applyEvent(ev);
    this.attempt = 0;
    this.setState("live");
    this.fire("synced", { seq: this.seq, mode: ans.mode });
    // resend idempotent commands that were in flight when the connection dropped
    for (const p of this.pending.values()) if (p.idempotent && this.ws) this.ws.send(p.frame);
    clearInterval(this.pinger); // a gap resync must not start a second pinger
    this.pinger = setInterval(() => this.request("ping", {}).catch(() => {}), 20000);
  }

  applyEvent(ev, replaying = false) {
    if (ev.seq <= this.seq) return; // already seen
    if (ev.seq !== this.seq + 1 && !replaying) {
      // a gap: ask again from where we are
      this.synced = false;
      this.buffer = [ev];
      this.resync();
      return;
    }
    this.seq = ev.seq;
    this.fire(ev.type, ev.data);
  }

  onReply(msg) {
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.data); else p.reject(msg.error);
  }

  request(type, data = {}) {
    return this.send(type, data, { idempotent: false, raw: true });
  }

  send(type, data = {}, { idempotent = false, raw = false } = {}) {
    const id = `r${this.nextId++}`;
    const frame = { v: 1, type, id, data };
    if (idempotent) frame.key = (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`);
    const text = JSON.stringify(frame);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, frame: text, idempotent });
      if (this.ws && this.ws.readyState === 1 && (this.synced || raw)) this.ws.send(text);
      else if (!idempotent) { this.pending.delete(id); reject({ code: "offline", message: "not connected" }); }
      // idempotent commands wait for the connection and go out after the next sync
    });
  }
}

/** "01:30": a countdown (time left on a floor or a vote, the overrun after it). A length —
 * how long a speech or a clip lasted — is never a clock: time.js fmtDuration ("11 秒"). */
export function fmtClock(seconds) {
  const s = Math.max(0, Math.round(seconds));
  return `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
}
