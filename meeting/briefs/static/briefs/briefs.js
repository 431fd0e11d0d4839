// Summary editor (autosave, time-coded quotes from the player) and term-book progress.
// No build step: a plain ES module, mounted by the briefs templates.

const AUTOSAVE_MS = 800;

function fmt(seconds) {
  const s = Math.floor(seconds);
  return `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
}

function mountEditor(article, labels, csrf) {
  const state = JSON.parse(article.querySelector(".summary-state").textContent);
  const text = article.querySelector(".summary-text");
  const list = article.querySelector(".quotes");
  const quoteText = article.querySelector(".quote-text");
  const status = article.querySelector(".save-state");
  const video = article.querySelector("video");
  let timer = null;
  let inflight = Promise.resolve();

  function render() {
    list.replaceChildren(
      ...state.quotes.map((q, i) => {
        const li = document.createElement("li");
        li.className = "quote";
        li.dataset.at = q.at;
        const seek = document.createElement("button");
        seek.type = "button";
        seek.className = "link seek";
        seek.textContent = fmt(q.at);
        seek.addEventListener("click", () => { if (video) { video.currentTime = q.at; video.play().catch(() => {}); } });
        const words = document.createElement("span");
        words.textContent = `「${q.text}」`;
        const drop = document.createElement("button");
        drop.type = "button";
        drop.className = "link remove";
        drop.textContent = labels.remove;
        drop.addEventListener("click", () => { state.quotes.splice(i, 1); render(); save(); });
        li.append(seek, " ", words, " ", drop);
        return li;
      }),
    );
  }

  function save() {
    clearTimeout(timer);
    inflight = inflight.then(async () => {
      status.textContent = labels.saving;
      status.dataset.state = "saving";
      const body = { text: text.value, quotes: state.quotes, version: state.version };
      const resp = await fetch(`/briefs/speeches/${state.speech}/summary`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify(body),
        credentials: "same-origin",
      });
      const data = await resp.json();
      if (!resp.ok) {
        status.textContent = `${labels.failed} ${data.error.code}`;
        status.dataset.state = "error";
        status.dataset.code = data.error.code;
        return;
      }
      state.version = data.version;
      state.quotes = data.quotes;
      render();
      status.textContent = `${labels.saved} ${data.version} · ${data.saved_at}`;
      status.dataset.state = "saved";
      status.dataset.version = data.version;
    });
    return inflight;
  }

  text.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(save, AUTOSAVE_MS);
  });
  article.querySelector(".quote-add").addEventListener("click", () => {
    const words = quoteText.value.trim();
    if (!words) { status.textContent = labels.needText; return; }
    const at = Math.round((video ? video.currentTime : 0) * 10) / 10;
    state.quotes.push({ at, text: words });
    state.quotes.sort((a, b) => a.at - b.at);
    quoteText.value = "";
    render();
    save();
  });
  render();
}

export function mountEditors(root, labels, csrf) {
  for (const article of root.querySelectorAll("article.speech")) mountEditor(article, labels, csrf);
}

function csrfCookie() {
  const m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : "";
}

const POLL_MS = 1000;
const POLL_LIMIT = 600; // ten minutes, then the page says it failed

export function mountTermBooks(root, labels) {
  for (const button of root.querySelectorAll("button.term-book")) {
    const out = button.parentElement.querySelector(".term-book-progress");
    button.addEventListener("click", async () => {
      button.disabled = true;
      const resp = await fetch(button.dataset.url, {
        method: "POST", headers: { "X-CSRFToken": csrfCookie() }, credentials: "same-origin",
      });
      const data = await resp.json();
      if (!resp.ok) { out.textContent = `${labels.failed}: ${data.error.code}`; button.disabled = false; return; }
      for (let n = 0; n < POLL_LIMIT; n += 1) {
        const job = await (await fetch(data.status, { credentials: "same-origin" })).json();
        const pct = job.total ? Math.floor((100 * job.done) / job.total) : 0;
        out.dataset.state = job.state;
        if (job.state === "done") {
          out.replaceChildren();
          const a = document.createElement("a");
          a.href = job.file;
          a.textContent = labels.done;
          out.append(a);
          button.disabled = false;
          return;
        }
        if (job.state === "failed") { out.textContent = `${labels.failed}: ${job.error}`; button.disabled = false; return; }
        out.textContent = `${labels[job.state] || job.state} ${pct}%`;
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
      out.textContent = labels.failed;
      button.disabled = false;
    });
  }
}
