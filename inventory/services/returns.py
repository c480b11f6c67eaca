"""Customer returns in stock: the returns bin, and what inspection does with the units in it.

Each warehouse has one returns bin. Returned units are booked into it
(``return_receipt``): on hand there, never available to sell or allocate.
Inspection then moves them to a sellable bin of the same warehouse
(``return_restock``, out of the returns bin and into the bin; waiting
backorders are served once the transaction commits) or writes them off
(``scrap``); quarantined units simply stay. An undo is a reversing movement.
The returns app checks who may do this; these services keep the stock rules
and write every change as ledger rows, locking the stock rows they change in
one statement (``oms.locks``).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from inventory.models import Location, Product, StockMovement, Warehouse
from inventory.services.base import (
    Kind,
    announce_available,
    lock_levels_for,
    record_movement,
)
from oms.errors import Conflict, InvalidInput
from oms.services import service, whole_number

RETURNS_BIN_CODE = "RETURNS"
RETURNS_BIN_SEQUENCE = 999_999


def warehouse_returns_bin(*, warehouse: Warehouse) -> Location:
    """Return the warehouse's returns bin, opening it the first time it is needed."""
    found = Location.objects.select_related("warehouse").filter(
        warehouse=warehouse, is_returns_bin=True
    )
    location = found.first()
    if location is not None:
        return location
    code = RETURNS_BIN_CODE
    if Location.objects.filter(warehouse=warehouse, code=code).exists():
        code = f"{RETURNS_BIN_CODE}-{warehouse.code}"
    try:
        with transaction.atomic():
            Location.objects.create(
                warehouse=warehouse,
                code=code,
                pick_sequence=RETURNS_BIN_SEQUENCE,
                is_returns_bin=True,
            )
    except IntegrityError:
        pass  # opened by a concurrent transaction meanwhile
    return found.get()


def _checked(product: Product, quantity, *, field: str = "quantity") -> int:
    if product.is_drop_ship:
        raise Conflict(
            f"{product.sku} is a drop-ship product: returns of it go back to the supplier, "
            "not into our stock.",
            field="sku",
            code="drop_ship",
        )
    return whole_number(quantity, field=field)


@service
def stock_return_receive(
    *, product: Product, warehouse: Warehouse, quantity, user=None, reference: str = ""
) -> StockMovement:
    """Book returned units into the warehouse's returns bin (on hand, not available)."""
    quantity = _checked(product, quantity)
    returns_bin = warehouse_returns_bin(warehouse=warehouse)
    level = lock_levels_for([(product, returns_bin)])[(product.pk, returns_bin.pk)]
    level.on_hand += quantity
    level.save(update_fields=["on_hand", "updated_at"])
    return record_movement(
        level=level,
        kind=Kind.RETURN_RECEIPT,
        quantity=quantity,
        user=user,
        reference=reference,
        reason="Customer return received",
    )


def _take_from_returns_bin(level, product: Product, quantity: int) -> None:
    if level.on_hand < quantity:
        raise Conflict(
            f"Only {level.on_hand} {product.sku} are in the returns bin {level.location.code}.",
            field="quantity",
            code="not_in_returns_bin",
        )
    level.on_hand -= quantity
    level.save(update_fields=["on_hand", "updated_at"])


@service
def stock_return_receipt_undo(
    *, product: Product, warehouse: Warehouse, quantity, user=None, reference: str = ""
) -> StockMovement:
    """Take back returned units booked by mistake: a negative return receipt."""
    quantity = _checked(product, quantity)
    returns_bin = warehouse_returns_bin(warehouse=warehouse)
    level = lock_levels_for([(product, returns_bin)])[(product.pk, returns_bin.pk)]
    _take_from_returns_bin(level, product, quantity)
    return record_movement(
        level=level,
        kind=Kind.RETURN_RECEIPT,
        quantity=-quantity,
        user=user,
        reference=reference,
        reason="Undo of a return receipt",
    )


