"""Export every order line as CSV through the page's code, next to PostgreSQL COPY of the same columns.

Runs against a PostgreSQL database holding the whole online-retail history
(``manage.py import_online_retail``). Prints seconds, rows per second and
peak memory (the process's maximum resident size) for the
export (``oms.exports.csv_chunks`` over the ``order-lines`` export, the
code behind the CSV button and the background job), then for ``COPY (SELECT
the same columns, joined the same way) TO STDOUT`` in the same run.
Target: within 3x of COPY, under 200 MB peak.

    .venv/bin/python bench/export.py --database-url postgres://postgres@127.0.0.1:5432/oms_full
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/oms_full"


def setup(url: str) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="oms.settings", DATABASE_URL=url, DEBUG="1", LOG_LEVEL="ERROR"
    )
    import django

    django.setup()


def run_export() -> tuple[int, int]:
    from oms import exports

    spec = exports.export_get("order-lines")
    size = rows = 0
    for chunk in exports.csv_chunks(spec, spec.queryset({})):
        size += len(chunk)
        rows += chunk.count(b"\n")
    return rows - 1, size


def run_copy() -> tuple[int, int]:
    from django.db import connection

    from oms import exports

    spec = exports.export_get("order-lines")
    cols = exports.columns(spec)
    qs = spec.queryset({}).values_list(*cols.attributes)
    sql, params = qs.query.sql_with_params()
    size = rows = 0
    with connection.cursor() as cursor:
        raw = cursor.connection.cursor()
        query = raw.mogrify(sql, params)
        with raw.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER)") as copy:
            for data in copy:
                size += len(data)
                rows += bytes(data).count(b"\n")
    return rows - 1, size


def measure(label: str, func) -> float:
    started = time.perf_counter()
    rows, size = func()
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # the process, MB
    print(
        f"{label:<28} {rows:>9,} rows {seconds:>7.2f} s {rows / seconds:>10,.0f} rows/s "
        f"{size / 1e6:>7.1f} MB file  process peak {peak:>6.1f} MB"
    )
    return seconds


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    args = parser.parse_args(argv)
    setup(args.database_url)
    copy = measure("PostgreSQL COPY (baseline)", run_copy)
    export = measure("export order-lines CSV", run_export)
    print(f"export / COPY: {export / copy:.2f}x (target: at most 3x)")


if __name__ == "__main__":
    main()
