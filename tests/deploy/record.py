"""What a committee's record holds, read inside a stack's process (``stack.python``).

``summary()`` is run on the live system and on the restored one; the test compares
them. It reads the database and opens the files the rows name: each clip is decoded
(PyAV: the first video and audio frames, the duration), each page image and PDF is
opened, so "the file is there" means "it plays / it renders", not only "it exists".
"""

from __future__ import annotations

from pathlib import Path


def _clip_plays(path: Path) -> dict:
    import av

    with av.open(str(path)) as box:
        kinds = sorted({s.type for s in box.streams})
        video = next(box.decode(video=0))
        box.seek(0)
        audio = next(box.decode(audio=0))
        duration = float(box.duration or 0) / 1_000_000
    return {
        "streams": kinds,
        "video": [video.width, video.height],
        "audio_rate": audio.sample_rate,
        "seconds": round(duration, 1),
    }


def _pdf_pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(str(path)).pages)


def votes() -> list[dict]:
    from meeting.voting.models import AuditEntry, Ballot, Vote
    from meeting.voting.services.audit import verify

    out = []
    for v in Vote.objects.order_by("pk"):
        result = getattr(v, "result", None)
        out.append(
            {
                "id": v.pk,
                "state": v.state,
                "cast_count": v.cast_count,
                "ballots": sorted(
                    Ballot.objects.filter(vote=v).values_list("member_id", flat=True)
                ),
                "audit_ballots": AuditEntry.objects.filter(vote=v, kind="ballot").count(),
                "chain": verify(v).as_dict(),
                "result": None
                if result is None
                else {"cast": result.cast, "passed": result.passed, "questions": result.questions},
            }
        )
    return out


def documents(pages: bool) -> list[dict]:
    from PIL import Image

    from docs_store import storage
    from docs_store.models import DocumentVersion, Rendition

    out = []
    for v in DocumentVersion.objects.order_by("pk"):
        original = storage.original_path(v.sha256)
        row = {"title": v.document.title, "pages": v.pages, "pdf_pages": _pdf_pages(original)}
        if pages:
            r = Rendition.objects.get(sha256=v.sha256)
            sizes = set()
            for page in range(1, v.pages + 1):
                for width in storage.WIDTHS:
                    with Image.open(storage.page_path(v.sha256, page, width)) as im:
                        im.verify()
                        sizes.add(im.size[0])
            row |= {"ready": r.pages_ready, "widths": sorted(sizes)}
        out.append(row)
    return out


def summary(pages: bool = True) -> dict:
    """Sessions, votes with tallies and chains, the audit trail, clips (played),
    documents (rendered), released briefs and the term book."""
    from django.conf import settings

    from core.models import AuditEntry, Session
    from jobs.models import Job
    from media.models import Clip
    from meeting.briefs.models import Brief

    clips = {
        c.path: {"sha256": c.sha256, **_clip_plays(Path(settings.MEDIA_ROOT) / c.path)}
        for c in Clip.objects.filter(deleted_at=None).order_by("path")
    }
    briefs = [
        {
            "number": b.number,
            "title": b.title,
            "document": b.document.title,
            "pdf_pages": _pdf_pages(
                Path(settings.DATA_DIR) / "docs" / "originals" / f"{b.document.current.sha256}.pdf"
            ),
        }
        for b in Brief.objects.filter(state="released").select_related("document__current")
    ]
    books = [
        {
            "under_data_dir": Path(j.result["file"]).is_relative_to(Path(settings.DATA_DIR)),
            "pdf_pages": _pdf_pages(Path(j.result["file"])),
        }
        for j in Job.objects.filter(kind="briefs.term_book", state="done")
    ]
    return {
        "sessions": [
            [s.number, s.title, s.state, s.sittings.count()]
            for s in Session.objects.order_by("number")
        ],
        "votes": votes(),
        "audit_trail": AuditEntry.objects.count(),
        "clips": clips,
        "documents": documents(pages),
        "briefs": briefs,
        "term_books": books,
    }
