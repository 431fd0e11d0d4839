"""The access matrix on every document URL, guessed ids included; recall; watermarks."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from PIL import Image, ImageChops
from pypdf import PdfReader

from docs_store.models import DocumentAction

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_committee_member(db):
    from core.models import Committee, Member, Role, Term

    c = Committee.objects.create(name="另一个常委会")
    term = Term.objects.create(committee=c, name="一", starts_on=dt.date(2025, 1, 1))
    user = get_user_model().objects.create_user("alien", password="x")
    Member.objects.create(user=user, term=term, full_name="外人", role=Role.MEMBER)
    return user


def client_for(user) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def urls(doc) -> dict[str, str]:
    v = doc.current.number
    return {
        "detail": f"/docs/d/{doc.pk}/",
        "page": f"/docs/d/{doc.pk}/v/{v}/p/1/800.jpg",
        "pdf": f"/docs/d/{doc.pk}/v/{v}/pdf",
        "notes": f"/docs/d/{doc.pk}/notes/",
    }


# expected status of (reader, document) on detail and page; pdf differs for confidential
MATRIX = {
    "clerk": {
        "session_doc": 200,
        "group_doc": 200,
        "secret": 200,
        "public": 200,
        "draft": 200,
        "gone": 200,
    },
    "m1": {
        "session_doc": 200,
        "group_doc": 200,
        "secret": 200,
        "public": 200,
        "draft": 404,
        "gone": 410,
    },
    "m2": {
        "session_doc": 200,
        "group_doc": 403,
        "secret": 403,
        "public": 200,
        "draft": 404,
        "gone": 410,
    },
    "staff": {
        "session_doc": 200,
        "group_doc": 200,
        "secret": 403,
        "public": 200,
        "draft": 404,
        "gone": 410,
    },
    "display": {
        "session_doc": 403,
        "group_doc": 403,
        "secret": 403,
        "public": 200,
        "draft": 404,
        "gone": 410,
    },
    "alien": {d: 404 for d in ("session_doc", "group_doc", "secret", "public", "draft", "gone")},
    "outsider": {d: 404 for d in ("session_doc", "group_doc", "secret", "public", "draft", "gone")},
    "anonymous": {
        d: 401 for d in ("session_doc", "group_doc", "secret", "public", "draft", "gone")
    },
}


def reader(committee, other_committee_member, who):
    return {
        "clerk": committee.clerk.user,
        "m1": committee.members[0].user,  # group A
        "m2": committee.members[1].user,  # group B
        "staff": committee.staff.user,
        "display": committee.display.user,
        "alien": other_committee_member,
        "outsider": committee.outsider,
        "anonymous": None,
    }[who]


@pytest.mark.parametrize("who", list(MATRIX))
def test_access_matrix_on_every_url(committee, docs, other_committee_member, who):
    c = client_for(reader(committee, other_committee_member, who))
    for name, expected in MATRIX[who].items():
        doc = getattr(docs, name)
        for kind, url in urls(doc).items():
            want = expected
            if kind == "pdf" and name == "secret" and expected == 200 and who != "clerk":
                want = 403  # confidential: pages only, never the PDF
            if kind == "notes" and expected == 200 and who in ("clerk", "staff", "display"):
                want = 403  # notes are a member's own
            resp = c.get(url)
            assert resp.status_code == want, (who, name, kind, resp.content[:200])
            if want >= 400:
                assert resp["Content-Type"] == "application/json"
                assert resp.json()["code"]


def test_refusals_say_why(committee, docs, other_committee_member):
    m1, m2 = committee.members[0].user, committee.members[1].user
    assert client_for(m1).get(urls(docs.gone)["page"]).json()["code"] == "recalled"
    assert client_for(m2).get(urls(docs.group_doc)["page"]).json()["code"] == "forbidden"
    assert client_for(m1).get(urls(docs.secret)["pdf"]).json()["code"] == "confidential_no_download"
    assert client_for(None).get(urls(docs.public)["page"]).json()["code"] == "not_logged_in"


@pytest.mark.parametrize("guess", [10**6, 0])
def test_guessed_ids_are_not_found(committee, docs, guess):
    c = client_for(committee.members[0].user)
    for url in (
        f"/docs/d/{guess}/",
        f"/docs/d/{guess}/v/1/p/1/800.jpg",
        f"/docs/d/{guess}/v/1/pdf",
        f"/docs/d/{guess}/notes/",
    ):
        resp = c.get(url)
        assert resp.status_code == 404 and resp.json()["code"] == "not_found", url


def test_guessed_version_page_and_width(committee, docs):
    c = client_for(committee.members[0].user)
    d = docs.session_doc
    assert c.get(f"/docs/d/{d.pk}/v/9/p/1/800.jpg").status_code == 404
    assert c.get(f"/docs/d/{d.pk}/v/1/p/3/800.jpg").json()["code"] == "no_such_page"
    assert c.get(f"/docs/d/{d.pk}/v/1/p/1/799.jpg").status_code == 404


def test_sitting_listing_shows_only_what_the_reader_may_read(committee, docs):
    def titles(user, sitting):
        resp = client_for(user).get(f"/docs/sittings/{sitting.pk}/")
        return resp.status_code, sorted(d["id"] for d in resp.json().get("documents", []))

    m1, m2 = committee.members[0].user, committee.members[1].user
    assert titles(m1, committee.group_a_sitting) == (
        200,
        sorted([docs.session_doc.pk, docs.group_doc.pk, docs.secret.pk, docs.public.pk]),
    )
    assert titles(m2, committee.group_a_sitting)[0] == 404  # not their sitting
    assert titles(m2, committee.group_b_sitting) == (
        200,
        sorted([docs.session_doc.pk, docs.public.pk]),
    )
    status, ids = titles(committee.clerk.user, committee.group_a_sitting)
    assert docs.draft.pk in ids and docs.gone.pk in ids


def test_page_not_rendered_yet_answers_not_ready(committee, upload, pdf_bytes):
    [doc] = upload(("late.pdf", pdf_bytes(2)), distribute=True)
    resp = client_for(committee.members[0].user).get(urls(doc)["page"])
    assert resp.status_code == 409 and resp.json()["code"] == "not_ready"
    assert resp["Retry-After"] == "1"


def test_confidential_pages_carry_a_per_reader_watermark(committee, docs):
    url = urls(docs.secret)["page"]
    plain = Image.open(io.BytesIO(client_for(committee.clerk.user).get(url).getvalue()))
    m1 = client_for(committee.members[0].user).get(url)
    chair = client_for(committee.chair.user).get(url)
    assert m1["Cache-Control"] == "private, no-store"
    a, b = (Image.open(io.BytesIO(r.content)) for r in (m1, chair))
    assert a.size == plain.size
    assert a.tobytes() != plain.tobytes()  # marked
    assert a.tobytes() != b.tobytes()  # each reader's own mark
    r, g, bl = a.convert("RGB").split()
    redness = ImageChops.subtract(r, ImageChops.lighter(g, bl))  # r − max(g, b), floored at 0
    red = sum(redness.point(lambda v: 255 if v > 40 else 0).histogram()[255:])
    assert red > 500  # the red mark is really drawn


def test_downloads_are_stamped_with_the_reader(committee, docs):
    resp = client_for(committee.members[0].user).get(urls(docs.session_doc)["pdf"])
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(resp.content))
    assert len(pdf.pages) == 2
    assert "m1" in pdf.metadata["/Subject"] and "002" in pdf.metadata["/Subject"]
    assert "m1" in pdf.pages[1].extract_text()


def test_recall_is_recorded_and_refuses_reads(committee, docs):
    actions = list(DocumentAction.objects.filter(document=docs.gone).values_list("kind", "by"))
    clerk = committee.clerk.user.pk
    assert actions == [("uploaded", clerk), ("distributed", clerk), ("recalled", clerk)]
    detail = client_for(committee.clerk.user).get(urls(docs.gone)["detail"]).json()
    assert [r["kind"] for r in detail["record"]] == ["uploaded", "distributed", "recalled"]
    assert detail["state"] == "recalled"
    for kind, url in urls(docs.gone).items():
        assert client_for(committee.members[0].user).get(url).status_code == 410, kind
