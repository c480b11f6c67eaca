"""Purchasing for orders: backorders raise or top up purchase orders; drop-ship lines are ordered.

What stock cannot serve is passed on to purchasing (inventory's purchase
order services): a backordered product gets a draft purchase order to its
supplier, a drop-ship line a purchase order the supplier ships straight to
the customer. Each order hears of it on its timeline.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Sum

from inventory import services as inventory_services
from inventory.models import Product, PurchaseOrder
from oms.errors import Conflict
from orders.events import add_events, order_event
from orders.models import Order, OrderEvent, OrderLine
from orders.services.base import Status


def backorder_totals(product_ids: Sequence[int]) -> dict[int, int]:
    """Return the units of each product backordered over every open order, in one query."""
    rows = (
        OrderLine.objects.filter(
            product_id__in=list(product_ids), quantity_backordered__gt=0, is_drop_ship=False
        )
        .exclude(order__status=Status.CANCELLED)
        .order_by()
        .values("product_id")
        .annotate(total=Sum("quantity_backordered"))
    )
    return {row["product_id"]: row["total"] for row in rows}


def _purchase_note(product: Product, request) -> tuple[str, dict]:
    data = {"product_id": product.pk, "sku": product.sku}
    if request is None:
        if product.supplier_id is None:
            return f"No purchase order for {product.sku}: it has no supplier.", {
                **data,
                "purchase_order": None,
                "reason": "no supplier",
            }
        return (
            f"No purchase order for {product.sku}: supplier {product.supplier.code} is "
            "inactive, or no warehouse is open.",
            {**data, "purchase_order": None, "reason": "supplier inactive or no warehouse"},
        )
    data.update(
        shortfall=request.shortfall,
        covered=request.covered,
        quantity=request.quantity,
        purchase_orders=request.numbers,
    )
    po = request.purchase_order
    if po is None:
        return (
            f"{product.sku} is already on order: {', '.join(request.numbers)} will bring "
            f"{request.covered} for the {request.shortfall} backordered.",
            {**data, "purchase_order": request.numbers[0] if request.numbers else None},
        )
    what = "raised" if request.created else "topped up"
    return (
        f"Draft {po.number} to {po.supplier.name} {what}: {request.quantity} × {product.sku} "
        f"({request.shortfall} backordered, {request.covered} already on order, reorder "
        f"point {product.reorder_point}).",
        {**data, "purchase_order": po.number, "purchase_order_id": po.pk},
    )


def request_purchases(
    *, backordered: Sequence[tuple[Order, int]], user, quiet: bool = False
) -> None:
    """Ask purchasing to cover backordered products, and note the answer on waiting orders.

    ``backordered`` pairs an order with a product it waits for. Each product's
    suppliers are locked first (by pk); then each product's TOTAL backorder over
    every open order is read in one query, so a concurrent confirmation's
    backorders are counted once it has committed. ``purchase_order_request``
    subtracts what open purchase orders will still bring and orders the rest
    plus the reorder point. Each order gets a PURCHASE event naming the purchase
    order, or saying there is no supplier; ``quiet`` writes only when a
    purchase order grew.
    """
    product_ids = sorted({product_id for _, product_id in backordered})
    if not product_ids:
        return
    inventory_services.purchase_order_lock_suppliers(product_ids=product_ids)
    totals = backorder_totals(product_ids)
    products = Product.objects.select_related("supplier").in_bulk(product_ids)
    waiting: dict[int, dict[int, Order]] = {}
    for order, product_id in backordered:
        waiting.setdefault(product_id, {})[order.pk] = order
    event_user = user if getattr(user, "pk", None) else None
    events: list[OrderEvent] = []
    for product_id in product_ids:
        product = products[product_id]
        request = inventory_services.purchase_order_request(
            product=product, shortfall=totals.get(product_id, 0), user=user
        )
        if quiet and (request is None or not request.quantity):
            continue
        note, data = _purchase_note(product, request)
        events.extend(
            OrderEvent(
                order=order, type=OrderEvent.Type.PURCHASE, user=event_user, note=note, data=data
            )
            for order in waiting[product_id].values()
        )
    if events:
        add_events(events)


def place_drop_ship_lines(*, order: Order, lines: Sequence[OrderLine], user) -> list[PurchaseOrder]:
    """Order an order's drop-ship lines from their suppliers: one sent PO per supplier.

    The purchase order ships to the order's address, with the order number as
    its customer reference. The lines stay neither allocated nor backordered:
    they wait for the supplier's shipment (``order_line_drop_shipped``). A
    drop-ship product without a supplier is refused (409) before anything is
    ordered.
    """
    pending = [line for line in lines if line.is_drop_ship and line.quantity_open > 0]
    if not pending:
        return []
    missing = [line.sku for line in pending if line.product.supplier_id is None]
    if missing:
        raise Conflict(
            f"{', '.join(missing)} is drop-shipped by its supplier, but has no supplier. "
            "Set the supplier on the product before confirming.",
            field="lines",
            code="no_supplier",
        )
    address = order.shipping_address
    ship_to = "\n".join(address.as_lines()) if address else ""
    by_supplier: dict[int, list[OrderLine]] = {}
    for line in pending:
        by_supplier.setdefault(line.product.supplier_id, []).append(line)
    event_user = user if getattr(user, "pk", None) else None
    placed, events = [], []
    for group in by_supplier.values():
        supplier = group[0].product.supplier
        po = inventory_services.purchase_order_drop_ship(
            supplier=supplier,
            lines=[(line.product, line.quantity_open) for line in group],
            ship_to=ship_to,
            customer_reference=order.number,
            user=user,
        )
        placed.append(po)
        items = ", ".join(f"{line.quantity_open} × {line.sku}" for line in group)
        events.append(
            OrderEvent(
                order=order,
                type=OrderEvent.Type.PURCHASE,
                user=event_user,
                note=f"Drop-ship {po.number} sent to {supplier.name}: {items}, shipped "
                "straight to the customer.",
                data={
                    "purchase_order": po.number,
                    "purchase_order_id": po.pk,
                    "drop_ship": True,
                    "line_ids": [line.pk for line in group],
                },
            )
        )
    add_events(events)
    return placed


def cancel_drop_ship_orders(*, order: Order, user) -> list[PurchaseOrder]:
    """Cancel the drop-ship purchase orders still open for a cancelled order."""
    open_ones = (
        PurchaseOrder.objects.filter(
            customer_reference=order.number,
            is_drop_ship=True,
            status__in=[PurchaseOrder.Status.DRAFT, PurchaseOrder.Status.SENT],
        )
        .select_related("supplier")
        .order_by("pk")
    )
    cancelled = []
    for po in open_ones:
        cancelled.append(
            inventory_services.purchase_order_cancel(
                purchase_order_id=po.pk, user=None, reason=f"Order {order.number} cancelled"
            )
        )
        order_event(
            order=order,
            type=OrderEvent.Type.PURCHASE,
            user=user,
            note=f"Drop-ship {po.number} to {po.supplier.name} cancelled with the order.",
            data={"purchase_order": po.number, "purchase_order_id": po.pk, "drop_ship": True},
        )
    return cancelled
