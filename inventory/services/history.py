"""Inventory's part of loading order history: the products sold, and a ledger that adds up.

The history import (``manage.py import_online_retail``) asks inventory for
a product and a bin per stock code, then hands over every unit that left a
bin on a historical shipment. Inventory books those as shipment movements
and, before them, receipts of the same quantities (one per product, bin and
month, at the month's first sale), so the ledger never shows stock that was
not there and each bin's history adds up to nothing: ``check_stock_ledger``
holds, and today's stock is what it was.

Units that came back on a return of the history (``returns.services.history``)
are booked as the returns desk books them: a receipt into the warehouse's
returns bin, then a restock out of it into a sellable bin. They are on that
shelf now: its stock row grows by them, and the ledger still adds up.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import cycle

from django.db.models.functions import Upper
from django.utils import timezone

from inventory.models import Location, Product, StockLevel, StockMovement, Warehouse
from inventory.services.base import announce_available
from inventory.services.catalogue import location_create, warehouse_create
from inventory.services.returns import check_restock_bin, warehouse_returns_bin
from oms.bulk import insert_rows, reserve_ids
from oms.bulk_updates import update_rows
from oms.errors import Conflict
from oms.locks import lock_rows
from oms.services import service

HISTORY_WAREHOUSE = "MAIN"
HISTORY_BIN = "H-01-01"
Kind = StockMovement.Kind
# The tables these services write, for a bulk load that checks their keys at the end.
HISTORY_TABLES = (StockMovement,)


@dataclass(frozen=True)
class Sold:
    """Units of a product that left a bin on a historical shipment."""

    product_id: int
    location_id: int
    quantity: int
    at: datetime
    reference: str


def _bins() -> list[Location]:
    """Return the sellable bins history ships from: the main warehouse's, in walking order."""
    warehouse = Warehouse.objects.filter(code=HISTORY_WAREHOUSE).first()
    if warehouse is None:
        warehouse = warehouse_create(code=HISTORY_WAREHOUSE, name="Main warehouse")
    bins = list(
        Location.objects.filter(warehouse=warehouse, is_active=True, is_returns_bin=False).order_by(
            "pick_sequence", "code"
        )
    )
    if not bins:
        bins = [location_create(warehouse=warehouse, code=HISTORY_BIN, pick_sequence=10)]
    return bins


@service
def history_products(*, catalogue: dict[str, tuple[str, Decimal]]) -> dict[str, tuple[int, int]]:
    """Return {stock code: (product id, bin id)}, creating the products not known yet.

    ``catalogue`` maps a stock code to its name and price in the history. A
    product keeps the sellable bin it already has stock in; a new one gets a
    bin of the main warehouse, spread over its bins (never a returns bin).
    """
    by_code = {
        product.sku_key: product
        for product in Product.objects.annotate(sku_key=Upper("sku")).filter(
            sku_key__in=list(catalogue)
        )
    }
    missing = [code for code in catalogue if code not in by_code]
    if missing:
        created = Product.objects.bulk_create(
            Product(sku=code, name=catalogue[code][0][:255], price=catalogue[code][1])
            for code in missing
        )
        by_code.update({product.sku.upper(): product for product in created})
    stocked = {}
    for level in (
        StockLevel.objects.filter(
            product__in=[p.pk for p in by_code.values()], location__is_returns_bin=False
        )
        .select_related("location")
        .order_by("location__pick_sequence", "location__code")
    ):
        stocked.setdefault(level.product_id, level.location_id)
    spread = cycle([location.pk for location in _bins()])
    return {
        code: (product.pk, stocked.get(product.pk) or next(spread))
        for code, product in sorted(by_code.items())
    }


def _receipt_time(first_sale: datetime) -> datetime:
    return first_sale - timedelta(hours=1)


@service
def history_ledger(*, sold: Sequence[Sold]) -> int:
    """Book historical shipments in the ledger, each month's behind a receipt; return rows written.

    Every bin's history nets to zero, so stock levels stay as they are.
    """
    months: dict[tuple[int, int, str], list[Sold]] = defaultdict(list)
    for unit in sold:
        months[(unit.product_id, unit.location_id, unit.at.strftime("%Y-%m"))].append(unit)
    movements: list[tuple] = []
    for (product_id, location_id, month), units in months.items():
        units.sort(key=lambda unit: unit.at)
        total = sum(unit.quantity for unit in units)
        movements.append(
            (
                product_id,
                location_id,
                Kind.RECEIPT,
                total,
                _receipt_time(units[0].at),
                f"HIST-{month}",
                "Received for the month's orders (history import)",
            )
        )
        movements.extend(
            (product_id, location_id, Kind.SHIPMENT, -unit.quantity, unit.at, unit.reference, "")
            for unit in units
        )
    movements.sort(key=lambda row: (row[0], row[1], row[4]))
    ids = iter(reserve_ids(StockMovement, len(movements)))
    on_hand: dict[tuple[int, int], int] = defaultdict(int)

    def rows():
        for product_id, location_id, kind, quantity, at, reference, reason in movements:
            key = (product_id, location_id)
            on_hand[key] += quantity
            yield (
                next(ids),
                product_id,
                location_id,
                kind,
                quantity,
                on_hand[key],
                reason,
                reference,
                None,
                at,
            )

    return insert_rows(StockMovement, MOVEMENT_COLUMNS, rows())


