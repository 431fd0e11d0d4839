"""What the briefs page shows beside each group sitting and each term (read only).

Per sitting: how many finished speeches it has, how many are summarised (their points
written) and how many wait, so staff see where work is left without opening each log.
Per term: the last 一届一本 made, so its download link is on the page after a reload
(the job's row is the record; the page no longer forgets it).
"""

from __future__ import annotations

from django.db.models import Count, Q

from jobs.models import Job
from meeting.briefs.jobs import TERM_BOOK_JOB
from meeting.floor.models import Speech


def summary_counts(sitting_ids: list[int]) -> dict[int, dict]:
    """{sitting id: {"speeches", "summarised", "waiting"}} for the finished speeches."""
    rows = (
        Speech.objects.filter(sitting_id__in=sitting_ids)
        .exclude(ended_at=None)
        .values("sitting_id")
        .annotate(n=Count("id"), done=Count("id", filter=Q(summary__isnull=False)))
    )
    out = {sid: {"speeches": 0, "summarised": 0, "waiting": 0} for sid in sitting_ids}
    for r in rows:
        out[r["sitting_id"]] = {
            "speeches": r["n"],
            "summarised": r["done"],
            "waiting": r["n"] - r["done"],
        }
    return out


def last_term_books(term_ids: list[int]) -> dict[int, Job]:
    """{term id: the newest finished term-book job}, for its download link."""
    out: dict[int, Job] = {}
    jobs = Job.objects.filter(kind=TERM_BOOK_JOB, state=Job.State.DONE).order_by("-created_at")
    for job in jobs[:200]:
        term = (job.payload or {}).get("term")
        if term in term_ids and term not in out:
            out[term] = job
    return out
