"""Pages of background jobs: the user's recent downloads, a job's progress, its file."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.text import get_valid_filename

from oms import jobs
from oms.access import staff_view
from oms.errors import NotFound
from oms.models import Job


def _job(request, pk) -> Job:
    try:
        return jobs.job_for_user(job_id=pk, user=request.user)
    except NotFound as error:
        raise Http404(error.message) from error


@staff_view()
def job_list(request):
    """List the user's recent downloads and background work."""
    return render(request, "jobs/job_list.html", {"jobs": jobs.jobs_recent(request.user)})


@staff_view()
def job_detail(request, pk: int):
    """Show a job's progress; the page polls until the file is ready."""
    job = _job(request, pk)
    template = "jobs/_job_progress.html" if request.htmx else "jobs/job_detail.html"
    return render(request, template, {"job": job})


@staff_view()
def job_download(request, pk: int):
    """Answer with a finished job's file (a PDF opens in the browser unless ?download=1)."""
    job = _job(request, pk)
    if job.status != Job.Status.DONE or not job.file:
        raise Http404("This file is not ready, or it has expired.")
    inline = job.content_type == "application/pdf" and request.GET.get("download") != "1"
    response = FileResponse(
        job.file.open("rb"),
        as_attachment=not inline,
        filename=get_valid_filename(job.filename) or "download",
        content_type=job.content_type or "application/octet-stream",
    )
    response["Cache-Control"] = "private, no-store"
    return response
