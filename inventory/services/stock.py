"""Booking stock in and out of bins: receipts, counts, adjustments and transfers."""

from __future__ import annotations

from inventory.models import Location, Product, StockLevel, StockMovement
from inventory.services.base import (
    Kind,
    announce_available,
    check_not_below_allocated,
    check_settable,
    check_stockable,
    lock_level,
    lock_levels_for,
    record_movement,
    set_on_hand,
)
from inventory.services.counts import stock_count
from oms.errors import Conflict, InvalidInput, NotAllowed
from oms.services import require_perm, service, whole_number


@service
def stock_receive(
    *,
    product: Product,
    location: Location,
    quantity,
    user=None,
    reference: str = "",
    reason: str = "",
) -> StockMovement:
    """Book goods into a bin: on_hand grows, and a receipt is written to the ledger."""
    require_perm(
        user, "inventory.receive_stock", "Only warehouse staff and managers receive stock."
    )
    quantity = whole_number(quantity, field="quantity")
    check_stockable(product=product, location=location)
    level = lock_level(product=product, location=location)
    level.on_hand += quantity
    level.save(update_fields=["on_hand", "updated_at"])
    announce_available(product_ids=[product.pk])
    return record_movement(
        level=level,
        kind=Kind.RECEIPT,
        quantity=quantity,
        user=user,
        reference=reference,
        reason=reason,
    )


@service
def stock_adjust(
    *,
    product: Product,
    location: Location,
    counted,
    user=None,
    reason: str = "",
    reference: str = "",
    is_count: bool = True,
) -> StockMovement | None:
    """Set a bin's on_hand to a quantity; the ledger records the difference.

    A count (``is_count``) goes through ``stock_count``: a large difference
    waits for a manager's approval and nothing is booked yet. An adjustment
    needs the adjust permission and a reason. A quantity below what is
    promised to orders is refused. Returns the movement, or None when nothing
    was booked.
    """
    if is_count:
        return stock_count(
            product=product,
            location=location,
            counted=counted,
            user=user,
            reference=reference,
            reason=reason,
        ).movement
    require_perm(user, "inventory.adjust_stock", "Only managers adjust stock.")
    if not (reason or "").strip():
        raise InvalidInput("Give a reason for the adjustment.", field="reason")
    counted = whole_number(counted, field="counted", label="Counted quantity", minimum=0)
    check_settable(product=product, location=location, counted=counted)
    level = lock_level(product=product, location=location)
    check_not_below_allocated(level=level, counted=counted)
    return set_on_hand(
        level=level,
        counted=counted,
        kind=Kind.ADJUSTMENT,
        user=user,
        reference=reference,
        reason=reason,
    )


@service
def stock_transfer(
    *,
    product: Product,
    from_location: Location,
    to_location: Location,
    quantity,
    user=None,
    reference: str = "",
) -> tuple[StockMovement, StockMovement]:
    """Move free stock from one bin to another: two ledger rows, out and in."""
    require_perm(user, "inventory.transfer_stock", "Only warehouse staff and managers move stock.")
    quantity = whole_number(quantity, field="quantity")
    if from_location.pk == to_location.pk:
        raise InvalidInput(
            "The stock is already in that bin; choose a different bin.",
            field="to_location",
            code="same_location",
        )
    check_stockable(product=product, location=to_location)
    if from_location.is_returns_bin:
        raise Conflict(
            f"{from_location} is the returns bin: returned goods leave it only when they are "
            "inspected (restock, scrap).",
            field="from_location",
            code="returns_bin",
        )
    source_exists = StockLevel.objects.filter(product=product, location=from_location).exists()
    if not source_exists:
        raise Conflict(
            f"There is no {product.sku} in {from_location}.",
            field="from_location",
            code="insufficient_stock",
        )
    locked = lock_levels_for([(product, from_location), (product, to_location)])
    source = locked[(product.pk, from_location.pk)]
    target = locked[(product.pk, to_location.pk)]
    if source.available < quantity:
        raise Conflict(
            f"Only {source.available} of {product.sku} can be moved from {from_location} "
            f"({source.on_hand} on hand, {source.allocated} promised to orders).",
            field="quantity",
            code="insufficient_stock",
        )
    source.on_hand -= quantity
    target.on_hand += quantity
    source.save(update_fields=["on_hand", "updated_at"])
    target.save(update_fields=["on_hand", "updated_at"])
    reference = reference or f"{from_location} -> {to_location}"
    out = record_movement(
        level=source, kind=Kind.TRANSFER_OUT, quantity=-quantity, user=user, reference=reference
    )
    into = record_movement(
        level=target, kind=Kind.TRANSFER_IN, quantity=quantity, user=user, reference=reference
    )
    return out, into


def receipt_undo_reason(movement_id: int) -> str:
    """Return the ledger reason that marks the reversal of one receipt."""
    return f"Undo of receipt #{movement_id}"


@service
def stock_receipt_undo(*, movement: StockMovement, user=None) -> StockMovement:
    """Take back a receipt booked by mistake with a reversing adjustment.

    Refused when the receipt was already undone, or when the goods are no
    longer free in the bin (promised to orders, moved or shipped). The
    reversal is logged with reference ``UNDO <original reference>``.
    """
    require_perm(
        user, "inventory.receive_stock", "Only warehouse staff and managers receive stock."
    )
    if movement.kind != Kind.RECEIPT:
        raise Conflict("Only a receipt can be undone here.", code="not_a_receipt")
    if (
        user is not None
        and movement.user_id != getattr(user, "pk", None)
        and not user.has_perm("inventory.adjust_stock")
    ):
        raise NotAllowed("You can only undo your own receipts.")
    product, location = movement.product, movement.location
    level = lock_level(product=product, location=location)
    reason = receipt_undo_reason(movement.pk)
    if StockMovement.objects.filter(kind=Kind.ADJUSTMENT, reason=reason).exists():
        raise Conflict(
            f"The receipt of {product.name} ({movement.quantity}) into {location.code} "
            "was already undone.",
            code="already_undone",
        )
    if level.available < movement.quantity:
        raise Conflict(
            f"Cannot undo the receipt of {product.name} ({movement.quantity}): only "
            f"{max(level.available, 0)} still free in {location.code} "
            f"({level.on_hand} on hand, {level.allocated} promised to orders).",
            field="quantity",
            code="insufficient_stock",
        )
    level.on_hand -= movement.quantity
    level.save(update_fields=["on_hand", "updated_at"])
    return record_movement(
        level=level,
        kind=Kind.ADJUSTMENT,
        quantity=-movement.quantity,
        user=user,
        reference=f"UNDO {movement.reference}".strip(),
        reason=reason,
    )
