"""Pen annotations: stored whole or not at all, private, undo/redo, recall, export."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client
from pypdf import PdfReader

from core.models import AuditEntry
from docs_store.models import InkStroke
from docs_store.services.distribution import recall
from harness.actors import CLERK

pytestmark = pytest.mark.django_db


@pytest.fixture
def doc(committee, upload, pdf_bytes, rendered):
    [d] = upload(("bill.pdf", pdf_bytes(3, "bill")), distribute=True)
    rendered()
    d.refresh_from_db()
    return d


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def stroke(n: int = 0, **over) -> dict:
    base = {
        "id": f"stroke-{n:04d}",
        "tool": "pen",
        "color": "#D03030",
        "width": 0.004,
        "points": [[0.1, 0.2, 0.5], [0.3, 0.25, 0.7], [0.5, 0.3]],
    }
    return {**base, **over}


def post(client, doc, body) -> tuple[int, dict]:
    resp = client.post(f"/docs/d/{doc.pk}/ink/", json.dumps(body), content_type="application/json")
    return resp.status_code, resp.json()


def test_a_stroke_survives_reload_and_another_tablet_but_is_private(committee, doc):
    member, other = committee.members[0].user, committee.members[2].user
    code, body = post(_client(member), doc, {"version": 1, "page": 2, "stroke": stroke()})
    assert code == 200 and body["color"] == "#d03030" and body["points"][2] == [0.5, 0.3, 0.5]
    fresh = _client(member).get(f"/docs/d/{doc.pk}/ink/").json()  # another tablet
    assert [(s["id"], s["page"]) for s in fresh["strokes"]] == [("stroke-0000", 2)]
    assert _client(other).get(f"/docs/d/{doc.pk}/ink/").json()["strokes"] == []


def test_a_resent_stroke_is_stored_once(committee, doc):
    c = _client(committee.members[0].user)
    for _ in range(3):
        assert post(c, doc, {"version": 1, "page": 1, "stroke": stroke()})[0] == 200
    assert InkStroke.objects.count() == 1


def test_undo_and_redo(committee, doc):
    c = _client(committee.members[0].user)
    post(c, doc, {"version": 1, "page": 1, "stroke": stroke(1)})
    post(c, doc, {"version": 1, "page": 1, "stroke": stroke(2)})
    url = f"/docs/d/{doc.pk}/ink/stroke-0002/erase/"
    assert c.post(url, '{"erased": true}', content_type="application/json").json()["erased"]
    assert [s["id"] for s in c.get(f"/docs/d/{doc.pk}/ink/").json()["strokes"]] == ["stroke-0001"]
    c.post(url, '{"erased": false}', content_type="application/json")
    assert len(c.get(f"/docs/d/{doc.pk}/ink/").json()["strokes"]) == 2


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (
            {"version": 1, "page": 1, "stroke": stroke(points=[[0.1, 0.1]] * 5001)},
            400,
            "invalid_stroke",
        ),
        ({"version": 1, "page": 1, "stroke": stroke(points=[[0.1, 0.1]])}, 400, "invalid_stroke"),
        (
            {"version": 1, "page": 1, "stroke": stroke(points=[[0.1, 0.1], [1.4, 0.2]])},
            400,
            "stroke_out_of_page",
        ),
        (
            {"version": 1, "page": 1, "stroke": stroke(points=[[0.1, 0.1], [-0.01, 0.2]])},
            400,
            "stroke_out_of_page",
        ),
        (
            {"version": 1, "page": 1, "stroke": stroke(points=[[0.1, 0.1], ["x", 0.2]])},
            400,
            "stroke_out_of_page",
        ),
        (
            {"version": 1, "page": 1, "stroke": stroke(points=[[0.1, 0.1], [0.2, 0.2, 9]])},
            400,
            "invalid_stroke",
        ),
        ({"version": 1, "page": 1, "stroke": stroke(tool="laser")}, 400, "invalid_stroke"),
        ({"version": 1, "page": 1, "stroke": stroke(color="red")}, 400, "invalid_stroke"),
        ({"version": 1, "page": 1, "stroke": stroke(width=3)}, 400, "invalid_stroke"),
        ({"version": 1, "page": 1, "stroke": stroke(id="x")}, 400, "invalid_stroke"),
        ({"version": 1, "page": 4, "stroke": stroke()}, 404, "no_such_page"),
        ({"version": 2, "page": 1, "stroke": stroke()}, 400, "stale_version"),
        ({"version": 1, "page": 1, "stroke": "nope"}, 400, "invalid_stroke"),
    ],
)
def test_bad_strokes_are_refused_and_nothing_is_stored(committee, doc, body, status, code):
    got_status, got = post(_client(committee.members[0].user), doc, body)
    assert (got_status, got["code"]) == (status, code)
    assert InkStroke.objects.count() == 0


def test_staff_and_clerks_do_not_annotate(committee, doc):
    for user in (committee.staff.user, committee.clerk.user):
        code, body = post(_client(user), doc, {"version": 1, "page": 1, "stroke": stroke()})
        assert (code, body["code"]) == (403, "not_component_member")


def test_ink_goes_with_a_recall_and_the_trail_counts_it(committee, doc):
    c = _client(committee.members[0].user)
    post(c, doc, {"version": 1, "page": 1, "stroke": stroke(1)})
    c.post(
        f"/docs/d/{doc.pk}/notes/",
        '{"page": 1, "text": "注意第三款"}',
        content_type="application/json",
    )
    recall(committee.session, actor=CLERK, by=committee.clerk.user, ids=[doc.pk])
    assert InkStroke.objects.count() == 0
    entry = AuditEntry.objects.get(action="documents.annotations_removed")
    assert (entry.data["strokes"], entry.data["notes"]) == (1, 1)
    code, body = post(c, doc, {"version": 1, "page": 1, "stroke": stroke(2)})
    assert (code, body["code"]) == (410, "recalled") and InkStroke.objects.count() == 0


def test_export_holds_the_annotated_pages_with_strokes_and_note(committee, doc):
    c = _client(committee.members[0].user)
    post(c, doc, {"version": 1, "page": 2, "stroke": stroke(1)})
    post(
        c, doc, {"version": 1, "page": 2, "stroke": stroke(2, tool="highlighter", color="#ffee00")}
    )
    c.post(
        f"/docs/d/{doc.pk}/notes/",
        '{"page": 3, "text": "第三页·需核实"}',
        content_type="application/json",
    )
    resp = c.get(f"/docs/d/{doc.pk}/annotated.pdf")
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(resp.content))
    assert len(pdf.pages) == 2  # page 2 (ink) and page 3 (note) only
    text = "".join(p.extract_text() for p in pdf.pages)
    assert "第2页" in text and "第三页·需核实" in text and "委员1" in text
    assert "\ufffd" not in text
    fonts = pdf.pages[0]["/Resources"]["/Font"]
    assert any(
        "/FontFile2" in f.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        for f in fonts.values()
        if "/DescendantFonts" in f.get_object()
    ) or any("/FontFile2" in f.get_object().get("/FontDescriptor", {}) for f in fonts.values())
    content = pdf.pages[0].get_contents().get_data()
    assert content.count(b" l\n") + content.count(b" l ") >= 4  # two strokes' segments
