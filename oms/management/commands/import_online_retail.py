"""Load the UCI Online Retail data set as real order history (or a recent slice of it).

Each invoice becomes an order placed, confirmed, paid, shipped and delivered
at its own time (completed once the follow-up window has passed), from a
known customer or a guest, with its shipment and the ledger rows behind it;
every app writes its own rows (``<app>/services/history.py``), in batches
of invoices, one transaction each. Re-running creates nothing new: an
invoice already imported (channel and reference) is skipped.

C-invoices (cancellations and returns) then become returns of the orders
they credit, where the rule of ``returns.services.history_matching`` finds
the order: closed, refunded, their goods back on the shelf. The summary counts
every C-invoice line by what became of it; a C-invoice already made into
returns is skipped.

``--shift`` moves every date so that the last day read becomes yesterday, and
``--open DAYS`` keeps the orders of the last DAYS days open instead: they are
taken through the ordinary services now (confirmed: allocated from today's
stock or backordered), some made ready to pick, as a running business has
them. That is what ``make run`` loads.

This is a project module that gathers every app, like the URLconf: nothing
imports it.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from fulfillment import services as fulfillment_services
from fulfillment.services.history import HISTORY_TABLES as FULFILLMENT_TABLES
from fulfillment.services.history import history_shipments
from inventory.demo.sources import default_data_dir, sample_data_dir
from inventory.services.history import HISTORY_TABLES as INVENTORY_TABLES
from inventory.services.history import Sold, history_ledger, history_products
from oms.bulk import foreign_keys_checked_at_end, immediate_checks, refresh_statistics
from oms.errors import DomainError
from orders import services as order_services
from orders.retail import Invoice, read_invoices
from orders.services.history import HISTORY_TABLES as ORDER_TABLES
from orders.services.history import (
    HistoryRates,
    already_imported,
    history_customers,
    history_orders,
)
from returns.services.history import HistoryReturns, history_returns

BATCH = 2000  # invoices per transaction (batched), per round of writes (exclusive)
EXCLUSIVE_FROM = 50_000  # lines: a first load this big on PostgreSQL is one transaction
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL: lock_timeout ran out


def _catalogue(invoices: list[Invoice]) -> dict[str, tuple[str, Decimal]]:
    """Return {stock code: (name, price)}: each code's most common description and price."""
    names: dict[str, Counter] = {}
    prices: dict[str, Counter] = {}
    for invoice in invoices:
        for line in invoice.lines:
            names.setdefault(line.stock_code, Counter())[line.description] += 1
            prices.setdefault(line.stock_code, Counter())[line.unit_price] += 1
    return {
        code: (names[code].most_common(1)[0][0], prices[code].most_common(1)[0][0])
        for code in names
    }


def _shift(invoices: list[Invoice]) -> None:
    """Move every invoice's time so that the last day read becomes yesterday."""
    last = max(invoice.placed_at for invoice in invoices).date()
    days = (timezone.localdate() - timedelta(days=1) - last).days
    for invoice in invoices:
        invoice.placed_at += timedelta(days=days)


class Progress:
    """Draw a bar on the terminal: lines done of all lines."""

    def __init__(self, out, total: int):
        self.out, self.total, self.done, self.started = out, max(total, 1), 0, time.monotonic()

    def advance(self, lines: int) -> None:
        self.done += lines
        if not sys.stderr.isatty():
            return
        share = self.done / self.total
        rate = self.done / max(time.monotonic() - self.started, 1e-6)
        bar = "#" * int(share * 30)
        sys.stderr.write(f"\r[{bar:<30}] {share:4.0%} {self.done:,} lines, {rate:,.0f}/s ")
        sys.stderr.flush()
        if self.done >= self.total:
            sys.stderr.write("\n")


