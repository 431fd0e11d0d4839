// The clerk's upload with progress (issue 28). fetch() cannot report how much of a
// request body has been sent, and a session's PDFs may be 200 MB each: XMLHttpRequest's
// upload.onprogress can. The bar shows the percent and the megabytes sent; "取消上传"
// aborts the request, and the server keeps nothing of it: Django only sees a request
// once its whole body has arrived (Daphne and nginx both wait for it), so an aborted
// one never reaches the view. Refusals are the server's Chinese sentences, as before.
import { errorText } from "../errors.js";

const MB = 1024 * 1024;

/**
 * POST ``body`` (a FormData) to ``url``; ``onProgress(loaded, total)`` as bytes go out.
 * Returns ``{ done, cancel }``: ``done`` resolves with the JSON answer or rejects with
 * ``{status, code, message, ...}`` (``code: "cancelled"`` after ``cancel()``).
 */
export function sendWithProgress(url, body, { csrfToken, onProgress }) {
  const xhr = new XMLHttpRequest();
  const done = new Promise((resolve, reject) => {
    xhr.open("POST", url);
    xhr.setRequestHeader("X-CSRFToken", csrfToken);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = (ev) => onProgress && onProgress(ev.loaded, ev.lengthComputable ? ev.total : 0);
    xhr.onload = () => {
      let data = {};
      try {
        data = JSON.parse(xhr.responseText || "{}");
      } catch {
        data = {}; // an HTML error page from a proxy: no code, said as try_again below
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data);
      else reject({ status: xhr.status, code: "try_again", ...data });
    };
    xhr.onerror = () => reject({ code: "disconnected" });
    xhr.onabort = () => reject({ code: "cancelled" });
    xhr.send(body);
  });
  return { done, cancel: () => xhr.abort() };
}

/**
 * The console's progress line for one upload: a <progress> bar, "12.3 / 81.0 MB（15%）",
 * and the cancel button. ``box`` holds them (hidden when idle); ``L`` its labels.
 */
export function progressLine(box, L) {
  const bar = box.querySelector("progress");
  const status = box.querySelector("[data-upload-status]");
  const cancel = box.querySelector("button[data-upload-cancel]");
  let current = null;
  cancel.addEventListener("click", () => current && current.cancel());
  const say = (text, state) => {
    status.textContent = text;
    box.dataset.state = state;
  };
  return {
    /** Whether an upload is being sent now (the console sends one at a time). */
    busy: () => current !== null,
    /** Send ``body``; resolves with the answer, rejects with the error (shown here too). */
    async send(url, body, csrfToken) {
      cancel.disabled = false;
      bar.value = 0;
      bar.removeAttribute("data-percent");
      say(L.lUploadStarting, "sending");
      box.hidden = false;
      box.scrollIntoView({ block: "nearest" }); // the card scrolls: the whole line in sight
      current = sendWithProgress(url, body, {
        csrfToken,
        onProgress(loaded, total) {
          if (!total) return;
          const pct = Math.min(100, Math.floor((100 * loaded) / total));
          bar.value = pct;
          bar.dataset.percent = String(pct);
          if (loaded >= total) {
            cancel.disabled = true; // sent: the server is checking and storing it now
            say(L.lUploadChecking, "checking");
            return;
          }
          say(L.lUploadProgress.replace("{sent}", (loaded / MB).toFixed(1))
            .replace("{total}", (total / MB).toFixed(1)).replace("{percent}", `${pct}%`), "sending");
        },
      });
      try {
        const answer = await current.done;
        box.hidden = true;
        say("", "done");
        return answer;
      } catch (err) {
        if (err.code === "cancelled") say(L.lUploadCancelled, "cancelled");
        else { box.hidden = true; say(errorText(err), "failed"); }
        cancel.disabled = true;
        throw err;
      } finally {
        current = null;
      }
    },
  };
}
