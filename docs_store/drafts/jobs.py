"""Background reading of a draft's articles (job kind ``drafts.read``), queued on demand.

Every upload is read by the indexing job's last step (``services.read_content``); this
job reads a version asked for before that (``services.ensure_read``: the clerk marking a
comparison, a reader asking for the articles, the console's list).

Found by ``jobs.registry.discover`` (this app's ``jobs`` module). Reading is idempotent:
a version already read is left as it is, so a job taken over after a crash, or queued
twice, changes nothing.
"""

from __future__ import annotations

from docs_store.drafts.services import READ_JOB, read_version
from docs_store.models import DocumentVersion
from jobs.registry import job


@job(READ_JOB)
def read(job, report) -> dict:
    version = DocumentVersion.objects.filter(pk=job.payload["version"]).first()
    if version is None:  # deleted with its document since: nothing to read
        return {"articles": 0, "status": "gone"}
    structure = read_version(version)
    report(1, 1)
    return {"articles": structure.articles, "status": structure.status}
