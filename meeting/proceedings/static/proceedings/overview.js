// The session clerk's overview: every sitting of the session side by side, each column
// following its own sitting socket (current item, quorum, tablets, floor, queue, vote).
import { SittingClient } from "/static/yiting/client.js";
import { label } from "/static/yiting/labels.js";
import { quorumText } from "/static/yiting/words.js";

function follow(col, L) {
  const field = (name) => col.querySelector(`[data-f=${name}]`);
  const st = { items: [], present: null, online: new Set(), floors: [], queue: 0, vote: null };
  // The column's connection is a dot (its word in the tooltip): beside a sitting that has
  // not started, "在线" read as the sitting's state. The state pill says that.
  const dot = col.querySelector(".conn");
  const words = { live: L.lLive, offline: L.lOffline, reconnecting: L.lReconnecting };
  const client = new SittingClient(col.dataset.ws, {
    indicator: dot,
    labels: { live: " ", offline: " ", reconnecting: " " }, // a dot: no word inside (an empty one reads the code)
  });
  client.on("connection", (state) => {
    dot.title = words[state] || state;
    dot.setAttribute("aria-label", dot.title);
  });
  const showState = (state) => {
    const pill = col.querySelector("[data-f=state]");
    pill.textContent = label("sitting_state", state);
    pill.dataset.state = state;
    col.dataset.state = state;
  };
  const draw = () => {
    const cur = st.items.find((i) => i.state === "current");
    field("item").textContent = cur ? `${cur.order}. ${cur.title}` : "—";
    const q = st.present;
    field("quorum").textContent = q ? quorumText(q) : "—"; // the same words as the pill
    field("quorum").className = q ? (q.reached ? "ok" : "warn") : "";
    field("online").textContent = st.online.size;
    field("floor").textContent = st.floors.length ? st.floors.map((f) => f.name).join("、") : L.lNobody;
    field("queue").textContent = st.queue;
    const v = st.vote;
    if (!v) field("vote").textContent = L.lNoVote;
    else if (v.state === "open") field("vote").textContent = `${L.lVoting}：${v.question}`;
    else field("vote").textContent = `${v.question}：${v.passed ? L.lPassed : L.lFailed}`;
    col.dataset.item = cur ? cur.id : "";
    col.dataset.floor = st.floors.map((f) => f.member).join(",");
    col.dataset.vote = v ? v.state : "";
  };
  const floorState = (s) => { if (s) { st.floors = s.floors || []; st.queue = (s.queue || []).length; } };
  client.on("snapshot", (snap) => {
    st.items = snap.agenda.items;
    st.present = snap.attendance.quorum;
    st.online = new Set(((snap.presence && snap.presence.online) || []).map((o) => o.member));
    floorState(snap.floor);
    const votes = snap.votes || {};
    const open = votes.open && votes.open.vote;
    const latest = votes.latest;
    st.vote = open ? { ...open } : latest ? { ...latest.vote, passed: latest.result && latest.result.passed } : null;
    if (snap.sitting) showState(snap.sitting.state);
    draw();
  });
  client.on("agenda.current", (d) => {
    for (const i of st.items) i.state = i.id === d.item.id ? "current" : i.state === "current" ? "done" : i.state;
    draw();
  });
  client.on("attendance.changed", (d) => { st.present = d.quorum; draw(); });
  client.on("presence.changed", (p) => { p.online ? st.online.add(p.member) : st.online.delete(p.member); draw(); });
  client.on("*", ({ type, payload }) => {
    if (type.startsWith("floor.") && payload && payload.state) { floorState(payload.state); draw(); }
  });
  client.on("vote.opened", (d) => { st.vote = { ...d.vote }; draw(); });
  client.on("vote.closed", (d) => { st.vote = { ...d.vote, passed: d.result && d.result.passed }; draw(); });
  client.on("vote.announced", (d) => { st.vote = { ...(st.vote || {}), ...d.vote, passed: d.passed }; draw(); });
  client.on("vote.cancelled", () => { st.vote = null; draw(); });
  client.on("sitting.state", (d) => {
    showState(d.state);
    if (d.state === "ended") for (const i of st.items) if (i.state === "current") i.state = "done";
    draw();
  });
  client.connect();
  return client;
}

for (const box of document.querySelectorAll(".overview")) {
  for (const col of box.querySelectorAll(".col[data-ws]")) follow(col, box.dataset);
}
