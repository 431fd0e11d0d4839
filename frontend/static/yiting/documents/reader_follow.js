// Following the presenter in the reader: the tablet shows the page the presenter shows
// until the member turns a page (then they read freely), with one tap back; while free,
// "the presenter moved to p. 7". A chair or the item's presenter who pressed "Present
// this page" drives the room instead: their page turns flip everyone's page. Split out
// of reader.js so the follow / free / presenting rules sit together.
import { errorText } from "../errors.js";
import { labelled } from "../words.js";

/** "… {page} …" with the page number put in. */
const fill = (text, page) => String(text || "").replace("{page}", String(page));

export function mountFollow(r) {
  const { client, st, L, $, docById, tell } = r;

  // free reading: any page move by the member leaves follow mode
  function turn(delta) {
    if (!st.open) return;
    goTo(st.open.page + delta);
  }

  function goTo(page) {
    if (!st.open) return;
    if (presenting()) {
      client.send("presenter.flip", { page }).catch((e) => ($("docs-status").textContent = errorText(e)));
      return;
    }
    st.follow = false;
    r.page.show(st.open.doc.id, page);
  }

  // Only after "Present this page" do a chair's page turns move the room; reading alone
  // on a chair's tablet must never flip everyone's page by accident.
  function presenting() {
    return st.presenting && st.mayPresent && st.presenter.document === (st.open && st.open.doc.id);
  }

  function followPresenter() {
    const p = st.presenter;
    if (p.document && docById(p.document)) r.page.show(p.document, p.page, { fromPresenter: true });
    else renderFollow();
  }

  // Following or reading freely, unmistakably: the top bar's chip, the stage's frame
  // (body[data-follow]) and, while free, where the presenter is with one tap back.
  function renderFollow() {
    const p = st.presenter;
    const active = p.document != null && !!docById(p.document);
    const following = active && st.follow;
    const mode = !active ? "none" : following ? "following" : "free";
    document.body.dataset.follow = mode;
    const pill = $("docs-presenter");
    pill.hidden = mode !== "free";
    if (active) {
      const doc = docById(p.document);
      const moved = fill(L.lPresenterMoved, p.page);
      const same = st.open && st.open.doc.id === p.document;
      pill.textContent = same ? moved : `${moved} · ${doc.title}`;
      pill.title = labelled(L.lPresenterAt, `${doc.title} · ${L.lPage} ${p.page}`);
      if (pill.dataset.page && pill.dataset.page !== String(p.page)) flash(pill);
      pill.dataset.page = p.page;
      pill.dataset.doc = p.document;
    } else {
      delete pill.dataset.page;
    }
    const back = $("docs-follow");
    back.hidden = mode !== "free";
    back.textContent = fill(L.lBackTo, p.page);
    const chip = $("docs-following");
    chip.hidden = mode !== "following";
    chip.textContent = fill(L.lFollowingAt, p.page);
    $("docs-present").hidden = !(st.mayPresent && st.open);
  }

  function flash(el) {
    el.classList.remove("flash");
    void el.offsetWidth; // restart the animation
    el.classList.add("flash");
  }

  // a search result: read that page freely (leaving follow mode)
  function openFree(docId, page) {
    if (!docById(docId)) return false;
    st.follow = false;
    r.page.show(docId, page);
    tell("picked", { doc: docId, page });
    return true;
  }

  $("docs-follow").addEventListener("click", () => { st.follow = true; followPresenter(); });
  $("docs-present").addEventListener("click", () => {
    if (!st.open) return;
    st.follow = true;
    st.presenting = true;
    st.presentingDoc = st.open.doc.id;
    client.send("presenter.open", { document: st.open.doc.id, page: st.open.page }).catch((e) => {
      st.presenting = false;
      $("docs-status").textContent = errorText(e);
    });
  });
  client.on("presenter.page", (data) => {
    if (st.presenting && data.document !== st.presentingDoc) st.presenting = false; // taken over
    st.presenter = { ...st.presenter, ...data };
    if (st.follow) followPresenter();
    else renderFollow();
    r.list.render();
  });

  return { turn, goTo, followPresenter, render: renderFollow, openFree };
}
