"""Timeline rows for orders, written in the same transaction as the change they record."""

from __future__ import annotations

from orders.models import Order, OrderEvent


def order_event(
    *,
    order: Order,
    type: str,
    user=None,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    data: dict | None = None,
) -> OrderEvent:
    """Append one event to an order's timeline."""
    return OrderEvent.objects.create(
        order=order,
        type=type,
        user=user if getattr(user, "pk", None) else None,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data or {},
    )
