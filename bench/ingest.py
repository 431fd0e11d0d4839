"""Document ingest: a generated N-page PDF uploaded → first page viewable → all pages.

Runs the real pipeline in one process on a fresh SQLite database under a temporary
data folder: ``upload_documents`` (pypdf validation, hashing, storing, queueing) and the
in-process job worker rendering page images (pypdfium2 → two JPEG widths). Times are
from the start of the upload call to the moment the page image files of page 1 (and of
every page) are on disk and marked ready, i.e. what a tablet's page request would find.

In the same run it measures the baseline: pypdfium2 rendering the same PDF at the same
widths in a bare loop (no validation, database, jobs or file writes), the floor the
pipeline can approach.

    python bench/ingest.py --pages 300 [--json]

Prints ``{"pages": 300, "first_page_s": …, "all_pages_s": …, "pages_per_s": …,
"baseline": {…}}`` with ``--json``. Targets (DESIGN.md): first page ≤ 1 s, all ≤ 30 s.
Figures only: this never fails on a slow result.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def make_pdf(pages: int) -> bytes:
    """A bill-like PDF: a heading and 40 lines of text per page, plus a rule."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    w, h = A4
    for n in range(1, pages + 1):
        c.setFont("Helvetica-Bold", 18)
        c.drawCentredString(w / 2, h - 70, f"Draft Regulation on Data - page {n}")
        c.setFont("Helvetica", 10)
        y = h - 110
        for line in range(40):
            c.drawString(60, y, f"Article {n}.{line + 1}  Data means any record of information ")
            y -= 17
        c.line(60, 50, w - 60, 50)
        c.showPage()
    c.save()
    return buf.getvalue()


def committee_session():
    import datetime as dt

    from django.contrib.auth import get_user_model

    from core.models import Committee, Member, Role, Session, Term

    c = Committee.objects.create(name="bench")
    term = Term.objects.create(committee=c, name="t", starts_on=dt.date(2026, 1, 1))
    user = get_user_model().objects.create_user("bench-clerk")
    Member.objects.create(user=user, term=term, full_name="clerk", role=Role.CLERK)
    session = Session.objects.create(term=term, number=1, title="s", starts_on=dt.date.today())
    return session, user


def measure_pipeline(data: bytes, pages: int) -> dict:
    from docs_store.models import Rendition
    from docs_store.services.upload import Upload, upload_documents
    from jobs import runner

    session, clerk = committee_session()
    runner.start_in_process(force=True)
    t0 = time.perf_counter()
    [doc] = upload_documents(session, [Upload("bench.pdf", data)], by=clerk)
    sha = doc.current.sha256
    first = None
    while True:
        ready = Rendition.objects.filter(sha256=sha).values_list("pages_ready", flat=True).get()
        now = time.perf_counter() - t0
        if first is None and ready >= 1:
            first = now
        if ready >= pages:
            break
        time.sleep(0.02)
    runner.stop_in_process()
    return {"first_page_s": round(first, 3), "all_pages_s": round(now, 3)}


def measure_baseline(data: bytes) -> dict:
    import pypdfium2 as pdfium

    from docs_store import storage

    t0 = time.perf_counter()
    doc = pdfium.PdfDocument(data)
    first = None
    for i in range(len(doc)):
        page = doc[i]
        for w in storage.WIDTHS:
            img = page.render(scale=w / page.get_width(), rev_byteorder=True).to_pil()
            img.save(io.BytesIO(), "JPEG", quality=82)
        page.close()
        if first is None:
            first = time.perf_counter() - t0
    total = time.perf_counter() - t0
    return {"first_page_s": round(first, 3), "all_pages_s": round(total, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    data = make_pdf(args.pages)
    with tempfile.TemporaryDirectory(prefix="yiting-ingest-") as tmp:
        from bench.common import setup_django

        setup_django(Path(tmp))
        result = measure_pipeline(data, args.pages)
        baseline = measure_baseline(data)
    out = {
        "pages": args.pages,
        "first_page_s": result["first_page_s"],
        "all_pages_s": result["all_pages_s"],
        "pages_per_s": round(args.pages / result["all_pages_s"], 1),
        "baseline": {
            "what": "bare pypdfium2 render + JPEG at the same widths, same PDF, same run",
            **baseline,
            "pages_per_s": round(args.pages / baseline["all_pages_s"], 1),
        },
        "pdf_bytes": len(data),
        "targets": {"first_page_s": 1.0, "all_pages_s": 30.0},
    }
    if args.json:
        print(json.dumps(out))
        return
    print(f"{args.pages}-page PDF ({len(data) / 1e6:.1f} MB)")
    print(
        f"  pipeline: first page {out['first_page_s']} s, all {out['all_pages_s']} s, "
        f"{out['pages_per_s']} pages/s"
    )
    b = out["baseline"]
    print(
        f"  baseline: first page {b['first_page_s']} s, all {b['all_pages_s']} s, "
        f"{b['pages_per_s']} pages/s (bare renderer)"
    )
    print("  targets: first page <= 1 s, all <= 30 s")


if __name__ == "__main__":
    main()
