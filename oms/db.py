"""Small database helpers the ORM has no cheap spelling for."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, models


def update_counts(
    model: type[models.Model],
    rows: Sequence[models.Model],
    fields: Sequence[str],
    *,
    touch: str | None = None,
    now=None,
) -> int:
    """Write whole-number fields of many rows in one UPDATE ... FROM (SELECT ... UNION ALL ...).

    ``bulk_update`` builds a CASE expression per row and field, which costs more
    Python than the statement saves for the handful of rows a service changes;
    this sends the new values as one derived table instead (a form PostgreSQL
    and SQLite both accept). Both are one statement; ``bench/order_internals.py``
    measured 2 to 4 ms of CPU saved per order create + confirm (it writes the
    allocation counts of stock rows and order lines). ``touch`` names a
    date-time field set to ``now`` on every row. Only integer fields are
    supported (they are cast explicitly, on PostgreSQL and SQLite alike).
    """
    if not rows:
        return 0
    meta = model._meta
    table = connection.ops.quote_name(meta.db_table)
    pk = connection.ops.quote_name(meta.pk.column)
    columns = [meta.get_field(name).column for name in fields]
    for name in fields:
        if not isinstance(meta.get_field(name), models.IntegerField):
            raise TypeError(f"update_counts writes integer fields only, not {name!r}")
    quoted = [connection.ops.quote_name(column) for column in columns]
    first = ", ".join(
        ["CAST(%s AS integer) AS id"] + [f"CAST(%s AS integer) AS {q}" for q in quoted]
    )
    rest = ", ".join(["%s"] * (len(fields) + 1))
    values = " UNION ALL ".join([f"SELECT {first}"] + [f"SELECT {rest}"] * (len(rows) - 1))
    params: list = []
    if touch:
        params.append(meta.get_field(touch).get_db_prep_value(now, connection))
    for row in rows:
        params.append(row.pk)
        params.extend(getattr(row, name) for name in fields)
    assignments = [f"{column} = v.{column}" for column in quoted]
    if touch:
        assignments.append(f"{connection.ops.quote_name(meta.get_field(touch).column)} = %s")
    sql = (
        f"UPDATE {table} SET {', '.join(assignments)} "
        f"FROM ({values}) AS v "
        f"WHERE {table}.{pk} = v.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
