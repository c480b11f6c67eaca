"""Set columns of many rows at once, by primary key: one UPDATE … FROM (VALUES …) per block.

``QuerySet.bulk_update`` builds a ``CASE WHEN pk = … THEN …`` expression per row
and column: for the thousands of order lines and stock rows a load of
history returns changes (6,085 lines and about 4,000 stock rows in the whole
Online Retail set) that cost about 3 s of Python on this machine, against
0.2 s for a join on a list of values, which PostgreSQL and SQLite (3.33 and
later) both take. Only the owning app's history services call this, for
their own tables, as they call ``oms.bulk.insert_rows``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection, models

BLOCK = 1000  # rows per statement: SQLite takes at most 32,766 values in one


def update_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Set ``columns[1:]`` of the rows whose primary key is the first value; return rows given.

    ``columns`` are field attnames, the primary key first; values are what
    the fields hold in Python (aware datetimes, Decimals).
    """
    fields = [model._meta.get_field(name) for name in columns]
    if fields[0] != model._meta.pk:
        raise ValueError(f"Give {model.__name__}'s primary key as the first column")
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    casts = [f"CAST(%s AS {field.cast_db_type(connection)})" for field in fields]
    setting = ", ".join(
        f"{quote(field.column)} = v.column{index}" for index, field in enumerate(fields[1:], 2)
    )
    key = quote(fields[0].column)
    count = 0
    block: list[Sequence] = []

    def write() -> None:
        values = ", ".join(f"({', '.join(casts)})" for _ in block)
        params = [
            field.get_db_prep_value(value, connection)
            for row in block
            for field, value in zip(fields, row, strict=True)
        ]
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET {setting} FROM (VALUES {values}) AS v "
                f"WHERE {table}.{key} = v.column1",
                params,
            )

    for row in rows:
        block.append(row)
        count += 1
        if len(block) == BLOCK:
            write()
            block = []
    if block:
        write()
    return count
