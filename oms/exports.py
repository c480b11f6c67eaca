"""Exports of any list as a file: CSV streamed in the request, XLSX and big ones in the background.

Each app describes its lists in ``<app>/resources/exports.py``: a
django-import-export ``ModelResource`` says which columns a file has, and
``register_export`` ties it to a name, a permission and a function that turns
the list page's query string into the same filtered queryset the page shows.
This module knows no app: the returns app registers its returns and refunds
the same way, from its own ``resources/exports.py``.

Rows are read with ``values_list(...).iterator(chunk_size)`` over the
resource's columns (a server-side cursor on PostgreSQL), so memory stays flat
whatever the row count and the first byte leaves at once; each value is
written by the column's own widget, which makes every file the same as the
resource's ``export()`` would give (tests compare them).
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.files import File
from django.db import connections
from django.db.models import QuerySet
from django.utils import timezone
from import_export import widgets
from import_export.resources import Resource

from oms import export_sql
from oms.cells import DANGEROUS, safe_cell, safe_text
from oms.errors import InvalidInput, NotFound
from oms.jobs import JobFile, register

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK_SIZE = 2000
# What a query string may carry into an export: the list's filters, each bounded.
MAX_PARAMS = 30
MAX_PARAM_LENGTH = 200
IGNORED_PARAMS = {"page", "format"}


def inline_rows_max() -> int:
    """Return the rows a CSV may have to be streamed in the request (OMS_EXPORT_INLINE_MAX)."""
    return getattr(settings, "OMS_EXPORT_INLINE_MAX", 100_000)


@dataclass(frozen=True)
class ExportSpec:
    """A list that can be exported: its columns, its rows under a query string, who may."""

    name: str
    title: str
    resource: type[Resource]
    rows: Callable[[Mapping[str, str]], QuerySet]
    permission: str
    chunk_size: int = CHUNK_SIZE

    def queryset(self, params: Mapping[str, str]) -> QuerySet:
        """Return the rows the list shows under these filters, in the list's order."""
        return self.rows(params)

    def filename(self, extension: str) -> str:
        return f"{self.name}-{timezone.localdate():%Y-%m-%d}.{extension}"


_EXPORTS: dict[str, ExportSpec] = {}
# Each export's permission, read by the export pages' guard before anything is loaded.
PERMISSIONS: dict[str, str] = {}


def register_export(
    name: str,
    *,
    title: str,
    resource: type[Resource],
    rows: Callable[[Mapping[str, str]], QuerySet],
    permission: str,
    chunk_size: int = CHUNK_SIZE,
) -> ExportSpec:
    """Offer a list as an export named ``name`` (a slug); the owning app calls this at start.

    ``rows(params)`` gets the list page's query string (each key's last
    value) and returns its filtered queryset, raising ``InvalidInput`` for
    a filter it cannot read. Registers the background job ``export_<name>``.
    """
    spec = ExportSpec(name, title, resource, rows, permission, chunk_size)
    _EXPORTS[name] = spec
    PERMISSIONS[name] = permission
    register(f"export_{name}", permission=permission)(_export_job)
    return spec


def export_get(name: str) -> ExportSpec:
    """Return the export called ``name``, or refuse with NotFound."""
    spec = _EXPORTS.get(name)
    if spec is None:
        raise NotFound("There is no such export.", code="unknown_export")
    return spec


def exports_for(user) -> list[ExportSpec]:
    """Return the exports this user may take, by title."""
    return sorted(
        (spec for spec in _EXPORTS.values() if user.has_perm(spec.permission)),
        key=lambda spec: spec.title,
    )


def export_params(query) -> dict[str, str]:
    """Keep a query string's filters (last value of each key), bounded; refuse one out of bounds."""
    params = {}
    for key in query:
        if key in IGNORED_PARAMS:
            continue
        values = query.getlist(key) if hasattr(query, "getlist") else [query[key]]
        value = str(values[-1]) if values else ""
        if len(key) > 50 or len(value) > MAX_PARAM_LENGTH:
            raise InvalidInput(f"The filter {key[:50]!r} is too long.", code="filter_too_long")
        params[key] = value
    if len(params) > MAX_PARAMS:
        raise InvalidInput("Too many filters.", code="too_many_filters")
    return params


# --- writing rows ---------------------------------------------------------------------------


def _plain(value) -> str:
    return "" if value is None else str(value)


def _renderer(field) -> Callable:
    """Return a function writing one value as the field's widget does, fast for plain columns."""
    widget = field.widget
    if type(widget) in (widgets.Widget, widgets.CharWidget, widgets.IntegerWidget):
        return _plain
    if type(widget) is widgets.DecimalWidget:
        return _plain
    return widget.render


@dataclass
class Columns:
    headers: list[str]
    attributes: list[str]
    renderers: list[Callable]
    widgets: list


def columns(spec: ExportSpec) -> Columns:
    """Return the export's header and, per column, the attribute read and how it is written."""
    resource = spec.resource()
    fields = resource.get_export_fields()
    for field in fields:
        if not field.attribute or hasattr(resource, f"dehydrate_{field.column_name}"):
            raise TypeError(f"Export {spec.name}: column {field.column_name} needs an attribute")
    return Columns(
        headers=resource.get_export_headers(),
        attributes=[field.attribute for field in fields],
        renderers=[_renderer(field) for field in fields],
        widgets=[field.widget for field in fields],
    )