MOVEMENT_COLUMNS = [
    "id",
    "product_id",
    "location_id",
    "kind",
    "quantity",
    "on_hand_after",
    "reason",
    "reference",
    "user_id",
    "created_at",
]


@dataclass(frozen=True)
class Returned:
    """Units that came back on a return of the history and went back to a sellable bin."""

    product_id: int
    warehouse_id: int
    location_id: int  # the sellable bin they were restocked into
    quantity: int
    at: datetime
    reference: str  # the return's number


def _check_returned(returned: Sequence[Returned]) -> dict[int, int]:
    """Refuse what the returns desk could not restock; return {warehouse id: returns bin id}."""
    products = Product.objects.in_bulk({item.product_id for item in returned})
    bins = Location.objects.select_related("warehouse").in_bulk(
        {item.location_id for item in returned}
    )
    warehouses = Warehouse.objects.in_bulk({item.warehouse_id for item in returned})
    for item in returned:
        product = products[item.product_id]
        if product.is_drop_ship or not product.is_active:
            raise Conflict(
                f"{product.sku} is a drop-ship or deactivated product: it is not restocked.",
                field="sku",
                code="not_restockable",
            )
        if item.quantity <= 0:
            raise Conflict(f"No units of {product.sku} to restock.", code="no_units")
        check_restock_bin(warehouse=warehouses[item.warehouse_id], location=bins[item.location_id])
    return {
        pk: warehouse_returns_bin(warehouse=warehouse).pk
        for pk, warehouse in sorted(warehouses.items())
    }


def _lock_levels(pairs: set[tuple[int, int]]) -> dict[tuple[int, int], StockLevel]:
    """Lock the stock rows of these (product, bin) pairs in one statement, creating missing ones."""
    products = {product for product, _location in pairs}
    locations = {location for _product, location in pairs}
    rows = StockLevel.objects.filter(product_id__in=products, location_id__in=locations)
    have = set(rows.values_list("product_id", "location_id"))
    StockLevel.objects.bulk_create(
        [StockLevel(product_id=p, location_id=loc) for p, loc in sorted(pairs - have)],
        ignore_conflicts=True,
    )
    return {
        (level.product_id, level.location_id): level
        for level in lock_rows(rows)
        if (level.product_id, level.location_id) in pairs
    }


@service
def history_return_ledger(*, returned: Sequence[Returned]) -> list[tuple[int, int]]:
    """Book returns of the history as the returns desk books them; return the movements made.

    Each item is a return receipt into its warehouse's returns bin, then a
    restock out of that bin and into ``location_id`` (as
    ``stock_return_receive`` and ``stock_return_restock`` write them); the
    items of one return (one reference) are received first, then restocked,
    as the desk receives every line before it inspects. Returns, per item,
    (receipt movement id, restock movement id into the bin). Refused, with
    nothing written: a drop-ship or deactivated product, a bin that is not an
    open sellable bin of the warehouse.
    """
    if not returned:
        return []
    returns_bins = _check_returned(returned)
    by_return: dict[str, list[int]] = {}
    for index, item in enumerate(returned):
        by_return.setdefault(item.reference, []).append(index)
    levels = _lock_levels(
        {(item.product_id, returns_bins[item.warehouse_id]) for item in returned}
        | {(item.product_id, item.location_id) for item in returned}
    )
    ids = iter(reserve_ids(StockMovement, 3 * len(returned)))
    made: list[tuple[int, int]] = [(0, 0)] * len(returned)
    rows = []

    def book(item: Returned, location_id: int, kind: str, quantity: int, reason: str = "") -> int:
        level = levels[(item.product_id, location_id)]
        level.on_hand += quantity
        pk = next(ids)
        rows.append(
            (
                pk,
                item.product_id,
                location_id,
                kind,
                quantity,
                level.on_hand,
                reason,
                item.reference,
                None,
                item.at,
            )
        )
        return pk

    for indexes in by_return.values():
        receipts = {
            i: book(
                returned[i],
                returns_bins[returned[i].warehouse_id],
                Kind.RETURN_RECEIPT,
                returned[i].quantity,
                "Customer return received",
            )
            for i in indexes
        }
        for i in indexes:
            item = returned[i]
            book(item, returns_bins[item.warehouse_id], Kind.RETURN_RESTOCK, -item.quantity)
            made[i] = (
                receipts[i],
                book(item, item.location_id, Kind.RETURN_RESTOCK, item.quantity),
            )
    insert_rows(StockMovement, MOVEMENT_COLUMNS, rows)
    now = timezone.now()
    update_rows(
        StockLevel,
        ["id", "on_hand", "updated_at"],
        ((level.pk, level.on_hand, now) for level in levels.values()),
    )
    announce_available(product_ids=[item.product_id for item in returned])
    return made
