"""Background jobs in the admin: what ran, what failed and why, and "retry" for the failed.

Read-only (core/adminkit.py): a job's state is the worker's to change. The one thing an
operator does here is put failed jobs back in the queue (``jobs.services.retry``), the
same as a clerk's "try again"; a job that is not failed is refused, by name.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.adminkit import ReadOnlyAdmin, column, name_model, titled, words_filter
from jobs.models import Job
from jobs.services import retry

STATES = {
    Job.State.QUEUED: _("queued"),
    Job.State.RUNNING: _("running"),
    Job.State.DONE: _("done"),
    Job.State.FAILED: _("failed"),
}

name_model(Job, _("background job"), _("background jobs"))


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "kind_",
        "state_",
        "attempts_",
        "progress_",
        "created_at_",
        "finished_at_",
        "last_error",
    )
    list_display_links = ("number", "kind_")
    list_filter = (
        words_filter("state", _("state"), STATES),
        titled("kind", _("job kind"), admin.AllValuesFieldListFilter),
    )
    search_fields = ("kind", "key", "error")
    date_hierarchy = "created_at"
    ordering = ("-id",)
    actions = ("retry_failed",)
    fields = (
        "number",
        "kind_",
        "key_",
        "state_",
        "priority_",
        "attempts_",
        "progress_",
        "payload_",
        "result_",
        "error_",
        "lease_owner_",
        "lease_until_",
        "run_after_",
        "created_at_",
        "started_at_",
        "finished_at_",
    )

    number = column("pk", _("serial number"), ordering="id")
    kind_ = column("kind", _("job kind"))
    key_ = column("key", _("dedupe key"))
    state_ = column("state", _("state"), words=STATES)
    priority_ = column("priority", _("priority (lower runs first)"))
    payload_ = column("payload", _("payload"), ordering=None)
    result_ = column("result", _("result"), ordering=None)
    lease_owner_ = column("lease_owner", _("held by worker"))
    lease_until_ = column("lease_until", _("lease until"))
    run_after_ = column("run_after", _("runs after"))
    created_at_ = column("created_at", _("queued at"))
    started_at_ = column("started_at", _("started at"))
    finished_at_ = column("finished_at", _("finished at"))

    @admin.display(description=_("attempts"), ordering="attempts")
    def attempts_(self, job: Job) -> str:
        return f"{job.attempts} / {job.max_attempts}"

    @admin.display(description=_("progress"))
    def progress_(self, job: Job) -> str:
        if not job.progress_total:
            return self.get_empty_value_display()
        return f"{job.progress_done} / {job.progress_total}"

    @admin.display(description=_("last error"))
    def last_error(self, job: Job) -> str:
        lines = job.error.strip().splitlines()
        return lines[-1][:160] if lines else self.get_empty_value_display()

    @admin.display(description=_("error"))
    def error_(self, job: Job):
        if not job.error:
            return self.get_empty_value_display()
        return format_html('<pre style="white-space: pre-wrap; margin: 0">{}</pre>', job.error)

    def has_retry_permission(self, request) -> bool:
        """Retrying changes the job's state, so it takes the permission to change jobs."""
        return request.user.has_perm("jobs.change_job")

    @admin.action(description=_("Retry"), permissions=["retry"])
    def retry_failed(self, request, queryset) -> None:
        retried, refused = [], []
        for job in queryset.order_by("id"):
            (retried if retry(job.pk) else refused).append(job)
        if retried:
            self.message_user(
                request,
                ngettext(
                    "%(n)d failed job was put back in the queue.",
                    "%(n)d failed jobs were put back in the queue.",
                    len(retried),
                )
                % {"n": len(retried)},
                messages.SUCCESS,
            )
        if refused:
            names = ", ".join(f"#{j.pk} {j.kind}" for j in refused[:10])
            more = "…" if len(refused) > 10 else ""
            self.message_user(
                request,
                ngettext(
                    "%(n)d job was not retried: only failed jobs can be retried (%(jobs)s).",
                    "%(n)d jobs were not retried: only failed jobs can be retried (%(jobs)s).",
                    len(refused),
                )
                % {"n": len(refused), "jobs": names + more},
                messages.WARNING,
            )
