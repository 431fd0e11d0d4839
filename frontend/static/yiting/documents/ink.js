// Pen and highlighter in the tablet reader (手写批注). Strokes are drawn on an SVG over the
// page image in page fractions (viewBox 0 0 1 h/w), so they follow zoom and land on the
// same words on any tablet. Each finished stroke is POSTed under a random id (a resend
// counts once); undo/redo mark a stroke erased on the server. The server is the truth:
// the strokes of a document are loaded when it opens, so a reload or another tablet of
// the same member shows what is still drawn.
import { getJson, postJson } from "./api.js";
import { errorText } from "../errors.js";

const SVG = "http://www.w3.org/2000/svg";
const TOOLS = {
  pen: { color: "#1f3f9f", width: 0.003, opacity: 1 },
  highlighter: { color: "#ffd400", width: 0.018, opacity: 0.4 },
};
const RESENDS = 3;

function randomId() {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function round(n) {
  return Math.round(n * 10000) / 10000;
}

export function mountInk(root, st) {
  const $ = (id) => document.getElementById(id);
  const L = root.dataset;
  const svg = $("docs-ink");
  const state = {
    tool: null, // "pen" | "highlighter" | null
    docId: null,
    version: 0,
    strokes: [], // {id, page, tool, color, width, points, erased} of the open document
    redo: new Map(), // page -> [stroke ids undone, newest last]
    drawing: null, // {pointerId, stroke, path}
    penSeen: false, // once a stylus is used, fingers no longer draw (palm rejection)
    ratio: 1.414,
  };

  const inkUrl = (doc) => doc.page_url.split("/v/")[0] + "/ink/";
  const page = () => (st.open ? st.open.page : 0);
  const say = (text) => ($("docs-ink-state").textContent = text || "");

  async function load(doc) {
    state.docId = doc.id;
    state.version = doc.version;
    state.strokes = [];
    state.redo = new Map();
    delete svg.dataset.loaded;
    $("docs-ink-export").href = doc.page_url.split("/v/")[0] + "/annotated.pdf";
    try {
      const data = await getJson(inkUrl(doc));
      if (state.docId !== doc.id) return;
      state.version = data.version;
      state.strokes = data.strokes.filter((s) => !s.erased);
    } catch (err) {
      // no network (offline reading): nothing to say, the connection pill says it
      if (err.code !== "not_component_member" && !(err instanceof TypeError)) say(errorText(err));
    }
    svg.dataset.loaded = doc.id; // for tests: the server's strokes are in
    render();
  }

  function pathData(points) {
    return points.map(([x, y], i) => `${i ? "L" : "M"}${round(x)} ${round(y * state.ratio)}`).join("");
  }

  function strokeWidth(s) {
    if (s.tool === "highlighter") return s.width;
    const ps = s.points.map((p) => (p.length > 2 ? p[2] : 0.5));
    const mean = ps.reduce((a, b) => a + b, 0) / ps.length;
    return s.width * (0.5 + mean); // a firmer pen stroke is a wider line
  }

  function pathOf(s) {
    const path = document.createElementNS(SVG, "path");
    path.setAttribute("d", pathData(s.points));
    path.setAttribute("fill", "none");
    path.setAttribute("stroke", s.color);
    path.setAttribute("stroke-width", strokeWidth(s));
    path.setAttribute("stroke-linecap", s.tool === "highlighter" ? "butt" : "round");
    path.setAttribute("stroke-linejoin", "round");
    if (s.tool === "highlighter") path.setAttribute("stroke-opacity", TOOLS.highlighter.opacity);
    path.dataset.id = s.id;
    return path;
  }

  function render() {
    const here = state.strokes.filter((s) => s.page === page() && !s.erased);
    svg.replaceChildren(...here.map(pathOf));
    svg.dataset.strokes = here.length;
    const redo = state.redo.get(page()) || [];
    $("docs-ink-undo").disabled = here.length === 0;
    $("docs-ink-redo").disabled = redo.length === 0;
  }

  function setTool(tool) {
    state.tool = state.tool === tool ? null : tool;
    st.penActive = state.tool != null;
    svg.classList.toggle("active", st.penActive);
    for (const b of root.querySelectorAll(".docs-ink-bar button[data-tool]")) {
      b.setAttribute("aria-pressed", String(b.dataset.tool === state.tool));
    }
  }

  function pointOf(ev) {
    const r = svg.getBoundingClientRect();
    const x = Math.min(1, Math.max(0, (ev.clientX - r.left) / r.width));
    const y = Math.min(1, Math.max(0, (ev.clientY - r.top) / r.height));
    // a mouse reports 0.5 while pressed; a stylus its real pressure; clamp to the API's 0–1
    const p = ev.pointerType === "pen" && ev.pressure > 0 ? ev.pressure : 0.5;
    return [round(x), round(y), round(Math.min(1, p))];
  }

  function down(ev) {
    if (!state.tool || !st.open || state.drawing) return;
    if (ev.pointerType === "pen") state.penSeen = true;
    if (ev.pointerType === "touch" && state.penSeen) return;
    ev.preventDefault();
    svg.setPointerCapture(ev.pointerId);
    const tool = TOOLS[state.tool];
    const stroke = { id: randomId(), page: page(), tool: state.tool, color: tool.color, width: tool.width, points: [pointOf(ev)] };
    const path = pathOf(stroke);
    svg.append(path);
    state.drawing = { pointerId: ev.pointerId, stroke, path };
  }

  function move(ev) {
    const d = state.drawing;
    if (!d || ev.pointerId !== d.pointerId) return;
    ev.preventDefault();
    const events = ev.getCoalescedEvents ? ev.getCoalescedEvents() : [ev];
    for (const e of events.length ? events : [ev]) d.stroke.points.push(pointOf(e));
    d.path.setAttribute("d", pathData(d.stroke.points));
  }

  function up(ev) {
    const d = state.drawing;
    if (!d || ev.pointerId !== d.pointerId) return;
    state.drawing = null;
    if (d.stroke.points.length < 2) d.stroke.points.push(pointOf(ev));
    const [a, b] = [d.stroke.points[0], d.stroke.points.at(-1)];
    if (d.stroke.points.length === 2 && a[0] === b[0] && a[1] === b[1]) b[0] = round(Math.min(1, b[0] + 0.001)); // a dot
    if (d.stroke.page !== page()) { d.path.remove(); return; }
    state.strokes.push(d.stroke);
    state.redo.set(d.stroke.page, []);
    render();
    save(d.stroke);
  }

  async function save(stroke) {
    const doc = st.open && st.open.doc;
    if (!doc || doc.id !== state.docId) return;
    const { page: n, ...body } = stroke;
    say(L.lInkSaving);
    for (let attempt = 1; attempt <= RESENDS; attempt++) {
      try {
        await postJson(root, inkUrl(doc), { version: state.version, page: n, stroke: body });
        say("");
        return;
      } catch (err) {
        if (err.code || attempt === RESENDS) {
          // refused (or the network is gone): the stroke is not kept, and the member is told
          state.strokes = state.strokes.filter((s) => s.id !== stroke.id);
          render();
          say(err.code ? errorText(err) : L.lInkUnsaved);
          return;
        }
        await new Promise((r) => setTimeout(r, 500 * attempt)); // same id: counted once
      }
    }
  }

  async function setErased(stroke, erased) {
    stroke.erased = erased;
    render();
    try {
      await postJson(root, `${inkUrl(st.open.doc)}${stroke.id}/erase/`, { erased });
    } catch (err) {
      stroke.erased = !erased;
      render();
      say(errorText(err));
      return false;
    }
    return true;
  }

  async function undo() {
    const here = state.strokes.filter((s) => s.page === page() && !s.erased);
    const last = here.at(-1);
    if (!last) return;
    const stack = state.redo.get(page()) || [];
    stack.push(last.id);
    state.redo.set(page(), stack);
    if (!(await setErased(last, true))) stack.pop();
    render();
  }

  async function redo() {
    const stack = state.redo.get(page()) || [];
    const id = stack.pop();
    const stroke = state.strokes.find((s) => s.id === id);
    if (!stroke) return render();
    // back on top of the page's strokes, in the order they are drawn again
    state.strokes = state.strokes.filter((s) => s !== stroke).concat(stroke);
    if (!(await setErased(stroke, false))) stack.push(id);
    render();
  }

  st.shownHooks.push((doc, n, img) => {
    if (img.naturalWidth) state.ratio = img.naturalHeight / img.naturalWidth;
    svg.setAttribute("viewBox", `0 0 1 ${round(state.ratio)}`);
    if (doc.id !== state.docId || doc.version !== state.version) load(doc);
    else render();
  });

  svg.addEventListener("pointerdown", down);
  svg.addEventListener("pointermove", move);
  svg.addEventListener("pointerup", up);
  svg.addEventListener("pointercancel", up);
  $("docs-ink-pen").addEventListener("click", () => setTool("pen"));
  $("docs-ink-marker").addEventListener("click", () => setTool("highlighter"));
  $("docs-ink-undo").addEventListener("click", undo);
  $("docs-ink-redo").addEventListener("click", redo);
  return state;
}
