"""Long work in the background: big PDFs, exports and imports, with progress and a download.

A page that would otherwise keep a request busy for seconds calls
``job_start`` and sends the user to the job's page, which polls the job's
progress and offers the file once it is ready. The work itself is a handler
that the owning app registers for a kind of job (``@register("wave_labels",
permission=...)`` in its ``jobs.py``, imported by its ``AppConfig.ready``),
so this module knows no app above it.

A handler is called with the job and a ``Progress``; it returns a
``JobFile`` (bytes or a Django ``File``) or raises a ``DomainError`` whose
message the user sees. It runs in a worker (``manage.py db_worker``), never in
a web request, outside any transaction: progress updates commit at once so
the polling page sees them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from oms.errors import DomainError, InvalidInput, NotAllowed, NotFound
from oms.models import Job

logger = logging.getLogger(__name__)

Status = Job.Status
RECENT_LIMIT = 20
# An identical job asked for again within this time is shared, not started twice.
REUSE_WINDOW = timedelta(minutes=30)


@dataclass(frozen=True)
class JobFile:
    """What a finished job hands back: the file's content, its name and type."""

    content: bytes | File
    filename: str
    content_type: str = "application/octet-stream"


@dataclass(frozen=True)
class Handler:
    func: Callable
    permission: str


_HANDLERS: dict[str, Handler] = {}


def register(kind: str, *, permission: str) -> Callable:
    """Register ``func(job, progress) -> JobFile`` as the work of ``kind`` jobs.

    ``permission`` is checked when the job is asked for and again when it
    runs (the user may have lost it meanwhile).
    """

    def decorate(func: Callable) -> Callable:
        _HANDLERS[kind] = Handler(func=func, permission=permission)
        return func

    return decorate


def keep_for() -> timedelta:
    """Return how long a finished job's file is kept (OMS_JOB_KEEP_DAYS, default 3)."""
    return timedelta(days=getattr(settings, "OMS_JOB_KEEP_DAYS", 3))


class Progress:
    """Report a running job's progress; each report commits at once, at most every 0.5 s."""

    interval = 0.5

    def __init__(self, job: Job):
        self.job_id = job.pk
        self.done = job.progress_done
        self.total = job.progress_total
        self._written_at = 0.0

    def set_total(self, total: int) -> None:
        """Say how many units of work there are."""
        self.total = max(0, int(total))
        self._write(force=True)

    def advance(self, units: int = 1) -> None:
        """Count ``units`` more as done."""
        self.done += units
        self._write(force=self.done >= self.total)

    def _write(self, *, force: bool) -> None:
        now = time.monotonic()
        if not force and now - self._written_at < self.interval:
            return
        self._written_at = now
        Job.objects.filter(pk=self.job_id).update(
            progress_done=min(self.done, self.total) if self.total else self.done,
            progress_total=self.total,
        )


def _check_allowed(user, handler: Handler) -> None:
    if user is None or not user.is_active or not user.has_perm(handler.permission):
        raise NotAllowed("Your role does not allow this.")


def job_start(
    *, kind: str, user, title: str, params: dict | None = None, unit: str = "items", total: int = 0
) -> Job:
    """Queue a job for a worker and return it; the same request twice shares one job.

    The job is enqueued once the surrounding transaction commits.
    """
    handler = _HANDLERS.get(kind)
    if handler is None:
        raise InvalidInput(f"There is no background work called {kind!r}.", code="unknown_job")
    _check_allowed(user, handler)
    params = dict(params or {})
    with transaction.atomic():
        same = (
            Job.objects.filter(
                user=user,
                kind=kind,
                params=params,
                status__in=[Status.QUEUED, Status.RUNNING],
                created_at__gte=timezone.now() - REUSE_WINDOW,
            )
            .order_by("-pk")
            .first()
        )
        if same is not None:
            return same
        job = Job.objects.create(
            kind=kind,
            title=title[:200],
            params=params,
            user=user,
            unit=unit[:20],
            progress_total=max(0, int(total)),
        )
        transaction.on_commit(lambda: run_job_task.enqueue(job.pk))
    return job


def _claim(job_id: int) -> Job | None:
    with transaction.atomic():
        job = Job.objects.select_for_update().select_related("user").filter(pk=job_id).first()
        if job is None or job.status != Status.QUEUED:
            return None
        job.start()
        job.save(update_fields=["status", "started_at"])
        return job


def _fail(job: Job, message: str) -> Job:
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job.pk)
        job.fail(message=message)
        job.save(update_fields=["status", "finished_at", "message"])
    return job


def job_run(*, job_id: int) -> Job | None:
    """Run a queued job's handler and keep its file; a job already taken is left alone."""
    job = _claim(job_id)
    if job is None:
        return None
    handler = _HANDLERS.get(job.kind)
    try:
        if handler is None:
            raise InvalidInput(f"There is no background work called {job.kind!r}.")
        _check_allowed(job.user, handler)
        result = handler.func(job, Progress(job))
    except DomainError as error:
        return _fail(job, error.message)
    except Exception:
        logger.exception("Background job %s (%s) failed", job.pk, job.kind)
        return _fail(job, "Something went wrong while preparing this. Try again, or tell us.")
    content = result.content
    if isinstance(content, bytes):
        content = ContentFile(content)
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        locked.file.save(result.filename, content, save=False)
        locked.filename = result.filename[:200]
        locked.content_type = result.content_type[:100]
        locked.size = locked.file.size
        locked.progress_total = max(locked.progress_total, job.progress_total)
        locked.finish(keep_for=keep_for())
        locked.save()
    return locked


@task()
def run_job_task(job_id: int) -> str:
    """Run one background job (queued by ``job_start``)."""
    job = job_run(job_id=job_id)
    return job.status if job is not None else "skipped"


# --- reading ------------------------------------------------------------------------------------


def jobs_recent(user) -> list[Job]:
    """Return the user's latest jobs, newest first."""
    return list(Job.objects.filter(user=user).order_by("-created_at", "-pk")[:RECENT_LIMIT])


def job_for_user(*, job_id, user) -> Job:
    """Return a job its owner (or a superuser) may see; anyone else is told it does not exist."""
    try:
        pk = int(job_id)
    except (TypeError, ValueError):
        pk = 0
    job = Job.objects.filter(pk=pk).first() if 0 < pk < 2**63 else None
    if job is None or (job.user_id != user.pk and not user.is_superuser):
        raise NotFound("That download does not exist.", code="unknown_job")
    return job


# --- housekeeping -------------------------------------------------------------------------------


def jobs_expire(*, now=None, stuck_after: timedelta = timedelta(hours=2)) -> tuple[int, int]:
    """Remove the files of expired jobs and fail jobs a dead worker left running.

    Returns (expired, failed). Run daily (``manage.py expire_jobs``).
    """
    now = now or timezone.now()
    expired = 0
    for job_id in Job.objects.filter(status=Status.DONE, expires_at__lte=now).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            job = Job.objects.select_for_update().get(pk=job_id)
            if job.status != Status.DONE:
                continue
            if job.file:
                job.file.delete(save=False)
            job.expire()
            job.save(update_fields=["status", "file", "message"])
            expired += 1
    failed = 0
    for job in Job.objects.filter(status=Status.RUNNING, started_at__lte=now - stuck_after):
        _fail(job, "The worker stopped before this was finished. Ask for it again.")
        failed += 1
    return expired, failed
