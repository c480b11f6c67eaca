"""Time every staff page with the whole order history loaded: p50/p95 server time and queries.

Runs in one process against a PostgreSQL database that holds the history
(``manage.py import_online_retail --shift --open 2`` into it first, as
bench/README.md shows; the default database is ``oms_full``); it makes one
wave of open shipments when there is none, for the wave and pick screens.
Each page is requested as a signed-in manager would (Django's test client:
the whole request, middleware and template, no network), a number of times
after one warm-up, and the figures are printed next to a trivial page
(``/healthz``) measured in the same run. Target: every page
under 200 ms at p95, with a query count that does not grow with the data.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/oms_full .venv/bin/python bench/pages.py
    .venv/bin/python bench/pages.py --repeat 30 --database-url postgres://...
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/oms_full"
TARGET_MS = 200.0


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=20, help="requests per page (20)")
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    parser.add_argument("--only", help="time only the pages whose label contains this")
    parser.add_argument(
        "--wave", type=int, default=40, help="ready shipments in the wave made if none (40)"
    )
    return parser.parse_args(argv)


def setup(url: str) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="oms.settings",
        DATABASE_URL=url,
        DEBUG="1",
        ALLOWED_HOSTS="testserver,localhost",
        SECURE_SSL_REDIRECT="0",
        LOG_LEVEL="ERROR",
    )
    # Loaded as gunicorn loads it (oms/wsgi.py), so the process is the server's.
    import oms.wsgi  # noqa: F401


def pages() -> list[tuple[str, str]]:
    """Return (label, path) of every staff page, with the biggest real objects to show."""
    from django.db.models import Count
    from django.urls import reverse

    from fulfillment.models import Shipment, Wave
    from inventory.models import Product
    from orders.models import Customer, Order

    busiest_order = Order.objects.annotate(n=Count("lines")).order_by("-n").first()
    busiest_customer = Customer.objects.annotate(n=Count("orders")).order_by("-n").first()
    busiest_product = Product.objects.annotate(n=Count("movements")).order_by("-n").first()
    shipment = Shipment.objects.order_by("-pk").first()
    wave = Wave.objects.order_by("-pk").first()
    orders = reverse("orders:order_list")
    products = reverse("inventory:product_list")
    customers = reverse("orders:customer_list")
    found = [
        ("trivial: /healthz", "/healthz"),
        ("home", reverse("home")),
        ("order list", orders),
        ("order list, page 200", f"{orders}?page=200"),
        ("order list, status completed", f"{orders}?status=completed"),
        ("order list, channel marketplace", f"{orders}?channel=marketplace"),
        ("order list, a month", f"{orders}?date_from=2011-03-01&date_to=2011-03-31"),
        ("order list, one customer", f"{orders}?customer={busiest_customer.pk}"),
        ("order list, VIP", f"{orders}?vip=yes"),
        ("order list, backordered", f"{orders}?backordered=yes"),
        ("order list, search number", f"{orders}?q={busiest_order.number}"),
        ("order list, search invoice", f"{orders}?q={busiest_order.external_reference}"),
        ("order list, search email", f"{orders}?q={busiest_customer.email}"),
        ("order list, search name", f"{orders}?q=Customer+1785"),
        ("order page (most lines)", reverse("orders:order_detail", args=[busiest_order.pk])),
        ("customer list", customers),
        ("customer list, search", f"{customers}?q=1785"),
        (
            "customer page (most orders)",
            reverse("orders:customer_detail", args=[busiest_customer.pk]),
        ),
        ("product list", products),
        ("product list, search", f"{products}?q=heart"),
        ("product list, low stock", f"{products}?stock=low"),
        (
            "product page (most movements)",
            reverse("inventory:product_detail", args=[busiest_product.pk]),
        ),
        ("waves", reverse("fulfillment:wave_list")),
        ("pack bench", reverse("fulfillment:pack")),
        ("desk", reverse("orders:order_new")),
        ("desk product search", f"{reverse('orders:product_suggestions')}?add_code=heart"),
        ("desk customer search", f"{reverse('orders:customer_suggestions')}?customer-search=1785"),
        ("admin orders", reverse("admin:orders_order_changelist")),
        ("admin orders, search", reverse("admin:orders_order_changelist") + "?q=536365"),
        ("admin customers", reverse("admin:orders_customer_changelist")),
        ("admin products", reverse("admin:inventory_product_changelist")),
        ("admin stock movements", reverse("admin:inventory_stockmovement_changelist")),
    ]
    if shipment:
        found.append(("shipment page", reverse("fulfillment:shipment_detail", args=[shipment.pk])))
    if wave:
        found.append(("wave page", reverse("fulfillment:wave_detail", args=[wave.pk])))
        found.append(("pick screen", reverse("fulfillment:pick", args=[wave.pk])))
    return found


def ensure_wave(size: int) -> str:
    """Make one wave of up to ``size`` ready shipments, as the floor would, if there is none.

    The only write the benchmark makes: with history alone loaded (nothing
    open) there is nothing to pick and no wave page to time; load with
    ``--shift --open 2`` to have open orders.
    """
    from django.contrib.auth import get_user_model

    from fulfillment import services
    from fulfillment.models import Shipment, Wave

    if Wave.objects.exists():
        return "a wave was there"
    ready = list(
        Shipment.objects.filter(status=Shipment.Status.PENDING, wave__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:size]
    )
    if not ready:
        return "no open shipments: no wave or pick screen to time"
    user = get_user_model().objects.filter(username="warehouse").first()
    if user is None:
        return "no 'warehouse' user to make a wave with: run manage.py create_demo_users"
    wave = services.wave_create(user=user, shipment_ids=ready)
    return f"made wave {wave} of {len(ready)} ready shipments"


def measure(client, path: str, repeat: int) -> tuple[float, float, int, int]:
    """Return (p50 ms, p95 ms, queries, status) of ``repeat`` requests after a warm-up."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)
    times = []
    for _ in range(repeat):
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, len(queries), response.status_code


def main(argv=None) -> int:
    args = parse_args(argv)
    setup(args.database_url)
    from django.contrib.auth import get_user_model
    from django.test import Client

    from orders.models import Order, OrderLine

    manager = get_user_model().objects.filter(username="manager").first()
    if manager is None:
        raise SystemExit("No 'manager' user: run manage.py create_demo_users on this database.")
    made = ensure_wave(args.wave)
    client = Client()
    client.force_login(manager)
    print(
        f"{Order.objects.count():,} orders, {OrderLine.objects.count():,} lines; "
        f"{args.repeat} requests a page after one warm-up, signed in as a manager; {made}"
    )
    print(f"{'page':40} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}  status")
    slow = []
    for label, path in pages():
        if args.only and args.only not in label:
            continue
        p50, p95, queries, status = measure(client, path, args.repeat)
        flag = "" if p95 < TARGET_MS else "  SLOW"
        if flag:
            slow.append(label)
        print(f"{label:40} {p50:8.1f} {p95:8.1f} {queries:8d}  {status}{flag}")
    print(
        f"pages at or over {TARGET_MS:.0f} ms p95: {len(slow)}"
        + (f" ({', '.join(slow)})" if slow else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
