"""Import the whole Online Retail data set into a fresh PostgreSQL database; print lines/s.

Next to it, in the same run, PostgreSQL's own ``COPY`` of the same CSV into a
plain table (no keys, no checks, no indexes): the fastest the server can
take the bytes, the yardstick. Prints the import's seconds, order lines per
second and peak memory, and the ratio to COPY. Target on this 2-core
machine: at least 10,000 lines/s end to end.

    .venv/bin/python bench/history.py
    .venv/bin/python bench/history.py --batched     # as into a database in use
    .venv/bin/python bench/history.py --database-url postgres://postgres@127.0.0.1:5432/oms_history
"""

from __future__ import annotations

import argparse
import gzip
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/oms_history"
TARGET_LINES_PER_SECOND = 10_000


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--file", default=None, help="the data set (default: shared/data)")
    parser.add_argument(
        "--batched",
        action="store_true",
        help="import as on a busy database: committed in batches, each row's keys checked",
    )
    return parser.parse_args(argv)


def fresh_database(url: str) -> None:
    """Drop and create the benchmark database, then migrate it (not timed)."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if name in {"", "postgres", "template0", "template1", "oms"}:
        raise SystemExit(f"Refusing to drop the database {name!r}.")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1"}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)


def copy_csv(url: str, path: Path) -> tuple[float, int]:
    """COPY the CSV into a plain table of the same columns; return (seconds, rows)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_retail_copy")
        conn.execute(
            "CREATE TABLE bench_retail_copy (invoice text, stock_code text, description text, "
            "quantity integer, invoice_date timestamp, unit_price numeric(12, 2), "
            "customer_id text, country text)"
        )
        started = time.perf_counter()
        with (
            conn.cursor() as cursor,
            gzip.open(path, "rb") as data,
            cursor.copy("COPY bench_retail_copy FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
        ):
            while chunk := data.read(1 << 20):
                copy.write(chunk)
        seconds = time.perf_counter() - started
        rows = conn.execute("SELECT count(*) FROM bench_retail_copy").fetchone()[0]
        conn.execute("DROP TABLE bench_retail_copy")
    return seconds, rows


def import_history(url: str, path: Path, *options: str) -> tuple[float, str, int]:
    """Run the import command in a child process; return (seconds, its report, peak KiB)."""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "1",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    }
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "manage.py", "import_online_retail", "--file", str(path), *options],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, done.stdout, peak


def main(argv=None) -> int:
    args = parse_args(argv)
    path = (
        Path(args.file) if args.file else ROOT.parent / "shared" / "data" / "online-retail.csv.gz"
    )
    if not path.exists():
        raise SystemExit(f"There is no data set at {path}.")
    fresh_database(args.database_url)
    copy_seconds, rows = copy_csv(args.database_url, path)
    seconds, report, peak_kib = import_history(
        args.database_url, path, *(["--batched"] if args.batched else [])
    )
    first = next(line for line in report.splitlines() if " orders with " in line)
    lines = int(first.split(" orders with ")[1].split(" lines")[0].replace(",", ""))
    rate = lines / seconds
    print(report.strip())
    print()
    print(f"PostgreSQL COPY of the CSV ({rows:,} rows) into a plain table: {copy_seconds:.1f} s")
    print(
        f"import, end to end (process start to exit): {seconds:.1f} s, {rate:,.0f} order lines/s, "
        f"peak memory {peak_kib / 1024:.0f} MiB; {seconds / copy_seconds:.1f} x the COPY"
    )
    verdict = "met" if rate >= TARGET_LINES_PER_SECOND else "MISSED"
    print(f"target >= {TARGET_LINES_PER_SECOND:,} lines/s: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
