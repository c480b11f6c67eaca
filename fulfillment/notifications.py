"""The warehouse's email to the customer: the shipment notice, with carrier and tracking.

It is an email about the order (it goes on the order's timeline and through
the outbox like the order's own emails: ``orders.notifications``), written
from the order's shipments at its first attempt.
"""

from __future__ import annotations

from fulfillment import selectors
from oms.models import OutboundEmail
from oms.outbox import Rendered
from orders.notifications import (
    OrderEmail,
    order_email_context,
    order_for_email,
    queue_order_emails,
    register_order_email,
    rendered,
)

SHIPMENT_NOTICE = "shipment_notice"


def render_shipment_notice(email: OutboundEmail) -> Rendered:
    """Write the shipment notice: each shipment that left, its carrier, tracking and items."""
    order = order_for_email(email.about_id)
    context = order_email_context(order)
    context["shipments"] = [s for s in selectors.order_shipments(order) if s.shipped_at]
    return rendered(email, context)


def queue_shipment_notice(order, *, user=None) -> None:
    """Write the shipment notice to the outbox in the caller's transaction."""
    queue_order_emails([(SHIPMENT_NOTICE, order)], user=user)


def register_emails() -> None:
    """Tell the outbox how the warehouse's emails are written and recorded."""
    register_order_email(
        SHIPMENT_NOTICE,
        OrderEmail("Shipment notice", "Your order {number} is on its way"),
        render=render_shipment_notice,
    )
