"""Write many rows at once, for imports of history: COPY on PostgreSQL, one INSERT elsewhere.

The order history import writes about two million rows (orders, lines,
events, shipments, ledger rows). ``bulk_create`` builds a model instance per
row and a statement per batch: about 15 µs and a round trip per few hundred
rows. These helpers take plain tuples of column values instead, and on
PostgreSQL stream them with ``COPY … FROM STDIN``, which the server loads an
order of magnitude faster (``bench/history.py`` prints the figures). Ids are
drawn from the table's own sequence first, so that rows can point at each
other before they are written.

Only the owning app's history services call these, for their own tables;
values must already be what the column holds (aware datetimes, Decimals,
JSON as text).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection, models


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """Return ``count`` new primary keys for ``model``, never handed out again."""
    if count <= 0:
        return []
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite: the write lock is held for the whole transaction (IMMEDIATE), so the
        # ids after the current largest are free; the rows must be written before commit.
        cursor.execute(
            f"SELECT COALESCE(MAX({connection.ops.quote_name(column)}), 0) "
            f"FROM {connection.ops.quote_name(table)}"
        )
        start = cursor.fetchone()[0] + 1
    return list(range(start, start + count))


def _converter(field):
    """Return how a value of this field is written outside PostgreSQL (None: as it is)."""
    if isinstance(field, models.DateTimeField):
        return lambda value: connection.ops.adapt_datetimefield_value(value)
    if isinstance(field, models.JSONField):
        return lambda value: field.get_db_prep_save(value, connection)
    return None


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert rows of Python values for ``columns`` (field attnames) into the model's table.

    Values are what the fields hold in Python (aware datetimes, Decimals, dicts
    for JSON); returns the number of rows written.
    """
    fields = [model._meta.get_field(name) for name in columns]
    for field in fields:
        if field.attname not in columns:
            raise ValueError(f"Give {model.__name__}.{field.name} as its attname {field.attname}")
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from psycopg.types.json import Jsonb

            json_at = [i for i, field in enumerate(fields) if isinstance(field, models.JSONField)]
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    if json_at:
                        row = list(row)
                        for i in json_at:
                            row[i] = Jsonb(row[i])
                    copy.write_row(row)
                    count += 1
            return count
        marks = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"
        convert = [_converter(field) for field in fields]
        batch: list[list] = []
        for row in rows:
            batch.append([c(value) if c else value for c, value in zip(convert, row, strict=True)])
            if len(batch) == 5000:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def immediate_checks() -> None:
    """Check foreign keys as each row is written in this transaction, not all at commit.

    Django declares foreign keys DEFERRABLE INITIALLY DEFERRED on PostgreSQL:
    the checks of a bulk load queue up and all run at COMMIT. Checked row by
    row they cost less (no queue of millions of pending checks).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def refresh_statistics() -> None:
    """Let the database learn the new sizes of its tables after a bulk load (ANALYZE).

    Without it the planner keeps judging the tables by their old sizes until
    autovacuum gets to them, and lists estimate counts from stale figures.
    """
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
