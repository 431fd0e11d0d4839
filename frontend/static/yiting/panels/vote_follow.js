// The vote state every vote view follows (tablet ballot, clerk console, wall display):
// one follower per view keeps the sitting's vote state from the `votes` snapshot part
// and the vote.* events, and calls the view to redraw from it. What it holds is the
// server's (open round, latest result, prepared rounds, history, who has not voted),
// never rebuilt here; the server clock's offset makes every view count down alike.
// The three views (vote_tablet.js, vote_console.js, vote_wall.js) share it.

export function follow(client, ctx, onChange) {
  // `missing` is the server's "not yet voted" (vote.progress, snapshot), never rebuilt here;
  // `named` the per-member lists loaded on request, by vote id.
  const s = { open: null, latest: null, prepared: [], history: [], missing: [], offset: 0, note: "", named: {} };
  const early = new Map(); // progress that overtook its vote.opened (unsequenced), by vote id
  client.on("snapshot", (snap) => {
    const v = snap.votes || {};
    s.open = v.open; s.latest = v.latest;
    s.prepared = v.prepared || []; s.history = v.history || [];
    s.kinds = v.kinds || {}; // what each kind of vote allows (the server's; consoles only)
    s.missing = (v.open && v.open.progress && v.open.progress.not_voted) || [];
    onChange(s);
  });
  client.on("vote.prepared", (d) => {
    s.prepared = [...s.prepared.filter((p) => p.id !== d.vote.id), d.vote];
    s.history = [...s.history, { id: d.vote.id, question: d.vote.question, state: "prepared", round: d.vote.round, kind: d.vote.kind }];
    onChange(s);
  });
  client.on("vote.opened", (d) => {
    s.prepared = s.prepared.filter((p) => p.id !== d.vote.id);
    s.missing = [];
    s.open = { vote: d.vote, mine: { cast: false }, progress: { cast: 0 } };
    s.note = "";
    setHistory(s, d.vote);
    if (early.has(d.vote.id)) applyProgress(early.get(d.vote.id));
    early.clear();
    onChange(s);
  });
  // The server's count and its list of who has not voted, as they are now.
  function applyProgress(d) {
    const p = s.open.progress || {};
    if (d.cast < (p.cast || 0)) return; // an older progress, overtaken by a newer one
    // a ballot's quick notice carries no tally for a named vote; the slice after it does
    s.open.progress = { ...p, cast: d.cast, counts: d.counts || p.counts };
    if (d.not_voted) s.missing = d.not_voted;
  }
  client.on("vote.progress", (d) => {
    if (!s.open || s.open.vote.id !== d.vote) { early.set(d.vote, d); return; }
    applyProgress(d);
    onChange(s);
  });
  client.on("vote.closed", (d) => {
    const mine = s.open && s.open.vote.id === d.vote.id ? s.open.mine : null;
    if (s.open && s.open.vote.id === d.vote.id) s.open = null;
    s.latest = { vote: d.vote, result: d.result, mine };
    setHistory(s, d.vote, d.result.passed);
    onChange(s);
  });
  client.on("vote.named_result", (d) => {
    if (s.latest && s.latest.vote.id === d.vote) s.latest.result = { ...s.latest.result, named: d.named };
    onChange(s);
  });
  client.on("vote.announced", (d) => {
    if (s.latest && s.latest.vote.id === d.vote.id) s.latest.vote = d.vote;
    setHistory(s, d.vote);
    onChange(s);
  });
  client.on("vote.cancelled", (d) => {
    if (s.open && s.open.vote.id === d.vote.id) { s.open = null; s.note = "cancelled"; }
    s.prepared = s.prepared.filter((p) => p.id !== d.vote.id);
    setHistory(s, d.vote);
    onChange(s);
  });
  client.on("render", () => onChange(s)); // attendance changes who may vote on this tablet
  client.on("synced", () => measureOffset(client, s));
  return s;
}

function setHistory(s, vote, passed) {
  const h = s.history.find((x) => x.id === vote.id);
  if (h) { h.state = vote.state; if (passed !== undefined) h.passed = passed; }
}

async function measureOffset(client, s) {
  const sent = Date.now();
  try {
    const ans = await client.request("ping", {});
    const back = Date.now();
    s.offset = Date.parse(ans.server_time) + (back - sent) / 2 - back;
  } catch { /* keep the last offset */ }
}

export function secondsLeft(s, vote) {
  if (!vote || !vote.closes_at) return null;
  return (Date.parse(vote.closes_at) - (Date.now() + s.offset)) / 1000;
}
