"""Time the managers' imports (rows/s), each beside a baseline in the same run.

- products: the import (django-import-export in bulk mode, ``oms.imports``)
  against the same rows written one by one through ``product_create`` (the
  path without bulk mode), then the same file again (every row unchanged);
- stock counts: the import against the same counts booked by calling
  ``stock_count`` directly (the floor: the import adds the file's checks);
- marketplace orders: the first lines of the Online Retail data set as an
  import against ``order_create`` called directly for the same invoices.

The database is fresh (migrated, not timed): SQLite in a temporary file by
default, or ``--database-url`` (use a database of your own: it is dropped).

    .venv/bin/python bench/imports.py
    .venv/bin/python bench/imports.py --rows 5000 --database-url postgres://postgres@127.0.0.1:5432/oms_bench_imports
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "online-retail.csv.gz"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=3000, help="product and count rows")
    parser.add_argument("--lines", type=int, default=3000, help="Online Retail lines")
    parser.add_argument("--database-url", default="")
    return parser.parse_args()


def setup(url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    os.environ.setdefault("DEBUG", "1")
    os.environ["DJANGO_SETTINGS_MODULE"] = "oms.settings"
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    call_command("migrate", verbosity=0)


def rate(rows: int, seconds: float) -> str:
    return f"{rows:>7,} rows in {seconds:6.2f} s = {rows / seconds:>9,.0f} rows/s"


def timed(func):
    started = time.perf_counter()
    result = func()
    return result, time.perf_counter() - started


def main() -> None:
    args = parse_args()
    setup(args.database_url)
    from django.contrib.auth import get_user_model
    from django.db import connection

    from inventory.models import Location, Product
    from inventory.services import location_create, product_create, stock_count, warehouse_create
    from oms import imports
    from oms.roles import Role
    from orders.retail import open_text
    from orders.services import customer_get_or_create, order_create

    manager = get_user_model().objects.create_user("bench-manager")
    from django.contrib.auth.models import Group

    manager.groups.add(Group.objects.get(name=Role.MANAGER))
    manager = get_user_model().objects.get(pk=manager.pk)
    n = args.rows
    print(f"== imports on {connection.vendor}, {n:,} product and count rows")

    def run(kind_name: str, text: str, tag: str):
        kind = imports.kind_named(kind_name)
        upload = imports.read_rows(kind, text)
        params = {"sha256": f"{tag:0<64}", "filename": f"{tag}.csv"}
        return imports.import_run(
            kind=kind, params=params, user=manager, dry_run=False, upload=upload
        )

    # products: one by one through the service, then the bulk import of other SKUs
    _, seconds = timed(
        lambda: [
            product_create(sku=f"BASE-{i}", name=f"Baseline {i}", price="1.00", user=manager)
            for i in range(n)
        ]
    )
    print(f"products   baseline product_create one by one  {rate(n, seconds)}")
    text = "sku,name,price,weight_grams\n" + "".join(
        f"IMP-{i},Imported {i},{i % 97}.50,{i % 900}\n" for i in range(n)
    )
    report, seconds = timed(lambda: run("products", text, "a"))
    assert report.totals["new"] == n, report.summary()
    print(f"products   import, bulk mode (new)             {rate(n, seconds)}")
    report, seconds = timed(lambda: run("products", text, "a"))
    assert report.totals["skip"] == n, report.summary()
    print(f"products   same file again (unchanged)         {rate(n, seconds)}")
    changed = text.replace("Imported", "Renamed")
    report, seconds = timed(lambda: run("products", changed, "b"))
    assert report.totals["update"] == n, report.summary()
    print(f"products   import, bulk mode (changed)         {rate(n, seconds)}")

    # stock counts: stock_count directly, then the import, in bins of their own
    warehouse = warehouse_create(code="BENCH", name="Bench", user=manager)
    for code in ("BASE", "IMP"):
        location_create(warehouse=warehouse, code=code, user=manager)
    base_bin = Location.objects.get(code="BASE")
    products = list(Product.objects.filter(sku__startswith="IMP-").order_by("pk")[:n])
    _, seconds = timed(
        lambda: [
            stock_count(product=p, location=base_bin, counted=5, user=manager) for p in products
        ]
    )
    print(f"counts     baseline stock_count directly       {rate(len(products), seconds)}")
    text = "warehouse,bin,sku,counted\n" + "".join(f"BENCH,IMP,{p.sku},5\n" for p in products)
    report, seconds = timed(lambda: run("stock_counts", text, "c"))
    assert report.totals["new"] == len(products), report.summary()
    print(f"counts     import                              {rate(len(products), seconds)}")

    # marketplace orders: the first lines of the data set, products made first (not timed)
    with open_text(DATA) as stream:
        header = next(stream)
        lines = [next(stream) for _ in range(args.lines)]
    codes = {line.split(",")[1].strip().upper() for line in lines}
    Product.objects.bulk_create(
        [Product(sku=code, name=code, price="1.00") for code in codes if code]
    )
    kind = imports.kind_named("marketplace_orders")
    text = header + "".join(lines)
    upload = imports.read_rows(kind, text)
    report, seconds = timed(lambda: run("marketplace_orders", text, "d"))
    print(
        f"orders     import ({report.totals['new']:,} orders, "
        f"{report.totals['invalid']:,} refused)   {rate(len(upload.dataset), seconds)}"
    )
    assert report.totals["new"], report.summary()
    invoices: dict[str, list[dict]] = {}
    for values in upload.dataset.dict:
        if not values["InvoiceNo"].startswith("C"):
            invoices.setdefault(values["InvoiceNo"], []).append(values)
    customer = customer_get_or_create(email="bench@example.com", name="Bench", user=manager)
    address = {"name": "Bench", "line1": "1 Road", "city": "Leeds", "country": "GB"}

    def baseline():
        count = 0
        for number, rows in invoices.items():
            goods = [r for r in rows if r["StockCode"] not in ("POST", "DOT", "C2", "M", "D")]
            goods = [r for r in goods if int(r["Quantity"]) > 0]
            if not goods or len(goods) > 500:  # the import refuses those too
                continue
            order_create(
                customer=customer,
                lines=[{"sku": r["StockCode"], "quantity": r["Quantity"]} for r in goods],
                user=manager,
                channel="web",
                external_reference=f"B{number}",
                shipping_address=address,
                place=True,
            )
            count += len(goods)
        return count

    count, seconds = timed(baseline)
    print(f"orders     baseline order_create directly       {rate(count, seconds)}")


if __name__ == "__main__":
    main()
