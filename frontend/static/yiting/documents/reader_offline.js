// The reader without the network. The indicator says what still works: pages already
// read (the connection pill: "offline, showing the pages kept on this tablet"). The
// device's offline/online events drop the socket at once and reconnect soon after
// (within 1.5 s, so a room does not come back at once). Opened without the network or
// the server, the reader reopens the document read last on this tablet by this login,
// at its page, read freely, from the kept record and images (api.js PageCache; the
// Service Worker frontend/serviceworker/tablet.js keeps the shell). Split out of reader.js.
export function mountOffline(r) {
  const { client, st, L, $, cache } = r;

  let wasLive = false;
  const conn = document.getElementById("conn");
  const offlineNote = () => {
    const down = !navigator.onLine || (client.state !== "live" && (wasLive || st.offlineStart));
    $("docs-offline").hidden = !down;
    document.body.dataset.network = down ? "offline" : "online";
    if (conn && down && st.open) {
      conn.textContent = L.lConnCached;
      conn.dataset.cached = "true";
    } else if (conn) delete conn.dataset.cached;
  };
  client.on("connection", (state) => {
    if (state === "live") wasLive = true;
    else if (state === "offline" && !st.synced) openKept(); // never reached the server: read what is kept
    offlineNote();
  });
  window.addEventListener("online", () => {
    offlineNote();
    // back: reconnect now (within a second and a half, so a room does not come back at
    // once) rather than at the end of a long backoff; the socket then resyncs
    setTimeout(() => {
      if (client.ws || client.state === "live") return;
      clearTimeout(client.timer);
      client.connect();
    }, Math.random() * 1500);
  });
  window.addEventListener("offline", () => {
    // the device says the network is gone: drop the socket now, so the connection
    // indicator says offline at once (it reconnects when the "online" event comes)
    if (client.ws) client.ws.close();
    offlineNote();
  });

  // Opened without the network (or the server): the document read last on this tablet
  // by this login, at its page, read freely, from the kept record and images.
  async function openKept() {
    if (st.open || st.docs.length || st.keptTried) return;
    st.keptTried = true;
    const rec = await cache.lastRead();
    if (!rec || st.open || st.docs.length || st.synced) return;
    st.offlineStart = true;
    st.follow = false;
    st.docs = [rec.doc];
    r.list.render();
    await r.page.show(rec.doc.id, rec.page);
    offlineNote();
  }

  return { openKept };
}
