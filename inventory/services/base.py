"""What the stock services share: row locks in a fixed order and ledger rows."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import IntegrityError, transaction

from inventory.models import Location, Product, StockLevel, StockMovement
from inventory.signals import stock_became_available
from oms.errors import Conflict

Kind = StockMovement.Kind


def announce_available(*, product_ids: Sequence[int]) -> None:
    """Tell other apps, once this transaction commits, that these products have free stock."""
    ids = sorted(set(product_ids))
    transaction.on_commit(lambda: stock_became_available.send(sender=StockLevel, product_ids=ids))


def lock_level(*, product: Product, location: Location) -> StockLevel:
    """Return the stock row for (product, bin), locked, creating an empty one if needed."""
    level = (
        StockLevel.objects.select_for_update(of=("self",))
        .filter(product=product, location=location)
        .first()
    )
    if level is None:
        try:
            with transaction.atomic():
                StockLevel.objects.create(product=product, location=location)
        except IntegrityError:
            pass  # created by a concurrent transaction; lock that one
        level = StockLevel.objects.select_for_update(of=("self",)).get(
            product=product, location=location
        )
    return level


def lock_levels_by_pk(filters: dict) -> list[StockLevel]:
    return list(
        StockLevel.objects.select_for_update(of=("self",))
        .filter(**filters)
        .select_related("location", "location__warehouse")
        .order_by("pk")
    )


def record_movement(
    *, level: StockLevel, kind: str, quantity: int, user, reference: str = "", reason: str = ""
) -> StockMovement:
    return StockMovement.objects.create(
        product_id=level.product_id,
        location_id=level.location_id,
        kind=kind,
        quantity=quantity,
        on_hand_after=level.on_hand,
        reason=(reason or "")[:255],
        reference=(reference or "")[:100],
        user=user if getattr(user, "pk", None) else None,
    )


def check_stockable(*, product: Product, location: Location) -> None:
    if not product.is_active:
        raise Conflict(
            f"{product.sku} {product.name} is deactivated; reactivate it before booking stock.",
            field="sku",
            code="inactive_product",
        )
    if product.is_drop_ship:
        raise Conflict(
            f"{product.sku} is a drop-ship product: the supplier ships it, it is never stocked.",
            field="sku",
            code="drop_ship",
        )
    if not location.is_active:
        raise Conflict(
            f"Bin {location} is closed; choose another bin.",
            field="location",
            code="inactive_location",
        )
    if not location.warehouse.is_active:
        raise Conflict(
            f"Warehouse {location.warehouse.code} is closed; choose a bin in another warehouse.",
            field="location",
            code="inactive_warehouse",
        )
