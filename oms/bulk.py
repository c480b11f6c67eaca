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

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from django.db import connection, models, transaction

_sequences: dict[tuple[str, str, str], str] = {}


def _sequence(cursor, table: str, column: str) -> str:
    """Return the name of the sequence behind a table's id column (looked up once)."""
    key = (connection.settings_dict["NAME"], table, column)
    if key not in _sequences:
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
        _sequences[key] = cursor.fetchone()[0]
    return _sequences[key]


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """Return ``count`` new primary keys for ``model``, never handed out again."""
    if count <= 0:
        return []
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The sequence is named once, not looked up again for every id.
            cursor.execute(
                "SELECT nextval(%s::regclass) FROM generate_series(1, %s)",
                [_sequence(cursor, table, column), count],
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


LOCK_WAIT = "10s"  # how long a bulk load waits for the tables before it gives up


@contextmanager
def foreign_keys_checked_at_end(tables: Iterable[type[models.Model]]) -> Iterator[None]:
    """Load these tables without a check per row; check each foreign key once, at the end.

    On PostgreSQL every row written into a table with foreign keys runs one
    lookup per key (a trigger), which is most of the cost of a big load. Here
    the tables' foreign keys are dropped, the rows written, and each key added
    back exactly as it was, which checks all rows in one pass (a join) and
    refuses the whole load if one row points nowhere. It runs in a savepoint
    of the caller's transaction: an error inside rolls the drops back with the
    rows, whatever the caller does with the error, so nothing is ever committed
    without its keys.

    The price, as with ``pg_restore``: until the transaction ends, these tables
    and every table they point at (products, bins, users, ...) are locked
    against other users, reads included, and adding a key back checks every
    row of its table, old ones too. It waits at most ``LOCK_WAIT`` for the
    tables, then refuses. Elsewhere than on PostgreSQL it does nothing.
    """
    if connection.vendor != "postgresql":
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("Drop foreign keys only inside a transaction.")
    names = sorted({model._meta.db_table for model in tables})
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Checks already queued in this transaction run now: a table with
            # pending checks cannot be altered.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_WAIT}'")
            # regclass prints a table's name quoted as SQL needs it.
            cursor.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
                "FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) "
                "ORDER BY 1, 2",
                [names],
            )
            keys = cursor.fetchall()
            for table, name, _definition in keys:
                cursor.execute(
                    f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}"
                )
            cursor.execute("SET LOCAL lock_timeout = DEFAULT")
        yield
        with connection.cursor() as cursor:
            for table, name, definition in keys:
                cursor.execute(
                    f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} "
                    f"{definition}"
                )


def refresh_statistics() -> None:
    """Let the database learn the new sizes of its tables after a bulk load (ANALYZE).

    Without it the planner keeps judging the tables by their old sizes until
    autovacuum gets to them, and lists estimate counts from stale figures.
    """
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