def check_restock_bin(*, warehouse: Warehouse, location: Location) -> None:
    """Refuse a bin that returned goods cannot be restocked into, in plain words."""
    if location.is_returns_bin:
        raise InvalidInput(
            f"{location.code} is the returns bin: scan the sellable bin the item goes to.",
            field="location",
            code="returns_bin",
        )
    if location.warehouse_id != warehouse.pk:
        raise InvalidInput(
            f"Bin {location} is in another warehouse: restock into a bin of {warehouse.code}.",
            field="location",
            code="other_warehouse",
        )
    if not location.is_active:
        raise InvalidInput(
            f"Bin {location} is closed; choose another bin.",
            field="location",
            code="inactive_location",
        )


@service
def stock_return_restock(
    *,
    product: Product,
    warehouse: Warehouse,
    location: Location,
    quantity,
    user=None,
    reference: str = "",
) -> StockMovement:
    """Move inspected units from the returns bin to a sellable bin; return the movement in.

    Refused: a bin of another warehouse, the returns bin itself, a closed bin,
    more units than the returns bin holds. Waiting backorders are served once
    the transaction commits.
    """
    quantity = _checked(product, quantity)
    check_restock_bin(warehouse=warehouse, location=location)
    if not product.is_active:
        raise Conflict(
            f"{product.sku} is deactivated: scrap or quarantine it, or reactivate it first.",
            field="sku",
            code="inactive_product",
        )
    returns_bin = warehouse_returns_bin(warehouse=warehouse)
    levels = lock_levels_for([(product, returns_bin), (product, location)])
    source, target = levels[(product.pk, returns_bin.pk)], levels[(product.pk, location.pk)]
    _take_from_returns_bin(source, product, quantity)
    target.on_hand += quantity
    target.save(update_fields=["on_hand", "updated_at"])
    record_movement(
        level=source, kind=Kind.RETURN_RESTOCK, quantity=-quantity, user=user, reference=reference
    )
    announce_available(product_ids=[product.pk])
    return record_movement(
        level=target, kind=Kind.RETURN_RESTOCK, quantity=quantity, user=user, reference=reference
    )


@service
def stock_return_restock_undo(
    *,
    product: Product,
    warehouse: Warehouse,
    location: Location,
    quantity,
    user=None,
    reference: str = "",
) -> StockMovement:
    """Put restocked units back into the returns bin, while they are still free in their bin."""
    quantity = _checked(product, quantity)
    returns_bin = warehouse_returns_bin(warehouse=warehouse)
    levels = lock_levels_for([(product, returns_bin), (product, location)])
    source, target = levels[(product.pk, location.pk)], levels[(product.pk, returns_bin.pk)]
    if source.available < quantity:
        raise Conflict(
            f"Cannot take {quantity} {product.sku} back from {location.code}: only "
            f"{max(source.available, 0)} are still free there (the rest is promised to orders).",
            field="quantity",
            code="insufficient_stock",
        )
    source.on_hand -= quantity
    target.on_hand += quantity
    source.save(update_fields=["on_hand", "updated_at"])
    target.save(update_fields=["on_hand", "updated_at"])
    record_movement(
        level=source,
        kind=Kind.RETURN_RESTOCK,
        quantity=-quantity,
        user=user,
        reference=reference,
        reason="Undo of a return restock",
    )
    return record_movement(
        level=target,
        kind=Kind.RETURN_RESTOCK,
        quantity=quantity,
        user=user,
        reference=reference,
        reason="Undo of a return restock",
    )


@service
def stock_return_scrap(
    *,
    product: Product,
    warehouse: Warehouse,
    quantity,
    user=None,
    reference: str = "",
    reason: str = "",
    undo: bool = False,
) -> StockMovement:
    """Write returned units off from the returns bin (``undo``: book them back into it)."""
    quantity = _checked(product, quantity)
    returns_bin = warehouse_returns_bin(warehouse=warehouse)
    level = lock_levels_for([(product, returns_bin)])[(product.pk, returns_bin.pk)]
    if undo:
        level.on_hand += quantity
        level.save(update_fields=["on_hand", "updated_at"])
    else:
        _take_from_returns_bin(level, product, quantity)
    return record_movement(
        level=level,
        kind=Kind.SCRAP,
        quantity=quantity if undo else -quantity,
        user=user,
        reference=reference,
        reason=("Undo of a scrap: " if undo else "Scrapped on return: ") + (reason or ""),
    )
