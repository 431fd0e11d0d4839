"""Page images rendered in the background by pypdfium2, first page first, cached by hash."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from docs_store import storage
from docs_store.models import Rendition
from jobs.models import Job
from jobs.runner import run_once

pytestmark = pytest.mark.django_db

REAL_WORLD = [
    ("habibi-rotated.pdf", 4),
    ("cmyk-image.pdf", 1),
    ("pdflatex-outline.pdf", 4),
    ("annotated_pdf.pdf", 1),
    ("crazyones-pdfa.pdf", 1),
    ("with-attachment.pdf", 1),
    ("multicolumn.pdf", 3),
    ("google-doc-document.pdf", 1),
]


def image(sha: str, page: int, width: int) -> Image.Image:
    return Image.open(io.BytesIO(storage.page_path(sha, page, width).read_bytes()))


def test_upload_queues_first_page_before_the_rest(upload, pdf_bytes):
    [doc] = upload(("a.pdf", pdf_bytes(5)))
    jobs = list(Job.objects.order_by("priority", "id"))
    # page one, then all pages, then the text index for search (after the images)
    assert [(j.kind, j.payload.get("first_only")) for j in jobs] == [
        ("docs_store.render", True),
        ("docs_store.render", False),
        ("docs_store.index", None),
    ]
    sha = doc.current.sha256
    first = run_once()
    assert first.payload["first_only"] and first.state == "done"
    assert storage.page_path(sha, 1, 800).exists() and storage.page_path(sha, 1, 1600).exists()
    assert not storage.page_path(sha, 2, 800).exists()  # only page one so far
    assert Rendition.objects.get(sha256=sha).pages_ready == 1


def test_all_pages_at_both_widths_with_progress(upload, pdf_bytes, rendered):
    [doc] = upload(("a.pdf", pdf_bytes(5)))
    rendered()
    sha = doc.current.sha256
    rend = Rendition.objects.get(sha256=sha)
    assert rend.ready and rend.pages_ready == 5
    full = Job.objects.get(key=f"docs_store.render:{sha}:all")
    assert (full.progress_done, full.progress_total) == (5, 5)
    for page in range(1, 6):
        small, big = image(sha, page, 800), image(sha, page, 1600)
        assert small.width == 800 and big.width == 1600
        assert abs(big.height / big.width - 297 / 210) < 0.01  # A4 proportions kept


def test_pages_differ_and_carry_ink(upload, pdf_bytes, rendered):
    [doc] = upload(("a.pdf", pdf_bytes(3)))
    rendered()
    sha = doc.current.sha256
    one, two = image(sha, 1, 800), image(sha, 2, 800)
    assert one.tobytes() != two.tobytes()
    assert one.convert("L").getextrema()[0] < 60  # black text/bar drawn, not a blank page


def test_same_content_is_rendered_once(upload, pdf_bytes, rendered):
    data = pdf_bytes(2, "same")
    upload(("a.pdf", data))
    rendered()
    upload(("copy.pdf", data))
    assert Job.objects.count() == 3  # no new jobs: the hash is already rendered and indexed
    assert Rendition.objects.count() == 1


def test_a_job_taken_over_skips_pages_already_on_disk(upload, pdf_bytes, rendered):
    [doc] = upload(("a.pdf", pdf_bytes(3)))
    rendered()
    sha = doc.current.sha256
    stamp = storage.page_path(sha, 2, 800).stat().st_mtime_ns
    from docs_store.rendering import render_all

    render_all(storage.original_path(sha), sha)
    assert storage.page_path(sha, 2, 800).stat().st_mtime_ns == stamp


@pytest.mark.parametrize("name,pages", REAL_WORLD)
def test_real_world_pdfs_render(upload, shared_pdf, rendered, name, pages):
    [doc] = upload((name, shared_pdf(name)))
    rendered()
    sha = doc.current.sha256
    assert Rendition.objects.get(sha256=sha).pages_ready == pages
    for page in range(1, pages + 1):
        img = image(sha, page, 800)
        assert img.width == 800 and img.mode == "RGB"
        lo, hi = img.convert("L").getextrema()
        assert hi - lo > 50, f"{name} page {page} rendered blank"


def test_rotated_pages_are_rendered_upright(upload, shared_pdf, rendered):
    import pypdf

    data = shared_pdf("habibi-rotated.pdf")
    reader = pypdf.PdfReader(io.BytesIO(data))
    [doc] = upload(("rot.pdf", data))
    rendered()
    for n, page in enumerate(reader.pages, start=1):
        w, h = float(page.mediabox.width), float(page.mediabox.height)
        if page.rotation % 180:
            w, h = h, w
        img = image(doc.current.sha256, n, 800)
        assert (img.height > img.width) == (h > w), f"page {n} (rotation {page.rotation})"


def test_the_117_page_document_renders(upload, shared_pdf, rendered):
    [doc] = upload(("geo.pdf", shared_pdf("GeoTopo-komprimiert.pdf")))
    rendered()
    sha = doc.current.sha256
    assert Rendition.objects.get(sha256=sha).pages_ready == 117
    assert storage.page_path(sha, 117, 1600).exists()
