"""What the stock services share: row locks in a fixed order and ledger rows.

Stock rows come after orders, shipments and waves, and before suppliers and
purchase orders, in the one lock order of ``oms.locks``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import IntegrityError, transaction
from django.db.models import Q

from inventory.models import Location, Product, StockLevel, StockMovement
from inventory.signals import stock_became_available
from oms.errors import Conflict
from oms.locks import lock_rows

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
    """Lock every stock row matching ``filters`` in one statement, in primary-key order."""
    return lock_rows(
        StockLevel.objects.filter(**filters).select_related("location", "location__warehouse")
    )


def lock_levels_for(
    pairs: Iterable[tuple[Product | int, Location | int]],
) -> dict[tuple[int, int], StockLevel]:
    """Lock the stock rows of these (product, bin) pairs in one statement, creating missing ones.

    Returns them by (product id, location id). A service that changes several
    rows locks them all here first, so it never takes them one by one in an
    order of its own (``oms.locks``).
    """
    wanted = {(_pk(product), _pk(location)) for product, location in pairs}
    if not wanted:
        return {}
    existing = set(
        StockLevel.objects.filter(
            product_id__in={p for p, _ in wanted}, location_id__in={loc for _, loc in wanted}
        ).values_list("product_id", "location_id")
    )
    for product_id, location_id in sorted(wanted - existing):
        try:
            with transaction.atomic():
                StockLevel.objects.create(product_id=product_id, location_id=location_id)
        except IntegrityError:
            pass  # created by a concurrent transaction meanwhile
    exactly = Q()
    for product_id, location_id in sorted(wanted):
        exactly |= Q(product_id=product_id, location_id=location_id)
    levels = lock_rows(
        StockLevel.objects.filter(exactly).select_related("location", "location__warehouse")
    )
    return {(level.product_id, level.location_id): level for level in levels}


def _pk(value) -> int:
    return value if isinstance(value, int) else value.pk


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


def check_settable(*, product: Product, location: Location, counted: int) -> None:
    """Refuse to set stock in a closed bin, or any stock of a drop-ship product."""
    if not location.is_active:
        raise Conflict(f"Bin {location} is closed.", field="location", code="inactive_location")
    if product.is_drop_ship and counted > 0:
        raise Conflict(
            f"{product.sku} is a drop-ship product: the supplier ships it, it is never stocked.",
            field="sku",
            code="drop_ship",
        )


def check_not_below_allocated(*, level: StockLevel, counted: int) -> None:
    """Refuse to set a bin below what it promises to orders."""
    if counted < level.allocated:
        raise Conflict(
            f"Cannot set {level.product.sku} in {level.location} to {counted}: "
            f"{level.allocated} are promised to orders. Count again, or move those orders "
            "to another bin first.",
            field="counted",
            code="below_allocated",
        )


def set_on_hand(
    *,
    level: StockLevel,
    counted: int,
    kind: str,
    user,
    reference: str = "",
    reason: str = "",
    counted_at=None,
) -> StockMovement | None:
    """Set a locked row's on_hand; the ledger records the difference (None when none).

    A count (``counted_at`` given) also stamps the bin as counted and takes it
    off the list of bins to count.
    """
    difference = counted - level.on_hand
    level.on_hand = counted
    fields = ["on_hand", "updated_at"]
    if counted_at is not None:
        level.last_counted_at = counted_at
        level.count_requested_at = None
        fields += ["last_counted_at", "count_requested_at"]
    level.save(update_fields=fields)
    if difference > 0:
        announce_available(product_ids=[level.product_id])
    if difference == 0:
        return None
    return record_movement(
        level=level, kind=kind, quantity=difference, user=user, reference=reference, reason=reason
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
    if location.is_returns_bin:
        raise Conflict(
            f"Bin {location} is the returns bin: only customer returns go there. "
            "Choose a sellable bin.",
            field="location",
            code="returns_bin",
        )
