"""Background job: generate a session's minutes (JSON export, then PDF and DOCX), with progress.

Safe to run again after a crash: each file is written whole under a temporary name
and renamed, and the run is marked done only when all its files exist.
"""

from __future__ import annotations

from core import clock
from jobs.registry import job
from meeting.proceedings import minutes
from meeting.proceedings.closing import MINUTES_JOB
from meeting.proceedings.models import MinutesRun


def _stage(run: MinutesRun, stage: str, percent: int, report) -> None:
    MinutesRun.objects.filter(pk=run.pk).update(
        state=MinutesRun.State.RUNNING, stage=stage[:100], progress=percent
    )
    report(percent, 100)


@job(MINUTES_JOB)
def generate_minutes(job, report) -> dict:
    run = MinutesRun.objects.select_related("session__term__committee").get(pk=job.payload["run"])
    session = run.session
    _stage(run, "collecting", 5, report)

    def progress(stage: str, n: int, total: int) -> None:
        _stage(run, stage, 5 + int(60 * n / max(total, 1)), report)

    record = minutes.collect(session, progress)
    folder = minutes.minutes_dir(session)
    json_path, pdf_path = folder / f"minutes-{run.pk}.json", folder / f"minutes-{run.pk}.pdf"
    _stage(run, "writing JSON", 70, report)
    minutes.write_json(record, json_path)
    _stage(run, "rendering PDF", 80, report)
    minutes.write_pdf(record, pdf_path)
    _stage(run, "writing DOCX", 90, report)
    minutes.write_docx(record, minutes.docx_path(json_path))
    root = minutes.minutes_dir(session).parents[1]
    MinutesRun.objects.filter(pk=run.pk).update(
        state=MinutesRun.State.DONE,
        stage="done",
        progress=100,
        json_path=str(json_path.relative_to(root)),
        pdf_path=str(pdf_path.relative_to(root)),
        finished_at=clock.now(),
        error="",
    )
    report(100, 100)
    return {"run": run.pk, "pdf": str(pdf_path.relative_to(root))}
