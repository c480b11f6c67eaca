"""Export pages: a list's rows as CSV (streamed) or XLSX (in the background).

A list page links here with its own query string, so the file holds exactly
the rows the page shows. The export's permission is checked before anything
is read (``oms.exports.PERMISSIONS``); an unknown export is a 404.
"""

from __future__ import annotations

from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render

from oms import exports, jobs
from oms.access import staff_view
from oms.errors import DomainError, NotFound

_GUARD = {"perm_by_kwarg": ("name", exports.PERMISSIONS)}


def _spec(name: str) -> exports.ExportSpec:
    try:
        return exports.export_get(name)
    except NotFound as error:
        raise Http404(error.message) from error


def _refused(request, spec, error: DomainError):
    return render(
        request, "exports/refused.html", {"spec": spec, "message": error.message}, status=400
    )


def _start(request, spec, params: dict, fmt: str):
    title = f"{spec.title} as {fmt.upper()}"
    job = jobs.job_start(
        kind=f"export_{spec.name}",
        user=request.user,
        title=title,
        params={"filters": params, "format": fmt},
        unit="rows",
    )
    return redirect(job)


@staff_view(**_GUARD)
def export_csv(request, name: str):
    """Stream the list as CSV; one of more than OMS_EXPORT_INLINE_MAX rows goes to the worker."""
    spec = _spec(name)
    try:
        params = exports.export_params(request.GET)
        queryset = spec.queryset(params)
    except DomainError as error:
        return _refused(request, spec, error)
    if queryset.count() > exports.inline_rows_max():
        return _start(request, spec, params, "csv")
    response = StreamingHttpResponse(exports.csv_chunks(spec, queryset), content_type=exports.CSV)
    response["Content-Disposition"] = f'attachment; filename="{spec.filename("csv")}"'
    response["Cache-Control"] = "private, no-store"
    return response


@staff_view(post=True, **_GUARD)
def export_start(request, name: str):
    """Prepare the list as XLSX (or CSV) in the background and open the job's page."""
    spec = _spec(name)
    fmt = request.POST.get("format", "xlsx")
    if fmt not in ("xlsx", "csv"):
        raise Http404("There is no such file format.")
    try:
        params = exports.export_params(request.GET)
        spec.queryset(params)  # a filter it cannot read is refused now, not in the worker
        return _start(request, spec, params, fmt)
    except DomainError as error:
        return _refused(request, spec, error)
