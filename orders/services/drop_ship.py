"""Drop-ship lines: a supplier ships its part of an order straight to the customer."""

from __future__ import annotations

from inventory import services as inventory_services
from oms.errors import Conflict, InvalidInput, TransitionRefused
from oms.services import require_perm
from orders.events import order_event
from orders.models import Order, OrderEvent, OrderLine
from orders.services.base import (
    Status,
    lock_order,
    order_service,
    status_label,
)
from orders.services.warehouse import after_shipping

# States from which a drop-ship supplier's shipment can be recorded.
DROP_SHIP_STATES = {
    Status.ALLOCATED,
    Status.BACKORDERED,
    Status.PROCESSING,
    Status.PARTIALLY_SHIPPED,
}


@order_service
def order_line_drop_shipped(
    *, order_id: int, purchase_order_id: int, carrier: str, tracking_number: str, user=None
) -> Order:
    """Record that a drop-ship supplier shipped its part of an order to the customer.

    The purchase order becomes received (no stock moves); the order's drop-ship
    lines for its products count as shipped; the timeline gets a SHIPMENT event
    with carrier and tracking. The order becomes shipped when nothing else is
    left to ship, partially shipped otherwise. Refused: no tracking number or
    carrier (400); an order on hold, cancelled or not yet confirmed, a purchase
    order raised for another order or already closed (409).
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
    order = lock_order(order_id)
    if order.status not in DROP_SHIP_STATES:
        raise TransitionRefused(
            f"Order {order} is {status_label(order.status)}: a shipment cannot be recorded "
            "on it now.",
            code="illegal_transition",
        )
    po = inventory_services.purchase_order_drop_shipped(
        purchase_order_id=purchase_order_id,
        carrier=carrier,
        tracking_number=tracking_number,
        user=user,
        customer_reference=order.number,
    )
    products = set(po.lines.values_list("product_id", flat=True))
    lines = list(order.lines.order_by("pk"))
    shipped = []
    for line in lines:
        if line.is_drop_ship and line.product_id in products:
            quantity = line.quantity - line.quantity_shipped - line.quantity_allocated
            if quantity > 0:
                line.quantity_shipped += quantity
                line.quantity_backordered = 0
                shipped.append((line, quantity))
    if not shipped:
        raise Conflict(f"Order {order} has nothing left to ship from {po}.", code="nothing_to_ship")
    OrderLine.objects.bulk_update(
        [line for line, _ in shipped], ["quantity_shipped", "quantity_backordered"]
    )
    items = ", ".join(f"{quantity} × {line.sku}" for line, quantity in shipped)
    order_event(
        order=order,
        type=OrderEvent.Type.SHIPMENT,
        user=user,
        note=f"Shipped by {po.supplier.name} ({po}) with {carrier}, tracking "
        f"{tracking_number}: {items}",
        data={
            "purchase_order": po.number,
            "purchase_order_id": po.pk,
            "carrier": carrier,
            "tracking_number": tracking_number,
            "drop_ship": True,
            "lines": [{"line_id": line.pk, "quantity": quantity} for line, quantity in shipped],
        },
    )
    after_shipping(order, user=user, note=f"Drop-ship {po} shipped")
    return order
