"""Measure what each shortcut in order placement saves, against its plain Django spelling.

Runs in one process on PostgreSQL (the database of ``bench/order_placement.py``
by default). For each variant it creates and confirms orders of three lines
through the services, as the API does, builds the API's answer for each, and
prints SQL statements and CPU per order (this process: the app's side), next
to the baseline with every shortcut on:

- ``unit of work``: nested services share one transaction instead of a
  savepoint each (``oms.transactions.unit_of_work``);
- ``event buffer``: a service's timeline rows go out in one INSERT
  (``orders.events.collect_events``) instead of one each;
- ``update_counts``: allocation counts in one UPDATE ... FROM (VALUES)
  (``oms.db.update_counts``) instead of ``bulk_update``'s CASE expressions;
- ``loaded lists``: the lines, payments and events a service just wrote are
  handed to the API's answer (``Prefetch(to_attr=...)`` attributes) instead
  of read again;
- ``hand-built answer``: ``orders.serializers.order_as_dict`` instead of DRF's
  ``OrderSerializer``.

    .venv/bin/python bench/order_internals.py                # 300 orders a variant
    .venv/bin/python bench/order_internals.py --orders 1000
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import order_placement  # noqa: E402  (the same database, settings and seed)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=300, help="orders per variant (300)")
    parser.add_argument("--database-url", default=order_placement.DEFAULT_DATABASE_URL)
    return parser.parse_args(argv)


@contextlib.contextmanager
def plain_transactions():
    """Give every nested service its own savepoint (plain transaction.atomic)."""
    from django.db import transaction

    from oms import transactions

    original = transactions.unit_of_work
    transactions.unit_of_work = transaction.atomic
    try:
        yield
    finally:
        transactions.unit_of_work = original


@contextlib.contextmanager
def no_event_buffer():
    """Write each timeline row when it is recorded."""
    from orders import events
    from orders.services import base

    original = base.collect_events
    base.collect_events = contextlib.nullcontext
    try:
        yield
    finally:
        base.collect_events = original
        assert events.collect_events is original


@contextlib.contextmanager
def bulk_update_counts():
    """Write allocation counts with Django's bulk_update."""
    from inventory.services import allocation as stock
    from orders.services import allocation as lines

    def with_bulk_update(model, rows, fields, *, touch=None, now=None):
        if touch:
            for row in rows:
                setattr(row, touch, now)
            fields = [*fields, touch]
        return model.objects.bulk_update(rows, fields)

    originals = stock.update_counts, lines.update_counts
    stock.update_counts = lines.update_counts = with_bulk_update
    try:
        yield
    finally:
        stock.update_counts, lines.update_counts = originals


@contextlib.contextmanager
def read_again():
    """Drop what the services loaded, so that the answer reads it back."""
    from orders import apis

    original = apis.order_out

    def reading(order):
        for name in ("loaded_lines", "loaded_payments", "loaded_events"):
            order.__dict__.pop(name, None)
        return original(order)

    apis.order_out = reading
    try:
        yield
    finally:
        apis.order_out = original


@contextlib.contextmanager
def drf_answer():
    """Build the answer with DRF's OrderSerializer."""
    from orders import apis
    from orders.serializers import OrderSerializer

    original = apis.order_as_dict

    def with_drf(order):
        for name, attr in (("lines", "loaded_lines"), ("payments", "loaded_payments")):
            setattr(order, f"_bench_{name}", getattr(order, attr))
        return OrderSerializer(order).data

    apis.order_as_dict = with_drf
    try:
        yield
    finally:
        apis.order_as_dict = original


VARIANTS = [
    ("every shortcut on", contextlib.nullcontext),
    ("without the unit of work", plain_transactions),
    ("without the event buffer", no_event_buffer),
    ("without update_counts", bulk_update_counts),
    ("without loaded lists", read_again),
    ("without the hand-built answer", drf_answer),
]


def place(fixture, user, count: int) -> tuple[float, float]:
    """Create, confirm and answer ``count`` orders; return (statements, CPU ms) per order."""
    import random

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from orders import apis, services
    from orders.models import Customer

    customer, _ = Customer.objects.get_or_create(email="bench.internals@example.com")
    statements, cpu = [], []
    for _ in range(count):
        skus = random.sample(fixture.stocked_skus, 3)
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as queries:
            started = time.process_time()
            order = services.order_create(
                customer=customer,
                user=user,
                channel="web",
                shipping_address={"name": "B", "line1": "1 St", "city": "Leeds", "country": "GB"},
                lines=[{"sku": sku, "quantity": 1} for sku in skus],
                place=True,
            )
            apis.order_out(order)
            order = services.order_confirm(
                order_id=order.pk,
                user=user,
                payment={"method": "card", "amount": str(order.total), "reference": "b"},
            )
            apis.order_out(order)
            cpu.append((time.process_time() - started) * 1000)
        statements.append(len(queries))
    return statistics.mean(statements), statistics.median(cpu)


def main(argv=None) -> int:
    args = parse_args(argv)
    order_placement.ensure_database(args.database_url, reset=False)
    seed_args = order_placement.parse_args(["--database-url", args.database_url])
    order_placement.setup_django(order_placement.server_environment(seed_args))
    fixture = order_placement.seed(seed_args)

    from django.contrib.auth import get_user_model
    from django.db import connection

    connection.force_debug_cursor = False
    user = get_user_model().objects.get(username=order_placement.SALES_USERNAME)
    place(fixture, user, 20)  # warm up: imports, caches, connection
    rows = []
    for name, variant in VARIANTS:
        with variant():
            rows.append((name, *place(fixture, user, args.orders)))
    base_statements, base_cpu = rows[0][1], rows[0][2]
    print(f"{args.orders} orders a variant, 3 lines each: create + confirm + both API answers")
    print(f"{'variant':32} {'statements':>10} {'CPU ms':>8} {'saves':>22}")
    for name, statements, cpu in rows:
        saves = (
            ""
            if name == rows[0][0]
            else f"{statements - base_statements:+.0f} stmt, {cpu - base_cpu:+.2f} ms"
        )
        print(f"{name:32} {statements:10.1f} {cpu:8.2f} {saves:>22}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
