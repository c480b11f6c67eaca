"""Inventory's part of loading order history: the products sold, and a ledger that adds up.

The history import (``manage.py import_online_retail``) asks inventory for
a product and a bin per stock code, then hands over every unit that left a
bin on a historical shipment. Inventory books those as shipment movements
and, before them, receipts of the same quantities (one per product, bin and
month, at the month's first sale), so the ledger never shows stock that was
not there and each bin's history adds up to nothing: ``check_stock_ledger``
holds, and today's stock is what it was.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import cycle

from django.db.models.functions import Upper

from inventory.models import Location, Product, StockLevel, StockMovement, Warehouse
from inventory.services.catalogue import location_create, warehouse_create
from oms.bulk import insert_rows, reserve_ids
from oms.services import service

HISTORY_WAREHOUSE = "MAIN"
HISTORY_BIN = "H-01-01"
Kind = StockMovement.Kind


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

    return insert_rows(
        StockMovement,
        [
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
        ],
        rows(),
    )
