"""Reading a manager's upload: bounds, encoding, CSV shape and columns, refused in plain words.

The checks ``oms.imports`` runs before any row is imported: the file's size,
that it is UTF-8 CSV text (not a spreadsheet, a PDF or another encoding), a
header naming each required column once, at most ``MAX_COLUMNS`` columns and
``OMS_IMPORT_MAX_ROWS`` rows, and quotes that close. A checked file is kept
under its SHA-256 for the preview and the confirmed run.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field

import tablib
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from oms.errors import InvalidInput, NotAllowed

MAX_COLUMNS = 50
MAX_CELL = 1000
LINE = "line"


def max_bytes() -> int:
    """Return the largest file an import accepts (OMS_IMPORT_MAX_BYTES)."""
    return int(getattr(settings, "OMS_IMPORT_MAX_BYTES", 20 * 1024 * 1024))


def max_rows() -> int:
    """Return the most data rows one file may hold (OMS_IMPORT_MAX_ROWS)."""
    return int(getattr(settings, "OMS_IMPORT_MAX_ROWS", 100_000))


@dataclass
class Upload:
    """A checked file: its rows as a dataset (with each row's line number), and what was noticed."""

    dataset: tablib.Dataset
    ignored_columns: list[str] = field(default_factory=list)


def _refuse(message: str) -> InvalidInput:
    return InvalidInput(message, field="file", code="bad_file")


def decode(content: bytes) -> str:
    """Return the file's text, or refuse a file that is not UTF-8 CSV text in plain words."""
    if len(content) > max_bytes():
        raise _refuse(
            f"The file is {len(content) / 1048576:.1f} MB; an import takes at most "
            f"{max_bytes() / 1048576:.0f} MB. Split it into several files."
        )
    if not content.strip():
        raise _refuse("The file is empty.")
    if b"\x00" in content[:65536] or content[:4] in (b"PK\x03\x04", b"%PDF"):
        raise _refuse("This is not a CSV file. Save the sheet as CSV (comma-separated) first.")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise _refuse(
            f"Line {line} has characters that are not UTF-8 text. In Excel, save the sheet "
            "as 'CSV UTF-8 (comma delimited)' and upload it again."
        ) from None


def read_rows(kind, text: str) -> Upload:
    """Read CSV text into a dataset of the kind's columns, bounded; refuse a malformed file."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if not header or not any(cell.strip() for cell in header):
            raise _refuse("The first line must name the columns: " + ", ".join(kind.columns) + ".")
        if len(header) > MAX_COLUMNS:
            raise _refuse(f"The file has {len(header)} columns; at most {MAX_COLUMNS} are read.")
        by_name = {name.lower(): name for name in kind.columns}
        names = [cell.strip() for cell in header]
        known = [by_name.get(name.lower()) for name in names]
        doubled = sorted({n for n in known if n and known.count(n) > 1})
        if doubled:
            raise _refuse(f"The column {doubled[0]} appears twice in the first line.")
        missing = [name for name in kind.required if name not in known]
        if missing:
            raise _refuse(
                f"Missing column(s): {', '.join(missing)}. The first line must name "
                f"{', '.join(kind.required)}"
                + (f" (and may name {', '.join(kind.optional)})" if kind.optional else "")
                + "."
            )
        kept = [(index, name) for index, name in enumerate(known) if name]
        ignored = [names[i] for i, name in enumerate(known) if not name and names[i]]
        dataset = tablib.Dataset(headers=[name for _, name in kept] + [LINE])
        limit = max_rows()
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(dataset) >= limit:
                raise _refuse(
                    f"The file has more than {limit:,} rows; split it into several files."
                )
            values = [(row[i] if i < len(row) else "").strip() for i, _ in kept]
            dataset.append([*values, reader.line_num])
    except csv.Error as error:
        raise _refuse(
            f"Line {reader.line_num} cannot be read as CSV ({error}). Check its quotes."
        ) from None
    if not len(dataset):
        raise _refuse("The file has a header but no rows.")
    return Upload(dataset=dataset, ignored_columns=ignored[:20])


def upload_store(*, kind, uploaded, user) -> dict:
    """Check an uploaded file and keep it for the preview and the import; return the job params.

    The file is kept under its SHA-256, so the same file uploaded twice is one file.
    """
    if not kind.allowed(user):
        raise NotAllowed("Your role does not allow this import.")
    if uploaded is None:
        raise _refuse("Choose a CSV file to upload.")
    if uploaded.size > max_bytes():
        raise _refuse(
            f"The file is {uploaded.size / 1048576:.1f} MB; an import takes at most "
            f"{max_bytes() / 1048576:.0f} MB. Split it into several files."
        )
    content = uploaded.read(max_bytes() + 1)
    upload = read_rows(kind, decode(content))
    digest = hashlib.sha256(content).hexdigest()
    path = f"imports/{digest}.csv"
    if not default_storage.exists(path):
        path = default_storage.save(path, ContentFile(content))
    # When this very file was first uploaded: what it describes was true then.
    taken_at = default_storage.get_created_time(path)
    return {
        "kind": kind.name,
        "path": path,
        "sha256": digest,
        "filename": (getattr(uploaded, "name", "") or "upload.csv")[:100],
        "rows": len(upload.dataset),
        "ignored": upload.ignored_columns,
        "taken_at": taken_at.isoformat(),
    }


def upload_load(kind, params: dict) -> Upload:
    """Read a kept upload again (for a job)."""
    with default_storage.open(params["path"], "rb") as handle:
        content = handle.read()
    if hashlib.sha256(content).hexdigest() != params.get("sha256"):
        raise _refuse("The uploaded file changed since it was checked. Upload it again.")
    return read_rows(kind, decode(content))