def iter_rows(spec: ExportSpec, queryset: QuerySet, cols: Columns | None = None) -> Iterator:
    """Yield each row as the sequence of its written values, reading chunk by chunk."""
    cols = cols or columns(spec)
    if connections[queryset.db].vendor == "postgresql":
        yield from _iter_rows_sql(spec, queryset, cols)
        return
    renderers = cols.renderers
    pairs = list(enumerate(renderers))
    plain = all(render is _plain for render in renderers)
    rows = queryset.values_list(*cols.attributes).iterator(chunk_size=spec.chunk_size)
    # Text from the database may start like a formula: it is written safe (oms.cells).
    danger, safe = DANGEROUS, safe_text
    if plain:
        for row in rows:
            yield [
                ""
                if value is None
                else (safe(value) if value[:1] in danger else value)
                if value.__class__ is str
                else str(value)
                for value in row
            ]
    else:
        for row in rows:
            yield [
                safe(render(row[i])) if row[i].__class__ is str else render(row[i])
                for i, render in pairs
            ]


def _iter_rows_sql(spec: ExportSpec, queryset: QuerySet, cols: Columns) -> Iterator:
    """Yield rows whose dates, numbers and flags PostgreSQL wrote as text (oms.export_sql).

    A row is handed on as the database's tuple (csv.writer writes None as an
    empty cell); only a row with a formula-like text cell, or a column left to
    its widget, is rebuilt.
    """
    plan = export_sql.plan(queryset, cols.attributes, cols.widgets)
    rows = (
        queryset.annotate(**plan.annotations)
        .values_list(*plan.names)
        .iterator(chunk_size=spec.chunk_size)
    )
    texts = [i for i, kind in enumerate(plan.kinds) if kind == export_sql.TEXT]
    by_widget = [
        (i, cols.renderers[i]) for i, kind in enumerate(plan.kinds) if kind == export_sql.PYTHON
    ]
    danger, safe = DANGEROUS, safe_text
    for row in rows:
        if by_widget:
            row = list(row)
            for i, render in by_widget:
                value = row[i]
                row[i] = safe(render(value)) if value.__class__ is str else render(value)
        for i in texts:
            value = row[i]
            if value and value[0] in danger:
                row = [safe(cell) if j in texts and cell else cell for j, cell in enumerate(row)]
                break
        yield row


class _Buffer(io.StringIO):
    """What csv.writer wrote since the last time it was taken."""

    def take(self) -> str:
        text = self.getvalue()
        self.seek(0)
        self.truncate()
        return text


def csv_chunks(spec: ExportSpec, queryset: QuerySet, *, progress=None) -> Iterator[bytes]:
    """Yield the CSV file in blocks of a chunk of rows each: header first, at once."""
    cols = columns(spec)
    buffer = _Buffer()
    writer = csv.writer(buffer)
    writer.writerow(cols.headers)
    yield ("\ufeff" + buffer.take()).encode()
    rows = iter_rows(spec, queryset, cols)
    while block := list(itertools.islice(rows, spec.chunk_size)):
        writer.writerows(block)
        yield buffer.take().encode()
        if progress is not None:
            progress.advance(len(block))


def _xlsx_value(value):
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def write_xlsx(spec: ExportSpec, queryset: QuerySet, target, *, progress=None) -> None:
    """Write the rows as one XLSX sheet (openpyxl's write-only mode keeps memory flat)."""
    from openpyxl import Workbook

    cols = columns(spec)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(spec.title[:31])
    sheet.append(cols.headers)
    done = 0
    # openpyxl writes a text starting with "=" as a formula: text is made safe first.
    # Numbers and dates keep their type in a spreadsheet; the rest is written as in the CSV.
    typed = [render is _plain for render in cols.renderers]
    for row in queryset.values_list(*cols.attributes).iterator(chunk_size=spec.chunk_size):
        sheet.append(
            [
                _xlsx_value(value)
                if keep and not isinstance(value, str)
                else safe_cell(render(value))
                if isinstance(value, str)
                else render(value)
                for value, keep, render in zip(row, typed, cols.renderers, strict=True)
            ]
        )
        done += 1
        if progress is not None and done % 500 == 0:
            progress.advance(500)
    if progress is not None and done % 500:
        progress.advance(done % 500)
    workbook.save(target)


def _export_job(job, progress) -> JobFile:
    """Write an export in the background, as CSV or XLSX, counting rows as progress."""
    spec = export_get(job.kind.removeprefix("export_"))
    params = job.params.get("filters") or {}
    queryset = spec.queryset(params)
    progress.set_total(queryset.count())
    # Written to a temporary file, not kept in memory, then stored as the job's file.
    out = tempfile.TemporaryFile()  # noqa: SIM115 (handed to the job, which closes it)
    if job.params.get("format") == "xlsx":
        write_xlsx(spec, queryset, out, progress=progress)
        name, content_type = spec.filename("xlsx"), XLSX
    else:
        for chunk in csv_chunks(spec, queryset, progress=progress):
            out.write(chunk)
        name, content_type = spec.filename("csv"), CSV
    out.seek(0)
    return JobFile(File(out, name=name), name, content_type)
