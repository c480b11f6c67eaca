"""The follow-up after delivery: ask the customer for feedback, and complete the order."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from oms.errors import InvalidInput
from oms.locks import lock_rows
from orders.models import Order
from orders.notifications import queue_order_emails
from orders.services.base import Status, order_service, run_transition, save_transition


def follow_up_days() -> int:
    """Return the days after delivery before the follow-up (OMS_FOLLOW_UP_DAYS, 7)."""
    return int(getattr(settings, "OMS_FOLLOW_UP_DAYS", 7))


@order_service
def send_follow_ups(*, days: int | None = None, user=None, now=None) -> list[Order]:
    """Ask customers of orders delivered ``days`` ago or more for feedback, and complete them.

    Each order gets one follow-up email (written to the outbox with the change,
    sent after commit) and moves delivered to completed, so running this twice
    mails nobody twice. An order delivered before its delivery time was kept
    counts from its last change.
    """
    days = follow_up_days() if days is None else int(days)
    if days < 0:
        raise InvalidInput("The number of days cannot be negative.", field="days")
    cutoff = (now or timezone.now()) - timedelta(days=days)
    due = Order.objects.filter(status=Status.DELIVERED).filter(
        Q(delivered_at__lte=cutoff) | Q(delivered_at=None, updated_at__lte=cutoff)
    )
    completed = []
    for order in lock_rows(Order.objects.all(), list(due.values_list("pk", flat=True))):
        if order.status != Status.DELIVERED:
            continue
        run_transition(order, "complete", user=user, check_perm=False)
        save_transition(
            order,
            from_status=Status.DELIVERED,
            user=user,
            note=f"Follow-up sent {days} day(s) after delivery",
        )
        completed.append(order)
    queue_order_emails([("follow_up", order) for order in completed], user=user)
    return completed
