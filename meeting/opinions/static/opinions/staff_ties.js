// Staff review: tie a speech, or a stretch of its clip, to articles of its item's draft.
// Mounted per speech of a group sitting's speaking log (opinions/staff/speech_ties.html).
// The chips ("第十二条 00:31–01:05") seek the speech's player to the stretch's start.
// No build step: a plain ES module; every word comes from the element's data-l-* labels.

function fmt(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  return `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
}

// "01:05", "1:05", "65" or "65.5" → seconds; "" → null; anything else → NaN
export function parseTime(text) {
  const t = (text || "").trim().replace("：", ":");
  if (!t) return null;
  const m = t.match(/^(\d{1,3}):([0-5]?\d(?:\.\d)?)$/);
  if (m) return Number(m[1]) * 60 + Number(m[2]);
  return /^\d+(\.\d)?$/.test(t) ? Number(t) : NaN;
}

export function mountTies(root, csrf) {
  if (root.dataset.mounted) return;
  root.dataset.mounted = "1";
  const labels = root.dataset;
  const state = JSON.parse(document.getElementById(`ties-state-${root.dataset.speech}`).textContent);
  const speech = root.closest("article.speech");
  const video = speech ? speech.querySelector("video") : null;
  const chips = root.querySelector(".tie-chips");
  const status = root.querySelector(".tie-state");
  const start = root.querySelector(".tie-start");
  const end = root.querySelector(".tie-end");

  function say(text, kind) {
    if (!status) return;
    status.textContent = text;
    status.dataset.state = kind;
  }

  function seek(at) {
    if (!video) return;
    video.currentTime = at;
    video.play().catch(() => {});
  }

  function render() {
    chips.replaceChildren(
      ...state.ties.map((tie) => {
        const li = document.createElement("li");
        li.className = "tie-chip";
        li.dataset.tie = tie.id;
        li.dataset.start = tie.start_s ?? "";
        const chip = document.createElement("button");
        chip.type = "button";
        chip.className = "chip seek";
        chip.dataset.at = tie.start_s ?? 0;
        chip.textContent = tie.chip;
        chip.addEventListener("click", () => seek(tie.start_s ?? 0));
        const drop = document.createElement("button");
        drop.type = "button";
        drop.className = "untie";
        drop.textContent = "×";
        drop.title = `${labels.lUntie} ${tie.chip}`;
        drop.setAttribute("aria-label", drop.title);
        drop.addEventListener("click", () => untie(tie.id));
        li.append(chip, drop);
        return li;
      }),
    );
  }

  async function send(url, body) {
    say(labels.lSaving, "saving");
    const resp = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body),
      credentials: "same-origin",
    });
    const data = await resp.json();
    if (!resp.ok) {
      say(`${labels.lFailed} ${data.error.message}`, "error");
      status.dataset.code = data.error.code;
      return null;
    }
    state.ties = data.ties;
    render();
    return data;
  }

  async function untie(id) {
    if (await send(`/opinions/staff/ties/${id}/delete`, {})) say(labels.lRemoved, "removed");
  }

  const from = root.querySelector(".tie-from-player");
  const to = root.querySelector(".tie-to-player");
  if (from) from.addEventListener("click", () => { if (video) start.value = fmt(video.currentTime); });
  if (to) to.addEventListener("click", () => { if (video) end.value = fmt(Math.ceil(video.currentTime)); });

  const add = root.querySelector(".tie-add");
  if (add) {
    add.addEventListener("click", async () => {
      const picked = [...root.querySelectorAll(".tie-article input:checked")].map((i) => Number(i.value));
      if (!picked.length) { say(labels.lPick, "error"); return; }
      const a = parseTime(start.value);
      const b = parseTime(end.value);
      if (Number.isNaN(a) || Number.isNaN(b)) { say(labels.lBadTime, "error"); return; }
      if ((a === null) !== (b === null)) { say(labels.lNeedBoth, "error"); return; }
      const body = { articles: picked, start_s: a, end_s: b };
      if (await send(root.dataset.api, body)) {
        say(labels.lSaved, "saved");
        for (const box of root.querySelectorAll(".tie-article input:checked")) box.checked = false;
        start.value = "";
        end.value = "";
      }
    });
  }
  render();
}
