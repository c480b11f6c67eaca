"""The managers' import pages: upload a file, see its dry run, confirm it, read the summary."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from oms import imports, jobs
from oms.access import REFUSED, staff_view
from oms.errors import DomainError, NotFound
from oms.models import Job
from oms.roles import Role


class _KindPermission(Mapping):
    """Each import's first permission by its name, read from the registry when asked."""

    def __getitem__(self, name):
        kind = imports.kind_named(name)
        if kind is None:
            raise KeyError(name)
        return kind.permissions[0]

    def __iter__(self):
        return iter([kind.name for kind in imports.kinds()])

    def __len__(self):
        return len(imports.kinds())


PER_PAGE = 50
SHOWN = {"new": "To be created", "update": "To be changed", "rejected": "Rejected"}


def _kinds(user) -> list[imports.ImportKind]:
    return [kind for kind in imports.kinds() if kind.allowed(user)]


@staff_view(roles=[Role.MANAGER])
def import_index(request):
    """List the imports the manager may run, each with its columns and an upload form."""
    return render(request, "imports/index.html", {"kinds": _kinds(request.user)})


@staff_view(roles=[Role.MANAGER], post=True, perm_by_kwarg=("name", _KindPermission()))
def import_upload(request, name: str):
    """Check an uploaded file and start its dry run; a refused file is said beside the form."""
    kind = imports.kind_named(name)
    if kind is None:
        raise Http404("There is no such import.")
    if not kind.allowed(request.user):
        raise PermissionDenied(REFUSED)
    try:
        params = imports.upload_store(
            kind=kind, uploaded=request.FILES.get("file"), user=request.user
        )
        job = imports.import_start(kind=kind, params=params, user=request.user, dry_run=True)
    except DomainError as error:
        context = {"kinds": _kinds(request.user), "error": error.message, "failed": kind.name}
        return render(request, "imports/index.html", context, status=400)
    return redirect("imports:detail", pk=job.pk)


def _import_job(request, pk) -> tuple[Job, imports.ImportKind]:
    try:
        job = jobs.job_for_user(job_id=pk, user=request.user)
    except NotFound as error:
        raise Http404(error.message) from error
    kind = (
        imports.kind_named(job.params.get("kind", "")) if job.kind.startswith("import_") else None
    )
    if kind is None:
        raise Http404("That import does not exist.")
    if not kind.allowed(request.user):
        raise PermissionDenied(REFUSED)
    return job, kind


@staff_view(roles=[Role.MANAGER])
def import_detail(request, pk: int):
    """Show a dry run (rows to create or change, rejected rows, paginated) or an import's summary."""
    job, kind = _import_job(request, pk)
    context = {"job": job, "kind": kind, "dry_run": job.params.get("dry_run", True)}
    if request.htmx and not job.is_finished:
        return render(request, "imports/_progress.html", context)
    if job.status == Job.Status.DONE and context["dry_run"]:
        report = imports.report_of(job)
        show = request.GET.get("show", "rejected" if report.rejected else "new")
        show = show if show in SHOWN else "new"
        if show == "rejected":
            rows = report.rejected
        else:
            rows = [item for item in report.listed if item["type"] == show]
        context.update(
            report=report,
            show=show,
            shown=SHOWN,
            page=Paginator(rows, PER_PAGE).get_page(request.GET.get("page")),
            query=f"show={show}",
            to_write=report.totals["new"] + report.totals["update"],
        )
    elif job.status == Job.Status.DONE:
        context["outcome"] = job.params.get("report") or {}
    template = "imports/_progress.html" if request.htmx else "imports/detail.html"
    return render(request, template, context)


@staff_view(roles=[Role.MANAGER], post=True)
def import_confirm(request, pk: int):
    """Start the import a finished dry run checked; asked twice, it runs once."""
    job, kind = _import_job(request, pk)
    if not job.params.get("dry_run", True) or job.status != Job.Status.DONE:
        return redirect("imports:detail", pk=job.pk)
    params = {k: v for k, v in job.params.items() if k not in ("dry_run", "report")}
    params["preview"] = job.pk
    try:
        started = imports.import_start(kind=kind, params=params, user=request.user, dry_run=False)
    except DomainError as error:
        raise PermissionDenied(error.message) from error
    return redirect(reverse("imports:detail", args=[started.pk]))
