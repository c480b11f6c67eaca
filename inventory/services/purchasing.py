"""Purchase orders: buying stock from suppliers, and drop-ship orders.

A purchase order moves ``draft -> sent -> partially_received -> received``,
or is cancelled while it is a draft or sent. Receiving its goods is
``purchase_receipts``; the drafts raised for backorders are
``purchase_requests``.

Drop-ship purchase orders have no warehouse: the supplier ships straight to
the customer. They are raised by an order confirmation (already sent) and
closed when the supplier's shipment is recorded; no stock moves.

Locks follow the one order of ``oms.locks``: stock rows, then suppliers, then
purchase orders.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db.models import F

from inventory.models import Product, PurchaseOrder, PurchaseOrderLine, Supplier, Warehouse
from oms.errors import Conflict, InvalidInput, NotFound
from oms.fsm import run_transition
from oms.locks import lock_rows
from oms.numbers import assign_number
from oms.services import require_perm, service, whole_number

Status = PurchaseOrder.Status

_TRANSITION_WORDS = {
    "send": "sent to the supplier",
    "cancel": "cancelled",
    "mark_received": "received",
    "mark_partially_received": "received",
}


def lock_purchase_order(purchase_order_id: int) -> PurchaseOrder:
    """Return the purchase order row locked for this transaction, or refuse with NotFound."""
    rows = lock_rows(
        PurchaseOrder.objects.select_related("supplier", "warehouse"), [purchase_order_id]
    )
    if not rows:
        raise NotFound("That purchase order does not exist.", code="unknown_purchase_order")
    return rows[0]


def status_label(po: PurchaseOrder) -> str:
    """Return the purchase order's status in lower case, as messages print it."""
    return po.get_status_display().lower()


def transition(po: PurchaseOrder, name: str, *, user, check_perm: bool = True) -> None:
    """Run the purchase order's transition ``name``, or refuse it naming the state (409)."""
    run_transition(
        po,
        name,
        refusal=lambda: (
            f"{po} is {status_label(po)}: it cannot be {_TRANSITION_WORDS.get(name, name)} now."
        ),
        user=user,
        not_allowed="Your role does not allow you to do this to purchase orders."
        if check_perm
        else "",
    )


def save_purchase_order(po: PurchaseOrder) -> None:
    """Save a changed purchase order with its version raised."""
    po.version += 1
    po.save()


def _assign_number(po: PurchaseOrder) -> None:
    assign_number(po, "PO")


def _unit_cost(value, *, field: str) -> Decimal:
    if value is None or value == "":
        return Decimal("0.00")
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidInput("Unit cost must be an amount such as 4.50.", field=field) from None
    if not amount.is_finite() or amount < 0:
        raise InvalidInput("Unit cost must be an amount of 0 or more.", field=field)
    if amount.as_tuple().exponent < -2:
        raise InvalidInput("Unit cost can have at most two decimals.", field=field)
    return amount.quantize(Decimal("0.01"))


def _merge_lines(lines: Sequence[tuple], *, drop_ship: bool) -> list[tuple[Product, int, Decimal]]:
    """Check order lines (product, quantity[, unit cost]); one line per product, summed."""
    if not lines:
        raise InvalidInput(
            "A purchase order needs at least one line.", field="lines", code="empty_order"
        )
    errors: dict[str, list[str]] = {}
    merged: dict[int, list] = {}
    for index, item in enumerate(lines):
        product, quantity, *rest = item
        cost_value = rest[0] if rest else None
        try:
            qty = whole_number(quantity, field=f"lines[{index}].quantity")
            cost = _unit_cost(cost_value, field=f"lines[{index}].unit_cost")
        except InvalidInput as error:
            errors.update(error.errors)
            continue
        if not product.is_active:
            errors[f"lines[{index}].sku"] = [
                f"{product.sku} {product.name} is deactivated: it cannot be ordered."
            ]
            continue
        if product.is_drop_ship and not drop_ship:
            errors[f"lines[{index}].sku"] = [
                f"{product.sku} is a drop-ship product: it is ordered for each customer "
                "order, never for stock."
            ]
            continue
        if product.pk in merged:
            merged[product.pk][1] += qty
        else:
            merged[product.pk] = [product, qty, cost]
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], errors=errors, code="bad_lines")
    return [tuple(row) for row in merged.values()]


def _check_supplier(supplier: Supplier) -> None:
    if not supplier.is_active:
        raise Conflict(
            f"Supplier {supplier.code} is inactive: reactivate it before ordering from it.",
            field="supplier",
            code="inactive_supplier",
        )


def new_purchase_order(
    *,
    supplier: Supplier,
    warehouse: Warehouse | None,
    lines: list[tuple[Product, int, Decimal]],
    user,
    is_drop_ship: bool = False,
    ship_to: str = "",
    customer_reference: str = "",
    expected_on: date | None = None,
    notes: str = "",
) -> PurchaseOrder:
    """Write a purchase order, its number and its lines (checked by the caller)."""
    po = PurchaseOrder.objects.create(
        supplier=supplier,
        warehouse=warehouse,
        is_drop_ship=is_drop_ship,
        ship_to=ship_to,
        customer_reference=(customer_reference or "")[:100],
        expected_on=expected_on,
        notes=notes,
        created_by=user if getattr(user, "pk", None) else None,
    )
    _assign_number(po)
    PurchaseOrderLine.objects.bulk_create(
        [
            PurchaseOrderLine(
                purchase_order=po, product=product, quantity_ordered=qty, unit_cost=cost
            )
            for product, qty, cost in lines
        ]
    )
    return po


