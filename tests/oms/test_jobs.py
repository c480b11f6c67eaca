"""Background jobs: queued after commit, run by a worker, watched and downloaded by their owner."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from oms import jobs
from oms.errors import InvalidInput, NotAllowed, NotFound
from oms.models import Job
from tests.factories import UserFactory

KIND = "test_report"


@pytest.fixture(autouse=True)
def handlers():
    """Register small handlers for the tests, and take them away afterwards."""
    calls = []

    @jobs.register(KIND, permission="inventory.view_product")
    def report(job, progress):
        progress.set_total(3)
        for _ in range(3):
            progress.advance()
        calls.append(job.pk)
        return jobs.JobFile(b"a,b\n1,2\n", f"report-{job.params['n']}.csv", "text/csv")

    @jobs.register("test_refused", permission="inventory.view_product")
    def refused(job, progress):
        raise InvalidInput("There is nothing to export for these filters.")

    @jobs.register("test_broken", permission="inventory.view_product")
    def broken(job, progress):
        raise RuntimeError("disk full")

    yield calls
    for kind in (KIND, "test_refused", "test_broken"):
        jobs._HANDLERS.pop(kind, None)


def test_a_job_runs_after_commit_and_keeps_its_file(
    sales_user, handlers, django_capture_on_commit_callbacks
):
    # given / when
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = jobs.job_start(kind=KIND, user=sales_user, title="Report", params={"n": 1})
        queued = Job.objects.get(pk=job.pk)

    # then
    assert len(callbacks) == 1
    assert queued.status == Job.Status.QUEUED
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert (job.progress_done, job.progress_total, job.percent) == (3, 3, 100)
    assert job.file.read() == b"a,b\n1,2\n"
    assert job.filename == "report-1.csv" and job.size == 8
    assert job.expires_at - job.finished_at == timedelta(days=3)


def test_a_rolled_back_request_queues_nothing(sales_user, handlers):
    # given / when
    with pytest.raises(RuntimeError), transaction.atomic():
        jobs.job_start(kind=KIND, user=sales_user, title="Report", params={"n": 1})
        raise RuntimeError("the page failed after asking")

    # then
    assert not Job.objects.exists()
    assert handlers == []


def test_unknown_work_and_missing_permission_are_refused_and_write_nothing(warehouse_user):
    # given
    nobody = UserFactory(username="no.role")

    # when / then
    with pytest.raises(InvalidInput, match="no background work"):
        jobs.job_start(kind="format_disk", user=warehouse_user, title="x")
    with pytest.raises(NotAllowed):
        jobs.job_start(kind=KIND, user=nobody, title="x", params={"n": 1})
    assert not Job.objects.exists()


def test_the_same_request_twice_shares_one_job(sales_user):
    # given
    first = jobs.job_start(kind=KIND, user=sales_user, title="Report", params={"n": 1})

    # when
    again = jobs.job_start(kind=KIND, user=sales_user, title="Report", params={"n": 1})
    other = jobs.job_start(kind=KIND, user=sales_user, title="Report", params={"n": 2})

    # then
    assert again.pk == first.pk
    assert other.pk != first.pk


def test_a_refusal_fails_the_job_in_the_handlers_words(sales_user):
    # given
    job = jobs.job_start(kind="test_refused", user=sales_user, title="Export")

    # when
    jobs.job_run(job_id=job.pk)

    # then
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.message == "There is nothing to export for these filters."
    assert not job.file


def test_an_error_fails_the_job_without_showing_internals(sales_user, caplog):
    # given
    job = jobs.job_start(kind="test_broken", user=sales_user, title="Export")

    # when
    jobs.job_run(job_id=job.pk)

    # then
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "disk full" not in job.message
    assert "Something went wrong" in job.message
    assert "disk full" in caplog.text


def test_a_job_runs_once_even_when_its_task_is_delivered_twice(sales_user, handlers):
    # given
    job = jobs.job_start(kind=KIND, user=sales_user, title="Report", params={"n": 1})
    jobs.job_run(job_id=job.pk)

    # when
    again = jobs.job_run(job_id=job.pk)

    # then
    assert again is None
    assert handlers == [job.pk]


def test_a_user_who_lost_the_permission_meanwhile_gets_nothing(sales_user, handlers):
    # given
    job = jobs.job_start(kind=KIND, user=sales_user, title="Report", params={"n": 1})
    sales_user.groups.clear()

    # when
    jobs.job_run(job_id=job.pk)

    # then
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert handlers == []


def test_only_the_owner_sees_and_downloads_a_job(client, sales_user, manager_user):
    # given
    job = jobs.job_start(kind=KIND, user=sales_user, title="Report", params={"n": 1})
    jobs.job_run(job_id=job.pk)

    # when
    client.force_login(sales_user)
    page = client.get(reverse("jobs:detail", args=[job.pk]))
    listing = client.get(reverse("jobs:list"))
    download = client.get(reverse("jobs:download", args=[job.pk]))
    client.force_login(manager_user)
    other_page = client.get(reverse("jobs:detail", args=[job.pk]))
    other_download = client.get(reverse("jobs:download", args=[job.pk]))
    client.logout()
    anonymous = client.get(reverse("jobs:download", args=[job.pk]))

    # then
    assert page.status_code == 200
    assert "Download report-1.csv" in page.content.decode()
    assert "Report" in listing.content.decode()
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"a,b\n1,2\n"
    assert download["Content-Disposition"].startswith("attachment")
    assert download["Cache-Control"] == "private, no-store"
    assert (other_page.status_code, other_download.status_code) == (404, 404)
    assert anonymous.status_code == 302


def test_the_progress_partial_polls_until_the_job_is_done(client, sales_user):
    # given
    job = jobs.job_start(kind=KIND, user=sales_user, title="Report", params={"n": 1})
    client.force_login(sales_user)

    # when
    waiting = client.get(reverse("jobs:detail", args=[job.pk]), HTTP_HX_REQUEST="true")
    jobs.job_run(job_id=job.pk)
    done = client.get(reverse("jobs:detail", args=[job.pk]), HTTP_HX_REQUEST="true")

    # then
    assert 'hx-trigger="every 1s"' in waiting.content.decode()
    assert "Waiting for a worker" in waiting.content.decode()
    assert "<html" not in waiting.content.decode()
    assert "hx-trigger" not in done.content.decode()
    assert "Ready" in done.content.decode()


@pytest.mark.parametrize("bad", ["0", "99999999999999999999999", "abc"])
def test_a_bad_job_id_is_not_found(sales_user, bad):
    with pytest.raises(NotFound):
        jobs.job_for_user(job_id=bad, user=sales_user)


def test_expired_files_are_removed_and_stuck_jobs_fail(client, sales_user):
    # given
    done = jobs.job_start(kind=KIND, user=sales_user, title="Report", params={"n": 1})
    jobs.job_run(job_id=done.pk)
    stuck = jobs.job_start(kind=KIND, user=sales_user, title="Report", params={"n": 2})
    jobs._claim(stuck.pk)
    later = timezone.now() + timedelta(days=4)

    # when
    counts = jobs.jobs_expire(now=later)

    # then
    done.refresh_from_db()
    stuck.refresh_from_db()
    assert counts == (1, 1)
    assert done.status == Job.Status.EXPIRED and not done.file
    assert stuck.status == Job.Status.FAILED
    client.force_login(sales_user)
    assert client.get(reverse("jobs:download", args=[done.pk])).status_code == 404
