"""Purchase orders: buying stock from suppliers, receiving it, and drop-ship orders.

A purchase order moves ``draft -> sent -> partially_received -> received``,
or is cancelled while it is a draft or sent. Receiving books the goods
through ``stock_receive`` (one ledger row per line received, reference = the
PO number), so a receipt announces the new stock like any other and waiting
backorders are served.

Over-receipt is refused: a line takes at most what is still open on it. When
a supplier sends more than was ordered, purchasing raises a new purchase
order for the extra units (or the surplus is refused at the door), so the
PO never claims more than was agreed with the supplier.

Drop-ship purchase orders have no warehouse: the supplier ships straight to
the customer. They are raised by an order confirmation (already sent) and
closed when the supplier's shipment is recorded; no stock moves.

Locks follow the one order of ``oms.locks``: stock rows, then suppliers, then
purchase orders. Receiving locks the stock rows of its bins before the
purchase order; automatic requests for backordered products (which hold
their stock rows already) lock the suppliers' rows in primary-key order
first, so two backorders at the same moment never raise two draft orders to
one supplier, and never wait on each other in a circle.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db.models import F
from django.utils import timezone
from django_fsm import can_proceed, has_transition_perm

from inventory.models import (
    Location,
    Product,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderReceipt,
    StockLevel,
    StockMovement,
    Supplier,
    Warehouse,
)
from inventory.services.base import lock_levels_for
from inventory.services.stock import stock_receipt_undo, stock_receive
from oms.errors import Conflict, InvalidInput, NotAllowed, NotFound, TransitionRefused
from oms.locks import lock_rows
from oms.services import require_perm, service, whole_number

Status = PurchaseOrder.Status

_TRANSITION_WORDS = {
    "send": "sent to the supplier",
    "cancel": "cancelled",
    "mark_received": "received",
    "mark_partially_received": "received",
}


@dataclass(frozen=True)
class PurchaseRequest:
    """What ``purchase_order_request`` did for one backordered product."""

    product: Product
    shortfall: int
    covered: int  # units still to arrive on open purchase orders before this request
    quantity: int = 0  # units added to a draft purchase order (0 when already covered)
    purchase_order: PurchaseOrder | None = None  # the draft created or topped up
    created: bool = False
    numbers: list[str] = field(default_factory=list)  # open POs now covering the product


# --- helpers ----------------------------------------------------------------------------------


def lock_purchase_order(purchase_order_id: int) -> PurchaseOrder:
    """Return the purchase order row locked for this transaction, or refuse with NotFound."""
    rows = lock_rows(
        PurchaseOrder.objects.select_related("supplier", "warehouse"), [purchase_order_id]
    )
    if not rows:
        raise NotFound("That purchase order does not exist.", code="unknown_purchase_order")
    return rows[0]


def _status_label(po: PurchaseOrder) -> str:
    return po.get_status_display().lower()


def _run(po: PurchaseOrder, name: str, *, user, check_perm: bool = True) -> None:
    method = getattr(po, name)
    if not can_proceed(method):
        raise TransitionRefused(
            f"{po} is {_status_label(po)}: it cannot be {_TRANSITION_WORDS.get(name, name)} now.",
            code="illegal_transition",
        )
    if check_perm and user is not None and not has_transition_perm(method, user):
        raise NotAllowed("Your role does not allow you to do this to purchase orders.")
    method()


def _save(po: PurchaseOrder) -> None:
    po.version += 1
    po.save()


def _assign_number(po: PurchaseOrder) -> None:
    po.number = f"PO-{po.pk:06d}"
    PurchaseOrder.objects.filter(pk=po.pk).update(number=po.number)


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


def _create(
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
    return _create(
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
    _run(po, "send", user=user)
    _check_supplier(po.supplier)
    _save(po)
    return po


@service
def purchase_order_cancel(*, purchase_order_id: int, user=None, reason: str = "") -> PurchaseOrder:
    """Cancel a purchase order that is still a draft or sent (nothing received yet).

    ``user=None`` is the system itself (an order cancelled with its drop-ship order).
    """
    require_perm(user, "inventory.change_purchaseorder", "Only managers cancel purchase orders.")
    po = lock_purchase_order(purchase_order_id)
    _run(po, "cancel", user=user)
    reason = (reason or "").strip()
    if reason:
        po.notes = f"{po.notes}\nCancelled: {reason}".strip()
    _save(po)
    return po


# --- receiving --------------------------------------------------------------------------------


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
        raise TransitionRefused(f"{po} is {_status_label(po)}.{hint}", code="illegal_transition")


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
    _run(
        po, "mark_received" if complete else "mark_partially_received", user=user, check_perm=False
    )
    _save(po)
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
        _run(po, "mark_partially_received", user=user, check_perm=False)
    _save(po)
    return reversal


# --- automatic requests for backorders ---------------------------------------------------------


def _preferred_warehouse(product: Product) -> Warehouse | None:
    """Return where a product is normally stocked: the first open warehouse holding its bins.

    Without any stock row, the first open warehouse by priority.
    """
    level = (
        StockLevel.objects.filter(
            product=product, location__is_active=True, location__warehouse__is_active=True
        )
        .select_related("location__warehouse")
        .order_by("location__warehouse__priority", "location__warehouse__code")
        .first()
    )
    if level is not None:
        return level.location.warehouse
    return Warehouse.objects.filter(is_active=True).order_by("priority", "code").first()


def purchase_order_lock_suppliers(*, product_ids: Sequence[int]) -> None:
    """Lock the suppliers of these products, in primary-key order, for this transaction.

    Call it before reading the backorders a request will be based on: a second
    transaction then waits, and reads the first one's backorders and purchase
    orders once it may go on.
    """
    supplier_ids = Product.objects.filter(pk__in=list(product_ids), supplier__isnull=False).values(
        "supplier_id"
    )
    lock_rows(Supplier.objects.filter(pk__in=supplier_ids))


def _open_cover(product: Product) -> tuple[int, list[str]]:
    rows = PurchaseOrderLine.objects.filter(
        product=product,
        purchase_order__status__in=PurchaseOrder.OPEN,
        purchase_order__is_drop_ship=False,
    ).values_list("purchase_order__number", "quantity_ordered", "quantity_received")
    covered = 0
    numbers: set[str] = set()
    for number, ordered, received in rows:
        if ordered > received:
            covered += ordered - received
            numbers.add(number)
    return covered, sorted(numbers)


@service
def purchase_order_request(*, product: Product, shortfall, user=None) -> PurchaseRequest | None:
    """Make sure open purchase orders cover a product's backordered quantity.

    ``shortfall`` is everything customers are waiting for (all orders). Units
    still to arrive on open stock purchase orders (draft, sent, partially
    received) count as cover; when they fall short, the difference plus the
    product's reorder point is added to the supplier's draft purchase order for
    the product's warehouse (topping up the product's line, or adding one), or
    a new draft is raised. Returns None when the product cannot be bought: no
    supplier, an inactive supplier, a drop-ship product, or no open warehouse.
    The supplier row is locked, so two requests at once raise one draft.
    """
    shortfall = whole_number(shortfall, field="shortfall", label="Shortfall", minimum=0)
    if product.is_drop_ship or not product.supplier_id:
        return None
    supplier = next(iter(lock_rows(Supplier.objects.all(), [product.supplier_id])), None)
    if supplier is None or not supplier.is_active:
        return None
    covered, numbers = _open_cover(product)
    if covered >= shortfall:
        return PurchaseRequest(
            product=product, shortfall=shortfall, covered=covered, numbers=numbers
        )
    warehouse = _preferred_warehouse(product)
    if warehouse is None:
        return None
    quantity = shortfall - covered + product.reorder_point
    po = (
        PurchaseOrder.objects.select_for_update(of=("self",))
        .filter(supplier=supplier, warehouse=warehouse, status=Status.DRAFT, is_drop_ship=False)
        .order_by("pk")
        .first()
    )
    created = po is None
    if created:
        po = _create(
            supplier=supplier,
            warehouse=warehouse,
            lines=[(product, quantity, Decimal("0.00"))],
            user=user,
            notes="Raised automatically for backordered customer orders.",
        )
    else:
        updated = PurchaseOrderLine.objects.filter(purchase_order=po, product=product).update(
            quantity_ordered=F("quantity_ordered") + quantity
        )
        if not updated:
            PurchaseOrderLine.objects.create(
                purchase_order=po, product=product, quantity_ordered=quantity
            )
        _save(po)
    return PurchaseRequest(
        product=product,
        shortfall=shortfall,
        covered=covered,
        quantity=quantity,
        purchase_order=po,
        created=created,
        numbers=sorted({*numbers, po.number}),
    )


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
    po = _create(
        supplier=supplier,
        warehouse=None,
        lines=merged,
        user=user,
        is_drop_ship=True,
        ship_to=ship_to.strip(),
        customer_reference=customer_reference,
    )
    _run(po, "send", user=user, check_perm=False)
    _save(po)
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
    _run(po, "mark_received", user=user, check_perm=False)
    PurchaseOrderLine.objects.filter(purchase_order=po).update(
        quantity_received=F("quantity_ordered")
    )
    po.carrier, po.tracking_number = carrier[:50], tracking_number[:100]
    _save(po)
    return po
