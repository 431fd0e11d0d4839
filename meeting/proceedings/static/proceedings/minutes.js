// Minutes progress on the session page: poll the run until it is done, then offer the files.
const box = document.getElementById("minutes");
const bar = document.getElementById("minutes-progress");
const stage = document.getElementById("minutes-stage");
const pdf = document.getElementById("minutes-pdf");
const docx = document.getElementById("minutes-docx");
const json = document.getElementById("minutes-json");
const again = document.getElementById("minutes-again");
const csrf = () => (document.cookie.match(/csrftoken=([^;]+)/) || [])[1] || "";

import { errorText } from "/static/yiting/errors.js";

// The job stores its stage in English words (for logs); people read the stage's label.
const STAGES = JSON.parse(box.dataset.stages || "{}");
function stageLabel(s) {
  if (!s) return "";
  if (STAGES[s]) return STAGES[s];
  const sitting = /^sitting (.*)$/.exec(s);
  return sitting ? `${STAGES.sitting || ""}${sitting[1]}` : s;
}

function show(run) {
  if (!run) { box.dataset.state = "none"; return false; }
  box.dataset.state = run.state;
  bar.value = run.progress;
  stage.textContent = run.state === "failed" ? `✘ ${STAGES.failed || run.error}` : stageLabel(run.stage);
  stage.dataset.stage = run.stage;
  const done = run.state === "done";
  pdf.hidden = docx.hidden = json.hidden = !done;
  if (done) {
    pdf.href = `/proceedings/minutes/${run.id}.pdf`;
    docx.href = `/proceedings/minutes/${run.id}.docx`;
    json.href = `/proceedings/minutes/${run.id}.json`;
  }
  return run.state === "queued" || run.state === "running";
}

async function poll() {
  const r = await fetch(box.dataset.url, { headers: { Accept: "application/json" } });
  if (!r.ok) return;
  const { run } = await r.json();
  if (show(run)) setTimeout(poll, 700);
}

if (again) {
  again.addEventListener("click", async () => {
    again.disabled = true;
    const r = await fetch(box.dataset.url, { method: "POST", headers: { "X-CSRFToken": csrf() } });
    const body = await r.json();
    if (!r.ok) alert(errorText(body.error));
    again.disabled = false;
    poll();
  });
}
poll();
