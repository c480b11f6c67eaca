"""Row locks: one helper, and the one order every service takes them in.

Two transactions that lock the same rows in different orders can each hold
what the other waits for (a deadlock: PostgreSQL kills one of them). So
every service locks rows with ``lock_rows`` (``SELECT ... FOR UPDATE``, many
rows in one statement, ascending primary key) and takes the kinds of rows in
this order, skipping those it does not need:

1. idempotency keys (``oms.idempotency``), then customers;
2. orders (``orders.services.base.lock_order``,
   ``fulfillment.services.base.lock_orders``);
3. shipments (``lock_shipments``), then their shipment lines (``lock_lines``);
4. waves (``lock_wave``): a wave is written only after its shipments;
5. a person's open count of a bin (``inventory.services.count_scans``), then
   pending count adjustments (``inventory.services.counts``);
6. stock levels (``inventory.services.base.lock_levels_by_pk`` and
   ``lock_levels_for``: every row a service needs in one statement, or a
   single row; never one by one in another order);
7. suppliers (``purchase_order_lock_suppliers``), then purchase orders
   (``lock_purchase_order``): receiving locks its bins' stock rows first.

An order's lines and allocations, and a shipment's parcels, are guarded by
their order's or shipment's lock and are never locked on their own.
Products and bins are locked only by ``product_update`` and
``location_update``, which take no other lock.
On SQLite ``FOR UPDATE`` is ignored: IMMEDIATE transactions serialise
writers instead (``oms.settings``).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models


def lock_rows(queryset: models.QuerySet, ids: Iterable[int] | None = None) -> list:
    """Lock the queryset's rows (only those with these ids, when given) in primary-key order.

    ``of=("self",)`` locks only the queryset's own table, not the rows that
    ``select_related`` joins in.
    """
    if ids is not None:
        wanted = sorted(set(ids))
        if not wanted:
            return []
        queryset = queryset.filter(pk__in=wanted)
    return list(queryset.select_for_update(of=("self",)).order_by("pk"))
