"""Admin lists of tables that only grow (the ledger, the scan logs): no full count per page.

Counting a million ledger rows costs a PostgreSQL page about 60 ms, twice
(the filtered and the full count), and a date hierarchy another 200 ms
(``bench/pages.py``). Unfiltered, these lists show the planner's row
estimate instead ("about 1,060,000"); filtered, the exact count as usual.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db import connection
from django.utils.functional import cached_property

# Below this many rows an exact count is cheap and shown.
EXACT_BELOW = 100_000


def estimated_rows(model) -> int:
    """Return PostgreSQL's estimate of a table's rows (0 elsewhere or when unknown)."""
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
            [model._meta.db_table],
        )
        row = cursor.fetchone()
    return max(int(row[0]), 0) if row else 0


class EstimatedCountPaginator(Paginator):
    """Count an unfiltered big table by the planner's estimate, anything else exactly."""

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if getattr(queryset, "query", None) is not None and not queryset.query.where:
            estimate = estimated_rows(queryset.model)
            if estimate >= EXACT_BELOW:
                return estimate
        return super().count


class GrowingTableAdmin:
    """Mix into the admin of an append-only table: estimated counts, no full count."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False
