"""What the customer's status page shows of an order, in the customer's words.

No internal state names ("allocated", "backordered", "wave"): where the order
is now as the customer would say it, each item with what has left and what is
waiting (with the day more stock is expected, when a purchase order is due),
a plain timeline, the town and postcode it goes to, and what the other apps
add (parcels with tracking, returns) through ``orders.hooks``. It never
reads the email, phone, street, payments or notes.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from inventory.incoming import expected_arrivals
from orders import hooks
from orders.models import Order, OrderEvent, OrderLine

Status = Order.Status

# (headline, one sentence) per order state.
WORDS = {
    Status.PLACED: ("Order received", "We have your order and are checking it."),
    Status.CONFIRMED: ("Order received", "Your order is confirmed."),
    Status.ALLOCATED: ("Being prepared", "Your items are set aside and will be packed soon."),
    Status.BACKORDERED: (
        "Waiting for stock",
        "Some items are not in stock yet; we send them as soon as they arrive.",
    ),
    Status.PROCESSING: ("Being packed", "Our warehouse is picking and packing your items."),
    Status.PARTIALLY_SHIPPED: (
        "Partly on its way",
        "Some of your items are on their way; the rest follow.",
    ),
    Status.SHIPPED: ("On its way", "Your order has left our warehouse."),
    Status.DELIVERED: ("Delivered", "Your order has been delivered."),
    Status.COMPLETED: ("Delivered", "Your order has been delivered."),
    Status.CANCELLED: ("Cancelled", "This order has been cancelled."),
    Status.ON_HOLD: ("Being prepared", "We are looking into your order and will be in touch."),
}
# The steps of the plain timeline, by the state that reaches them.
STEPS = {
    Status.PLACED: "Order received",
    Status.PROCESSING: "Being packed",
    Status.PARTIALLY_SHIPPED: "First items sent",
    Status.SHIPPED: "Sent",
    Status.DELIVERED: "Delivered",
    Status.CANCELLED: "Cancelled",
}


@dataclass(frozen=True)
class Item:
    name: str
    quantity: int
    shipped: int
    waiting: int
    returned: int
    expected: datetime.date | None


@dataclass(frozen=True)
class Step:
    label: str
    at: datetime.datetime


def customer_order(order_id: int) -> Order:
    """Read the order with its destination (two queries with the lines)."""
    return Order.objects.select_related("shipping_address").get(pk=order_id)


def customer_page(order: Order, *, token: str) -> dict:
    """Return the page's context: constant queries whatever the size of the order."""
    lines = list(OrderLine.objects.filter(order=order).order_by("position", "pk"))
    waiting_products = {
        line.product_id
        for line in lines
        if line.quantity - line.quantity_shipped > 0 and order.status != Status.CANCELLED
    }
    expected = expected_arrivals(waiting_products) if waiting_products else {}
    today = timezone.localdate()
    items = []
    for line in lines:
        waiting = 0 if order.status == Status.CANCELLED else line.quantity - line.quantity_shipped
        day = expected.get(line.product_id) if line.quantity_backordered else None
        items.append(
            Item(
                name=line.name,
                quantity=line.quantity,
                shipped=line.quantity_shipped,
                waiting=max(waiting, 0),
                returned=line.quantity_returned,
                expected=max(day, today) if day else None,
            )
        )
    events = OrderEvent.objects.filter(
        order=order, type=OrderEvent.Type.STATUS, to_status__in=list(STEPS)
    ).order_by("created_at", "pk")
    steps, seen = [], set()
    if order.placed_at:
        steps.append(Step(STEPS[Status.PLACED], order.placed_at))
        seen.add(Status.PLACED)
    for event in events.only("to_status", "created_at"):
        if event.to_status not in seen:
            seen.add(event.to_status)
            steps.append(Step(STEPS[event.to_status], event.created_at))
    headline, sentence = WORDS.get(order.status, ("Order received", ""))
    address = order.shipping_address
    return {
        "order": order,
        "number": order.number,
        "placed_on": timezone.localdate(order.placed_at) if order.placed_at else None,
        "headline": headline,
        "sentence": sentence,
        "status_key": order.status,
        "items": items,
        "steps": steps,
        "town": address.city if address else "",
        "postcode": address.postal_code if address else "",
        "sections": hooks.customer_sections(order=order, token=token),
    }
