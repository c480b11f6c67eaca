"""Manager imports: upload a CSV, see a dry run, confirm it; the work runs as a background job.

Each app registers the imports of the rows it owns (``register`` from its
``resources/imports.py``, imported by its ``AppConfig.ready``), naming a
django-import-export resource that writes through the app's services. This
module knows no app: it reads and bounds the upload, runs the resource in
batches with progress, and writes what the pages show (``oms.import_views``):

- the dry run's report (JSON: each row to be created or changed, each rejected
  row with its reason, the counts), rolled back batch by batch;
- the confirmed run's summary (rows, time, counts) and a CSV of the rejected
  rows, each with its line number and reason, to fix and upload again.

A confirmed import is written batch by batch (``OMS_IMPORT_BATCH_ROWS`` rows,
never splitting what one row group holds, such as an invoice's lines), each
batch all or nothing: one long transaction over a whole file would hold the
stock and product rows it touches for minutes, stopping the warehouse's picks
and counts on them. A batch that fails unexpectedly is rolled back and the run
stops there; every import recognises what it already wrote (a SKU, an
invoice number per channel, a count's reference naming the file), so
uploading the same file again finishes the rest and creates nothing twice.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Model
from import_export.instance_loaders import BaseInstanceLoader
from import_export.results import RowResult

from oms import jobs
from oms.errors import InvalidInput, NotAllowed
from oms.import_uploads import (  # noqa: F401  (the upload checks are part of this module's API)
    LINE,
    MAX_CELL,
    MAX_COLUMNS,
    Upload,
    decode,
    max_bytes,
    max_rows,
    read_rows,
    upload_load,
    upload_store,
)
from oms.models import Job

logger = logging.getLogger(__name__)
# The preview lists at most this many rows to be created or changed (every rejected row is kept).
MAX_LISTED = 5000


def batch_rows() -> int:
    """Return how many rows a confirmed import writes per transaction (OMS_IMPORT_BATCH_ROWS)."""
    return max(1, int(getattr(settings, "OMS_IMPORT_BATCH_ROWS", 1000)))


@dataclass(frozen=True)
class ImportKind:
    """One import a manager can run: its columns, its resource, who may run it."""

    name: str
    title: str
    # resource(user=, reference=, taken_at=, filename=) -> an import_export Resource
    resource: Callable
    permissions: tuple[str, ...]
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    help: str = ""
    # Rows sharing this column's value are one unit (an invoice): never split across batches.
    group_by: str = ""

    @property
    def job_kind(self) -> str:
        return f"import_{self.name}"

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional

    def allowed(self, user) -> bool:
        """Tell whether the user may run this import."""
        return bool(user and user.is_active and user.has_perms(self.permissions))


class NoInstances(BaseInstanceLoader):
    """The loader of a resource whose rows each call a service rather than load a model row."""

    def get_instance(self, row):
        return None


_KINDS: dict[str, ImportKind] = {}


def register(kind: ImportKind) -> ImportKind:
    """Offer an import to managers and register its background job."""
    _KINDS[kind.name] = kind
    jobs.register(kind.job_kind, permission=kind.permissions[0])(_run_job)
    return kind


def kinds() -> list[ImportKind]:
    """Return every registered import."""
    return list(_KINDS.values())


def kind_named(name: str) -> ImportKind | None:
    """Return the import called ``name``, or None."""
    return _KINDS.get(str(name))


# --- running a resource ----------------------------------------------------------------------------


def batches(kind: ImportKind, dataset: tablib.Dataset, size: int) -> Iterator[tablib.Dataset]:
    """Yield the dataset in batches of about ``size`` rows, never splitting a row group."""
    headers = dataset.headers
    rows = list(dataset)
    if kind.group_by:
        at = headers.index(kind.group_by)
        groups: dict[str, list] = {}
        for row in rows:
            groups.setdefault(str(row[at]).strip().upper(), []).append(row)
        units = list(groups.values())
    else:
        units = [[row] for row in rows]
    chunk: list = []
    for unit in units:
        if chunk and len(chunk) + len(unit) > size:
            yield tablib.Dataset(*chunk, headers=headers)
            chunk = []
        chunk.extend(unit)
    if chunk:
        yield tablib.Dataset(*chunk, headers=headers)


def reasons(row_result: RowResult) -> list[str]:
    """Return why a row was refused, in the user's words."""
    if row_result.validation_error is not None:
        error: ValidationError = row_result.validation_error
        if hasattr(error, "error_dict"):
            return [
                f"{name}: {message}" if name not in ("__all__", "row") else message
                for name, messages in error.message_dict.items()
                for message in messages
            ]
        return list(error.messages)
    return ["This row could not be imported; nothing of it was written."]


@dataclass
class Report:
    """What a run did or would do: counts, rows listed, rejected rows with their reasons."""

    kind: str
    filename: str
    dry_run: bool
    rows: int = 0
    totals: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TYPES, 0))
    listed: list[dict] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    stopped: str = ""
    ignored: list[str] = field(default_factory=list)

    def as_json(self) -> bytes:
        return json.dumps(self.__dict__, default=str).encode()

    @classmethod
    def from_json(cls, content: bytes) -> Report:
        return cls(**json.loads(content))

    def summary(self) -> str:
        """Say in one sentence what the run did."""
        t = self.totals
        done = "would create" if self.dry_run else "created"
        text = (
            f"{self.rows:,} row(s) read in {self.seconds:.1f} s: {t['new']:,} {done}, "
            f"{t['update']:,} {'would change' if self.dry_run else 'changed'}, "
            f"{t['skip']:,} already as in the file, {t['invalid'] + t['error']:,} rejected."
        )
        return text + (f" {self.stopped}" if self.stopped else "")


