"""Promising stock to orders, giving it back, and shipping it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import IntegrityError
from django.utils import timezone

from inventory.models import Location, Product, StockLevel, StockMovement, Warehouse
from inventory.services.base import (
    Kind,
    announce_available,
    lock_level,
    lock_levels_by_pk,
    lock_levels_for,
    record_movement,
)
from oms.db import update_counts
from oms.errors import Conflict
from oms.services import service, whole_number


@dataclass(frozen=True)
class Allocation:
    """A quantity of one product promised from one bin."""

    stock_level_id: int
    product_id: int
    location_id: int
    quantity: int


def _walking_order(level: StockLevel):
    location = level.location
    return (
        location.warehouse.priority,
        location.warehouse_id,
        location.pick_sequence,
        location.code,
    )


@service
def stock_allocate_many(
    *,
    requests: Sequence[tuple[Product, int]],
    warehouse: Warehouse | None = None,
    exclude_location_ids: Sequence[int] = (),
) -> dict[int, list[Allocation]]:
    """Promise stock to several products at once; return what each could get, bin by bin.

    All stock rows involved are locked in one query in primary-key order, then
    each product takes from its bins in walking order (warehouse priority,
    pick sequence), leaving out ``exclude_location_ids``. A product gets less
    than asked when stock is short; the caller backorders the rest.
    """
    wanted: dict[int, int] = {}
    for product, quantity in requests:
        wanted[product.pk] = wanted.get(product.pk, 0) + whole_number(quantity, field="quantity")
    filters: dict = {
        "product_id__in": list(wanted),
        "location__is_active": True,
        "location__is_returns_bin": False,
        "location__warehouse__is_active": True,
    }
    if warehouse is not None:
        filters["location__warehouse"] = warehouse
    by_product: dict[int, list[StockLevel]] = {pk: [] for pk in wanted}
    excluded = set(exclude_location_ids)
    for level in lock_levels_by_pk(filters):
        if level.location_id not in excluded:
            by_product[level.product_id].append(level)

    result: dict[int, list[Allocation]] = {}
    changed: list[StockLevel] = []
    now = timezone.now()
    for product_id, quantity in wanted.items():
        remaining = quantity
        taken: list[Allocation] = []
        for level in sorted(by_product[product_id], key=_walking_order):
            if remaining == 0:
                break
            share = min(level.available, remaining)
            if share <= 0:
                continue
            level.allocated += share
            level.updated_at = now
            changed.append(level)
            remaining -= share
            taken.append(Allocation(level.pk, product_id, level.location_id, share))
        result[product_id] = taken
    if changed:
        # One statement for every bin: the rows are locked above, and the CHECK
        # constraint (allocated <= on_hand) still refuses an oversell.
        try:
            update_counts(StockLevel, changed, ["allocated"], touch="updated_at", now=now)
        except IntegrityError as error:
            raise Conflict("Stock changed while allocating; try again.", code="retry") from error
    return result


def stock_allocate(
    *,
    product: Product,
    quantity,
    warehouse: Warehouse | None = None,
    exclude_location_ids: Sequence[int] = (),
) -> list[Allocation]:
    """Promise up to ``quantity`` of one product; return the bins and quantities taken."""
    return stock_allocate_many(
        requests=[(product, quantity)],
        warehouse=warehouse,
        exclude_location_ids=exclude_location_ids,
    )[product.pk]


def allocated_total(allocations: Iterable[Allocation]) -> int:
    """Add up the quantities of a list of allocations."""
    return sum(a.quantity for a in allocations)


@service
def stock_release(*, product: Product, location: Location, quantity) -> StockLevel:
    """Give back stock promised to an order (cancelled line, shipment cancelled)."""
    return stock_release_many(releases=[(product, location, quantity)])[0]


@service
def stock_release_many(*, releases: Sequence[tuple[Product, Location, int]]) -> list[StockLevel]:
    """Give back stock promised to orders in several bins at once; return the rows changed.

    Every row is locked first, in one statement (``oms.locks``). A release of
    more than is allocated in a bin is refused and nothing changes.
    """
    wanted: dict[tuple[int, int], int] = {}
    names: dict[tuple[int, int], tuple[Product, Location]] = {}
    for product, location, quantity in releases:
        key = (product.pk, location.pk)
        wanted[key] = wanted.get(key, 0) + whole_number(quantity, field="quantity")
        names[key] = (product, location)
    if not wanted:
        return []
    levels = lock_levels_for(wanted)
    changed = []
    for key, quantity in sorted(wanted.items()):
        level = levels[key]
        if level.allocated < quantity:
            product, location = names[key]
            raise Conflict(
                f"Cannot release {quantity} of {product.sku} in {location}: only "
                f"{level.allocated} are allocated there.",
                code="over_release",
            )
        level.allocated -= quantity
        changed.append(level)
    now = timezone.now()
    for level in changed:
        level.updated_at = now
    update_counts(StockLevel, changed, ["allocated"], touch="updated_at", now=now)
    announce_available(product_ids=[product_id for product_id, _ in wanted])
    return changed


@service
def stock_consume(
    *,
    product: Product,
    location: Location,
    quantity,
    user=None,
    reference: str = "",
    kind: str = Kind.SHIPMENT,
) -> StockMovement:
    """Take promised stock out of a bin for good (it was picked and shipped)."""
    quantity = whole_number(quantity, field="quantity")
    level = lock_level(product=product, location=location)
    if level.allocated < quantity:
        raise Conflict(
            f"Cannot ship {quantity} of {product.sku} from {location}: only "
            f"{level.allocated} are allocated there.",
            code="not_allocated",
        )
    level.allocated -= quantity
    level.on_hand -= quantity
    level.save(update_fields=["allocated", "on_hand", "updated_at"])
    return record_movement(
        level=level, kind=kind, quantity=-quantity, user=user, reference=reference
    )


@service
def stock_short_pick(
    *,
    product: Product,
    location: Location,
    quantity,
    user=None,
    reference: str = "",
    reason: str = "",
) -> StockMovement:
    """Write off promised units that a picker found missing in a bin, and ask for a count there.

    The units were promised to the order being picked, so allocated and
    on_hand fall together: what else the bin promises stays promised (on_hand
    never falls below allocated), and the missing units are never promised
    again. The ledger gets a short-pick movement with the reason; the bin
    stays on the list of bins to count until the product is counted there.
    """
    quantity = whole_number(quantity, field="quantity")
    level = lock_level(product=product, location=location)
    if level.allocated < quantity:
        raise Conflict(
            f"Cannot book {quantity} of {product.sku} missing in {location}: only "
            f"{level.allocated} are promised there.",
            code="not_allocated",
        )
    level.allocated -= quantity
    level.on_hand -= quantity
    level.count_requested_at = level.count_requested_at or timezone.now()
    level.save(update_fields=["allocated", "on_hand", "count_requested_at", "updated_at"])
    return record_movement(
        level=level,
        kind=Kind.SHORT_PICK,
        quantity=-quantity,
        user=user,
        reference=reference,
        reason=reason or f"Short pick: {quantity} missing; count bin {location.code}",
    )


def stock_lock_products(*, product_ids: Sequence[int]) -> None:
    """Lock every stock row of these products in one statement, in primary-key order."""
    lock_levels_by_pk({"product_id__in": list(product_ids)})