class Command(BaseCommand):
    help = "Load the Online Retail data set as order history (whole, or a recent slice)."

    def add_arguments(self, parser):
        parser.add_argument("--file", help="The CSV (gzipped or not); default: the data set.")
        parser.add_argument("--since", help="Only invoices from this day (YYYY-MM-DD).")
        parser.add_argument("--limit", type=int, help="Stop after this many data rows.")
        parser.add_argument(
            "--shift", action="store_true", help="Move the dates so the last day is yesterday."
        )
        parser.add_argument(
            "--open", type=int, default=0, help="Keep the last DAYS days' orders open."
        )
        how = parser.add_mutually_exclusive_group()
        how.add_argument(
            "--exclusive",
            action="store_true",
            help="One transaction, foreign keys checked once at the end: fastest, but other "
            "users of the database wait until it is done, even to read products or sign in "
            f"(default for a first load of {EXCLUSIVE_FROM:,} lines or more on PostgreSQL).",
        )
        how.add_argument(
            "--batched",
            action="store_true",
            help=f"Commit every {BATCH:,} invoices, each row checked as it is written: slower, "
            "but nobody waits long (the default on a database that has orders, and on SQLite).",
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        self.rates = HistoryRates()
        path = Path(options["file"] or default_data_dir() / "online-retail.csv.gz")
        if not path.exists() and not options["file"]:
            sample = sample_data_dir() / "online-retail.csv.gz"
            self.stdout.write(f"No data set at {path}: loading the small sample {sample}.")
            path = sample
        if not path.exists():
            raise CommandError(f"There is no file {path}.")
        try:
            since = date.fromisoformat(options["since"]) if options["since"] else None
        except ValueError as error:
            raise CommandError("Give --since as a date, e.g. 2011-11-01.") from error
        reading = read_invoices(path, since=since, limit=options["limit"])
        for error in reading.errors[:20]:
            self.stderr.write(f"line {error.line}: {error.message}")
        invoices = [invoice for invoice in reading.invoices if not invoice.credit]
        if not reading.invoices:
            self.stdout.write("Nothing to import.")
            return
        if options["shift"]:
            _shift(reading.invoices)
        seen = already_imported(invoices)
        fresh = [i for i in invoices if (i.channel, i.number) not in seen]
        fresh.sort(key=lambda invoice: (invoice.placed_at, invoice.number))
        opening = timezone.now() - timedelta(days=max(options["open"], 0))
        history = [i for i in fresh if i.placed_at < opening] if options["open"] else fresh
        to_open = [i for i in fresh if i.placed_at >= opening] if options["open"] else []
        lines = sum(len(invoice.lines) for invoice in history)
        progress = Progress(self.stdout, lines)
        if self._exclusive(options, lines):
            self.stdout.write(
                f"Loading {lines:,} lines in one transaction, foreign keys checked once at the "
                "end; other users of the database wait until it is done."
            )
            tables = [*ORDER_TABLES, *FULFILLMENT_TABLES, *INVENTORY_TABLES]
            try:
                with transaction.atomic(), foreign_keys_checked_at_end(tables):
                    products, customers = self._products_and_customers(fresh)
                    for start in range(0, len(history), BATCH):
                        self._write(history[start : start + BATCH], products, customers, progress)
            except OperationalError as error:
                if getattr(error.__cause__, "sqlstate", "") != LOCK_NOT_AVAILABLE:
                    raise
                raise CommandError(
                    "The database is in use: the tables could not be taken for the load, and "
                    "nothing was written. Run it in a quiet hour, or with --batched."
                ) from error
        else:
            with transaction.atomic():
                products, customers = self._products_and_customers(fresh)
            for start in range(0, len(history), BATCH):
                with transaction.atomic():
                    immediate_checks()
                    self._write(history[start : start + BATCH], products, customers, progress)
        refresh_statistics()
        opened = self._open(to_open, customers, products)
        seconds = time.monotonic() - started
        self.stdout.write(
            f"{len(history):,} orders with {lines:,} lines imported as history "
            f"({len(invoices) - len(fresh):,} were already there), {opened:,} left open, "
            f"{len(reading.errors):,} rows refused; {seconds:.1f} s, "
            f"{lines / max(seconds, 1e-6):,.0f} lines/s."
        )
        for reason, count in reading.skipped.most_common():
            self.stdout.write(f"  skipped {count:,}: {reason}")
        self._returns([invoice for invoice in reading.invoices if invoice.credit], invoices)

    def _returns(self, credits: list[Invoice], invoices: list[Invoice]) -> None:
        """Make the C-invoices into returns of the orders they credit; print what became of them."""
        started = time.monotonic()
        with transaction.atomic():
            immediate_checks()
            done: HistoryReturns = history_returns(credits=credits, invoices=invoices)
        self.stdout.write(
            f"{len(credits):,} C-invoices: {done.returns:,} returns written from "
            f"{done.credits:,} of them ({done.already:,} were made into returns before); "
            f"{time.monotonic() - started:.1f} s."
        )
        for reason, count in done.tally.lines.most_common():
            units = done.tally.units[reason]
            self.stdout.write(f"  {count:,} lines ({units:,} units): {reason}")

    @staticmethod
    def _exclusive(options, lines: int) -> bool:
        """Tell whether to load in one transaction with the keys checked at the end.

        Asked for with --exclusive; by default only for a big first load (no
        orders yet: a new system before it goes live), never on a database
        that is in use unless asked, and never with nothing to load.
        """
        if connection.vendor != "postgresql" or options["batched"] or not lines:
            return False
        if options["exclusive"]:
            return True
        from orders.models import Order

        return lines >= EXCLUSIVE_FROM and not Order.objects.exists()

    @staticmethod
    def _products_and_customers(invoices: list[Invoice]):
        products = history_products(catalogue=_catalogue(invoices))
        return products, history_customers(invoices=invoices)

    def _write(self, invoices: list[Invoice], products, customers, progress: Progress) -> None:
        """Write a batch of invoices: orders, then shipments, then the ledger rows behind them."""
        made = history_orders(
            invoices=invoices, products=products, customers=customers, rates=self.rates
        )
        numbers = history_shipments(orders=made)
        history_ledger(
            sold=[
                Sold(line.product_id, line.location_id, line.quantity, order.shipped_at, number)
                for order in made
                for number in (numbers[order.order_id],)
                for line in order.lines
            ]
        )
        progress.advance(sum(len(invoice.lines) for invoice in invoices))

    def _stock_half(self, invoices: list[Invoice], products: dict[str, tuple[int, int]]) -> None:
        """Receive what every other open invoice needs, so that some orders can ship today."""
        from inventory import services as inventory_services
        from inventory.models import Location, Product

        wanted: Counter = Counter()
        for invoice in invoices[::2]:
            for line in invoice.lines:
                wanted[line.stock_code] += line.quantity
        # One query for every product's stock, not one per product.
        items = Product.objects.with_stock().in_bulk([products[code][0] for code in wanted])
        bins = Location.objects.in_bulk([products[code][1] for code in wanted])
        for code, quantity in sorted(wanted.items()):
            product_id, location_id = products[code]
            short = quantity - items[product_id].total_available
            if short > 0 and not items[product_id].is_drop_ship and items[product_id].is_active:
                inventory_services.stock_receive(
                    product=items[product_id],
                    location=bins[location_id],
                    quantity=short,
                    reference="DEMO-DELIVERY",
                )

    def _open(self, invoices: list[Invoice], customers: dict[str, int], products) -> int:
        """Take the newest invoices through the ordinary services: open orders, as of now.

        Every other invoice's goods are received first (a delivery this
        morning), so some orders allocate and half of those are made ready to
        pick; the rest wait for stock.
        """
        from orders.models import Customer
        from orders.services.history import customer_email

        if invoices:
            self._stock_half(invoices, products)

        by_email = Customer.objects.in_bulk(
            [customers[customer_email(i)] for i in invoices], field_name="pk"
        )
        opened = 0
        for index, invoice in enumerate(invoices):
            try:
                with transaction.atomic():
                    order = order_services.order_create(
                        customer=by_email[customers[customer_email(invoice)]],
                        channel=invoice.channel,
                        external_reference=invoice.number,
                        lines=[
                            {"sku": line.stock_code, "quantity": line.quantity}
                            for line in invoice.lines
                        ][:500],
                        shipping_price=str(invoice.shipping),
                        shipping_method="standard",
                        place=True,
                    )
                    order = order_services.order_confirm(
                        order_id=order.pk,
                        payment={
                            "method": "card",
                            "amount": str(order.total),
                            "reference": f"HIST-{invoice.number}",
                        }
                        if order.total > 0
                        else None,
                    )
                    if index % 4 == 0 and order.status == order.Status.ALLOCATED:
                        fulfillment_services.shipment_create_for_order(order_id=order.pk)
            except DomainError as error:
                self.stderr.write(f"invoice {invoice.number} left out: {error.message}")
                continue
            opened += 1
        return opened
