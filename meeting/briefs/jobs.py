"""Background jobs of the briefs: reprint after a clip deletion; the term book with progress.

A member's book is small (under a second) and is made in the request that asks for it.
"""

from __future__ import annotations

from jobs.registry import job
from jobs.services import keep_finished

TERM_BOOK_JOB = "briefs.term_book"
keep_finished(TERM_BOOK_JOB)  # the briefs page finds the book's download by its job


@job("briefs.reprint")
def reprint(job, report) -> dict:
    from meeting.briefs.services.briefs import refresh_document

    done = refresh_document(job.payload["brief"], job.payload.get("reason", ""))
    report(1, 1)
    return {"reprinted": done}


@job(TERM_BOOK_JOB)
def term_book(job, report) -> dict:
    from meeting.briefs.services import books

    path = books.write_term_book_file(job.payload["term"], report)
    return {"file": path}