TYPES = ("new", "update", "skip", "invalid", "error")


def _record(report: Report, result, *, rejected_only: bool = False) -> None:
    for number, row_result in enumerate(result.rows, 1):
        kind = row_result.import_type
        if kind not in report.totals or (rejected_only and kind not in ("invalid", "error")):
            continue
        row = dict(row_result.row_values or {})
        entry = getattr(row_result, "oms_entry", None) or {}
        try:
            line = int(entry.get("line") or row.get(LINE) or number + 1)
        except (TypeError, ValueError):
            line = number + 1
        item = {**entry, "line": line, "type": kind}
        for error in row_result.errors:
            logger.error("Import %s: line %s failed", report.kind, line, exc_info=error.error)
        if kind in ("invalid", "error"):
            item["reasons"] = entry.get("reasons") or reasons(row_result)
            item.setdefault("rows", [{"line": line, "values": _values(row)}])
            report.rejected.append(item)
        elif kind in ("new", "update") and len(report.listed) < MAX_LISTED:
            item.pop("rows", None)
            report.listed.append(item)
    for error in getattr(result, "base_errors", []):
        logger.error("Import %s: a batch failed", report.kind, exc_info=error.error)
    for kind in TYPES:
        if not rejected_only or kind in ("invalid", "error"):
            report.totals[kind] += result.totals.get(kind, 0)


def _values(row: dict) -> dict:
    return {key: str(value)[:MAX_CELL] for key, value in row.items() if key != LINE}


def import_run(
    *, kind: ImportKind, params: dict, user, dry_run: bool, progress=None, upload=None
) -> Report:
    """Run an import (or its dry run) over a kept upload, batch by batch; return its report."""
    if not kind.allowed(user):
        raise NotAllowed("Your role does not allow this import.")
    started = time.monotonic()
    upload = upload or upload_load(kind, params)
    dataset = upload.dataset
    report = Report(
        kind=kind.name,
        filename=params.get("filename", ""),
        dry_run=dry_run,
        rows=len(dataset),
        ignored=upload.ignored_columns,
    )
    if progress is not None:
        progress.set_total(len(dataset))
    taken_at = params.get("taken_at")
    resource = kind.resource(
        user=user,
        reference=f"IMPORT-{params['sha256'][:12]}",
        taken_at=datetime.fromisoformat(taken_at) if taken_at else None,
        filename=params.get("filename", ""),
    )
    for batch in batches(kind, dataset, batch_rows()):
        result = resource.import_data(
            batch,
            dry_run=dry_run,
            use_transactions=True,
            raise_errors=False,
            retain_instance_in_row_result=False,
        )
        failed = result.has_errors()
        _record(report, result, rejected_only=failed)
        if failed:
            # An unexpected failure: the library rolled the whole batch back; stop here.
            report.stopped = _stopped(batch, dry_run)
            break
        if progress is not None:
            progress.advance(len(batch))
    report.seconds = round(time.monotonic() - started, 2)
    return report


def _stopped(batch: tablib.Dataset, dry_run: bool) -> str:
    lines = [row[-1] for row in batch]
    where = f"lines {min(lines)} to {max(lines)}"
    if dry_run:
        return f"The check stopped at {where}: something went wrong there."
    return (
        f"The import stopped at {where}: nothing of those lines or after them was written. "
        "Upload the same file again: what was imported is recognised and not written twice."
    )


def rejected_csv(kind: ImportKind, report: Report) -> bytes:
    """Return the rejected rows as CSV: the file's columns, the line number and the reason."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["line", *kind.columns, "reason"])
    for item in report.rejected:
        for row in item.get("rows") or []:
            values = row.get("values") or {}
            writer.writerow(
                [
                    row.get("line", item["line"]),
                    *(values.get(name, "") for name in kind.columns),
                    "; ".join(item.get("reasons") or []),
                ]
            )
    return out.getvalue().encode("utf-8-sig")


def _run_job(job: Job, progress) -> jobs.JobFile:
    kind = kind_named(job.params.get("kind"))
    if kind is None:
        raise InvalidInput("This import no longer exists.")
    dry_run = bool(job.params.get("dry_run", True))
    report = import_run(
        kind=kind, params=job.params, user=job.user, dry_run=dry_run, progress=progress
    )
    Job.objects.filter(pk=job.pk).update(message=report.summary()[:500])
    if dry_run:
        return jobs.JobFile(report.as_json(), "import-preview.json", "application/json")
    Job.objects.filter(pk=job.pk).update(params={**job.params, "report": _totals(report)})
    name = f"rejected-rows-{kind.name}.csv"
    return jobs.JobFile(rejected_csv(kind, report), name, "text/csv")


def _totals(report: Report) -> dict:
    return {
        "rows": report.rows,
        "seconds": report.seconds,
        "totals": report.totals,
        "stopped": report.stopped,
    }


def import_start(*, kind: ImportKind, params: dict, user, dry_run: bool) -> Job:
    """Queue the dry run or the confirmed import of a kept upload."""
    what = "Check" if dry_run else "Import"
    return jobs.job_start(
        kind=kind.job_kind,
        user=user,
        title=f"{what} {kind.title.lower()}: {params.get('filename', '')}",
        params={**params, "dry_run": dry_run},
        unit="rows",
        total=int(params.get("rows") or 0),
    )


def report_of(job: Job) -> Report | None:
    """Return a finished dry run's report, or None."""
    if job.status != Job.Status.DONE or not job.file:
        return None
    with job.file.open("rb") as handle:
        return Report.from_json(handle.read())


def describe(instance: Model) -> str:
    """Return a short name of a row for the preview."""
    return str(instance)[:200]
