"""Receiving a purchase order's goods into bins, and taking a receipt back.

Receiving books the goods through ``stock_receive`` (one ledger row per line
received, reference = the PO number), so a receipt announces the new stock
like any other and waiting backorders are served.

Over-receipt is refused: a line takes at most what is still open on it. When
a supplier sends more than was ordered, purchasing raises a new purchase
order for the extra units (or the surplus is refused at the door), so the
PO never claims more than was agreed with the supplier.

Receiving locks the stock rows of its bins before the purchase order (the
one lock order of ``oms.locks``).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import F
from django.utils import timezone

from inventory.models import (
    Location,
    Product,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderReceipt,
    StockMovement,
)
from inventory.services.base import lock_levels_for
from inventory.services.purchasing import (
    lock_purchase_order,
    save_purchase_order,
    status_label,
    transition,
)
from inventory.services.stock import stock_receipt_undo, stock_receive
from oms.errors import Conflict, InvalidInput, TransitionRefused
from oms.services import require_perm, service, whole_number

Status = PurchaseOrder.Status


def _check_receivable(po: PurchaseOrder) -> None:
    if po.is_drop_ship:
        raise Conflict(
            f"{po} is a drop-ship order: the supplier ships it straight to the customer, "
            "so nothing is received here. Record the supplier's shipment instead.",
            code="drop_ship",
        )
    if po.status not in PurchaseOrder.RECEIVABLE:
        hint = (
            " Send it to the supplier first."
            if po.status == Status.DRAFT
            else " Nothing more can be received against it."
        )
        raise TransitionRefused(f"{po} is {status_label(po)}.{hint}", code="illegal_transition")


@service
def purchase_order_receive(
    *,
    purchase_order_id: int,
    lines: Sequence[tuple[Product, int, Location]],
    user=None,
    reason: str = "",
) -> list[StockMovement]:
    """Book goods that arrived for a purchase order into bins, all or nothing.

    ``lines`` are ``(product, quantity, bin)``; each becomes one stock receipt
    (reference = the PO number) and adds to the line's received quantity. The
    order becomes partially received, or received once every line is complete.
    Refused, with nothing written: a draft, cancelled, received or drop-ship
    order (409); a product not on the order (409); more than is still open on
    a line (409); a bin outside the order's warehouse (409); a bad quantity (400).
    """
    require_perm(
        user,
        "inventory.receive_purchaseorder",
        "Only warehouse staff and managers receive purchase orders.",
    )
    if not lines:
        raise InvalidInput("Name at least one product to receive.", field="lines")
    # Stock rows before the purchase order (oms.locks); a refusal rolls back any row made here.
    lock_levels_for([(product, location) for product, _, location in lines])
    po = lock_purchase_order(purchase_order_id)
    _check_receivable(po)
    by_product = {line.product_id: line for line in po.lines.select_related("product")}
    errors: dict[str, list[str]] = {}
    parsed: list[tuple] = []  # (PO line or None, quantity, bin, product, index)
    for index, (product, quantity, location) in enumerate(lines):
        try:
            qty = whole_number(quantity, field=f"lines[{index}].quantity")
        except InvalidInput as error:
            errors.update(error.errors)
            continue
        parsed.append((by_product.get(product.pk), qty, location, product, index))
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], errors=errors)

    conflicts: dict[str, list[str]] = {}
    for line, _, location, product, index in parsed:
        if line is None:
            conflicts[f"lines[{index}].sku"] = [f"Not on {po}: {product.sku} {product.name}."]
        elif location.warehouse_id != po.warehouse_id:
            conflicts[f"lines[{index}].location"] = [
                f"Bin {location.code} is in warehouse {location.warehouse.code}; {po} is "
                f"delivered to {po.warehouse.code}."
            ]
    if conflicts:
        first = next(iter(conflicts))
        raise Conflict(
            conflicts[first][0],
            errors=conflicts,
            code="not_on_purchase_order" if first.endswith(".sku") else "wrong_warehouse",
        )
    totals: dict[int, int] = {}
    for line, qty, *_ in parsed:
        totals[line.pk] = totals.get(line.pk, 0) + qty
    for line, _, _, product, index in parsed:
        if totals[line.pk] > line.quantity_open:
            raise Conflict(
                f"{po} expects only {line.quantity_open} more of {product.sku} {product.name} "
                f"({line.quantity_ordered} ordered, {line.quantity_received} received): "
                f"{totals[line.pk]} is too many. Receive {line.quantity_open} and ask "
                "purchasing to order the rest.",
                field=f"lines[{index}].quantity",
                code="over_receipt",
            )

    movements: list[StockMovement] = []
    receipts: list[PurchaseOrderReceipt] = []
    for line, qty, location, product, _ in parsed:
        movement = stock_receive(
            product=product,
            location=location,
            quantity=qty,
            user=user,
            reference=po.number,
            reason=reason,
        )
        movements.append(movement)
        receipts.append(PurchaseOrderReceipt(line=line, movement=movement, quantity=qty))
        line.quantity_received += qty
    PurchaseOrderReceipt.objects.bulk_create(receipts)
    PurchaseOrderLine.objects.bulk_update(list(by_product.values()), ["quantity_received"])
    complete = all(line.quantity_open == 0 for line in by_product.values())
    transition(
        po, "mark_received" if complete else "mark_partially_received", user=user, check_perm=False
    )
    save_purchase_order(po)
    return movements


@service
def purchase_order_receipt_undo(*, movement: StockMovement, user=None) -> StockMovement:
    """Take back a receipt booked by mistake; a receipt against a PO also lowers its received.

    A received order reopens as partially received. Refused as
    ``stock_receipt_undo`` refuses (already undone, goods no longer free).
    """
    receipt = PurchaseOrderReceipt.objects.filter(movement=movement).first()
    if receipt is None:
        return stock_receipt_undo(movement=movement, user=user)
    lock_levels_for([(movement.product_id, movement.location_id)])  # before the order
    po = lock_purchase_order(
        PurchaseOrderLine.objects.filter(pk=receipt.line_id)
        .values_list("purchase_order_id", flat=True)
        .get()
    )
    reversal = stock_receipt_undo(movement=movement, user=user)
    receipt = PurchaseOrderReceipt.objects.get(pk=receipt.pk)
    PurchaseOrderLine.objects.filter(pk=receipt.line_id).update(
        quantity_received=F("quantity_received") - receipt.quantity
    )
    receipt.undone_at = timezone.now()
    receipt.save(update_fields=["undone_at"])
    if po.status == Status.RECEIVED:
        transition(po, "mark_partially_received", user=user, check_perm=False)
    save_purchase_order(po)
    return reversal
