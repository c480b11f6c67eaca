"""Customer and staff emails about orders, sent after commit through Django's tasks API.

Services call ``queue_order_email(kind, order_id)`` inside their transaction; the
email is enqueued only once the transaction commits, so a rolled-back change
never mails anybody. Each sent email is written to the order's timeline.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django_tasks import task

from oms.roles import Role
from orders.events import order_event
from orders.models import Order, OrderEvent

logger = logging.getLogger(__name__)

EMAILS = {
    "order_confirmation": "Your order {number} is confirmed",
    "backorder_delay": "Part of your order {number} is delayed",
    "backorder_alert": "Backorder on {number}: stock needed",
    "order_cancelled": "Your order {number} has been cancelled",
    "shipment_notice": "Your order {number} is on its way",
    "follow_up": "How was your order {number}?",
}


def _recipients(kind: str, order: Order) -> list[str]:
    if kind == "backorder_alert":
        configured = getattr(settings, "OMS_WAREHOUSE_ALERT_EMAILS", [])
        if configured:
            return list(configured)
        managers = (
            get_user_model()
            .objects.filter(groups__name=Role.MANAGER, is_active=True)
            .exclude(email="")
        )
        return sorted(set(managers.values_list("email", flat=True)))
    return [order.customer.email] if order.customer.email else []


@task()
def send_order_email(kind: str, order_id: int) -> str:
    """Render and send one order email, then record it on the order's timeline."""
    order = (
        Order.objects.select_related("customer", "shipping_address")
        .prefetch_related("lines")
        .get(pk=order_id)
    )
    recipients = _recipients(kind, order)
    if not recipients:
        logger.info("No recipient for %s on %s", kind, order)
        return "no recipient"
    context = {
        "order": order,
        "lines": list(order.lines.all()),
        "backordered": [line for line in order.lines.all() if line.quantity_backordered],
        "company": settings.OMS_COMPANY_NAME,
    }
    subject = EMAILS[kind].format(number=order.number)
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"emails/{kind}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
    )
    message.attach_alternative(render_to_string(f"emails/{kind}.html", context), "text/html")
    message.send()
    order_event(
        order=order,
        type=OrderEvent.Type.EMAIL,
        note=f"{subject} — to {', '.join(recipients)}",
        data={"kind": kind, "to": recipients},
    )
    return "sent"


def queue_order_email(kind: str, order_id: int) -> None:
    """Enqueue an order email to go out once the current transaction commits."""
    if kind not in EMAILS:
        raise ValueError(f"Unknown order email {kind!r}")
    transaction.on_commit(lambda: send_order_email.enqueue(kind, order_id))