# --- ordering ---------------------------------------------------------------------------------


@service
def purchase_order_create(
    *,
    supplier: Supplier,
    warehouse: Warehouse,
    lines: Sequence[tuple],
    user=None,
    expected_on: date | None = None,
    notes: str = "",
) -> PurchaseOrder:
    """Create a draft purchase order for stock delivered to a warehouse.

    ``lines`` are ``(product, quantity)`` or ``(product, quantity, unit_cost)``;
    two lines of one product become one line with the quantities added.
    """
    require_perm(user, "inventory.add_purchaseorder", "Only managers create purchase orders.")
    _check_supplier(supplier)
    if warehouse is None:
        raise InvalidInput("Choose the warehouse the goods go to.", field="warehouse")
    if not warehouse.is_active:
        raise Conflict(
            f"Warehouse {warehouse.code} is closed: choose another warehouse.",
            field="warehouse",
            code="inactive_warehouse",
        )
    merged = _merge_lines(lines, drop_ship=False)
    return new_purchase_order(
        supplier=supplier,
        warehouse=warehouse,
        lines=merged,
        user=user,
        expected_on=expected_on,
        notes=notes,
    )


@service
def purchase_order_send(*, purchase_order_id: int, user=None) -> PurchaseOrder:
    """Send a draft purchase order to its supplier: from now on goods can be received."""
    require_perm(
        user, "inventory.send_purchaseorder", "Only managers send purchase orders to suppliers."
    )
    po = lock_purchase_order(purchase_order_id)
    transition(po, "send", user=user)
    _check_supplier(po.supplier)
    save_purchase_order(po)
    return po


@service
def purchase_order_cancel(*, purchase_order_id: int, user=None, reason: str = "") -> PurchaseOrder:
    """Cancel a purchase order that is still a draft or sent (nothing received yet).

    ``user=None`` is the system itself (an order cancelled with its drop-ship order).
    """
    require_perm(user, "inventory.change_purchaseorder", "Only managers cancel purchase orders.")
    po = lock_purchase_order(purchase_order_id)
    transition(po, "cancel", user=user)
    reason = (reason or "").strip()
    if reason:
        po.notes = f"{po.notes}\nCancelled: {reason}".strip()
    save_purchase_order(po)
    return po


# --- drop-ship --------------------------------------------------------------------------------


@service
def purchase_order_drop_ship(
    *,
    supplier: Supplier,
    lines: Sequence[tuple],
    ship_to: str,
    customer_reference: str,
    user=None,
) -> PurchaseOrder:
    """Order drop-ship products from their supplier for one customer order, already sent.

    Raised by the order's confirmation, which the order service authorises;
    the supplier ships straight to ``ship_to``.
    """
    _check_supplier(supplier)
    merged = _merge_lines(lines, drop_ship=True)
    not_drop_ship = [product.sku for product, _, _ in merged if not product.is_drop_ship]
    if not_drop_ship:
        raise InvalidInput(
            f"{', '.join(not_drop_ship)} is stocked, not drop-shipped.", field="lines"
        )
    if not (ship_to or "").strip():
        raise InvalidInput("A drop-ship order needs the customer's address.", field="ship_to")
    po = new_purchase_order(
        supplier=supplier,
        warehouse=None,
        lines=merged,
        user=user,
        is_drop_ship=True,
        ship_to=ship_to.strip(),
        customer_reference=customer_reference,
    )
    transition(po, "send", user=user, check_perm=False)
    save_purchase_order(po)
    return po


@service
def purchase_order_drop_shipped(
    *,
    purchase_order_id: int,
    carrier: str,
    tracking_number: str,
    user=None,
    customer_reference: str | None = None,
) -> PurchaseOrder:
    """Record that the supplier shipped a drop-ship order: it becomes received, no stock moves.

    Every line counts as received in full. ``customer_reference``, when given,
    must be the order the purchase order was raised for.
    """
    require_perm(
        user,
        "inventory.receive_purchaseorder",
        "Only warehouse staff and managers record supplier shipments.",
    )
    carrier, tracking_number = (carrier or "").strip(), (tracking_number or "").strip()
    if not tracking_number:
        raise InvalidInput("Enter the tracking number the supplier gave.", field="tracking_number")
    if not carrier:
        raise InvalidInput("Enter the carrier that took the parcel.", field="carrier")
    po = lock_purchase_order(purchase_order_id)
    if not po.is_drop_ship:
        raise Conflict(
            f"{po} is for stock: receive its goods into bins instead.", code="not_drop_ship"
        )
    if customer_reference is not None and po.customer_reference != customer_reference:
        raise Conflict(
            f"{po} was raised for {po.customer_reference or 'no order'}, not {customer_reference}.",
            code="wrong_order",
        )
    transition(po, "mark_received", user=user, check_perm=False)
    PurchaseOrderLine.objects.filter(purchase_order=po).update(
        quantity_received=F("quantity_ordered")
    )
    po.carrier, po.tracking_number = carrier[:50], tracking_number[:100]
    save_purchase_order(po)
    return po
