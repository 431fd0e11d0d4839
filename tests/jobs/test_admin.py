"""The jobs admin: read-only, in Chinese, and "重试" puts failed jobs back in the queue."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from jobs.models import Job
from jobs.services import enqueue

pytestmark = pytest.mark.django_db


@pytest.fixture
def root() -> Client:
    admin = get_user_model().objects.create_superuser("root", password="pw-root")
    c = Client()
    c.force_login(admin)
    return c


def failed(kind: str = "test.echo") -> Job:
    job = enqueue(kind, {"n": 1})
    Job.objects.filter(pk=job.pk).update(
        state=Job.State.FAILED, attempts=3, error="Traceback …\nRuntimeError: disk full"
    )
    return Job.objects.get(pk=job.pk)


def test_changelist_lists_jobs_in_chinese(root):
    job = failed("docs_store.render")
    page = root.get("/admin/jobs/job/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "docs_store.render" in text and "RuntimeError: disk full" in text
    for label in ("后台任务", "任务类型", "状态", "失败", "尝试次数", "最后错误", "重试"):
        assert label in text, label
    assert root.get(f"/admin/jobs/job/{job.pk}/change/").status_code == 200  # the view page
    assert "disk full" in root.get("/admin/jobs/job/?state=failed").content.decode()
    assert "disk full" not in root.get("/admin/jobs/job/?state=done").content.decode()


def test_nothing_is_added_changed_or_deleted(root):
    job = failed()
    assert root.get("/admin/jobs/job/add/").status_code == 403
    view = root.get(f"/admin/jobs/job/{job.pk}/change/").content.decode()
    assert 'name="_save"' not in view and "disk full" in view
    r = root.post(f"/admin/jobs/job/{job.pk}/change/", {"state": "done"})
    assert r.status_code == 403
    assert root.post(f"/admin/jobs/job/{job.pk}/delete/", {"post": "yes"}).status_code == 403
    root.post("/admin/jobs/job/", {"action": "delete_selected", "_selected_action": [job.pk]})
    assert Job.objects.filter(pk=job.pk, state=Job.State.FAILED).exists()


def test_retry_action_requeues_failed_jobs_and_refuses_the_others(root):
    broken, also_broken = failed(), failed()
    done = enqueue("test.echo", {})
    Job.objects.filter(pk=done.pk).update(state=Job.State.DONE)
    r = root.post(
        "/admin/jobs/job/",
        {"action": "retry_failed", "_selected_action": [broken.pk, also_broken.pk, done.pk]},
        follow=True,
    )
    text = r.content.decode()
    assert r.status_code == 200
    assert "已将 2 个失败的任务重新排队。" in text
    assert f"1 个任务未重试：只有失败的任务才能重试（#{done.pk} test.echo）。" in text
    for job in (broken, also_broken):
        job.refresh_from_db()
        assert (job.state, job.attempts, job.error) == (Job.State.QUEUED, 0, "")
    assert Job.objects.get(pk=done.pk).state == Job.State.DONE


def test_staff_without_the_change_permission_cannot_retry(root):
    from django.contrib.auth.models import Permission

    staff = get_user_model().objects.create_user("ops", password="pw", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_job"))
    c = Client()
    c.force_login(staff)
    job = failed()
    assert c.get("/admin/jobs/job/").status_code == 200
    assert "retry_failed" not in c.get("/admin/jobs/job/").content.decode()
    c.post("/admin/jobs/job/", {"action": "retry_failed", "_selected_action": [job.pk]})
    assert Job.objects.get(pk=job.pk).state == Job.State.FAILED
