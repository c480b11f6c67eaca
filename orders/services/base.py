"""What the order services share: locking, running a transition, money, totals."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django_fsm import can_proceed, has_transition_perm

from oms.errors import Conflict, InvalidInput, NotAllowed, NotFound, TransitionRefused
from oms.locks import lock_rows
from oms.services import service
from orders.events import collect_events, order_event
from orders.models import Order, OrderEvent

Status = Order.Status


@dataclass(frozen=True)
class LineInput:
    sku: str
    quantity: int | str


def lock_order(order_id: int) -> Order:
    """Return the order row locked for this transaction, or refuse with NotFound.

    Orders are locked before shipments and stock (``oms.locks``).
    """
    rows = lock_rows(
        Order.objects.select_related("customer", "shipping_address", "billing_address"),
        [order_id],
    )
    if not rows:
        raise NotFound("That order does not exist.", code="unknown_order")
    return rows[0]


def status_label(value: str) -> str:
    return Status(value).label.lower() if value in Status.values else value


def run_transition(order: Order, name: str, *, user, check_perm: bool = True):
    """Run a django-fsm transition by name, refusing in plain words when it is not allowed."""
    method = getattr(order, name)
    if not can_proceed(method):
        raise TransitionRefused(
            f"Order {order} is {status_label(order.status)}: it cannot be "
            f"{_TRANSITION_WORDS.get(name, name)} now.",
            code="illegal_transition",
        )
    if check_perm and user is not None and not has_transition_perm(method, user):
        raise NotAllowed(f"Your role does not allow you to {name} orders.")
    return method()


_TRANSITION_WORDS = {
    "place": "placed",
    "confirm": "confirmed",
    "cancel": "cancelled",
    "hold": "put on hold",
    "release": "released from hold",
    "complete": "completed",
    "mark_delivered": "delivered",
}


def parse_money(value, *, field: str, label: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidInput(f"{label} must be an amount such as 19.80.", field=field) from None
    if not amount.is_finite():
        raise InvalidInput(f"{label} must be an amount such as 19.80.", field=field)
    if amount.as_tuple().exponent < -2:
        raise InvalidInput(f"{label} can have at most two decimals.", field=field)
    return amount.quantize(Decimal("0.01"))


def recalculate_totals(order: Order) -> None:
    subtotal = sum((line.unit_price * line.quantity for line in order.lines.all()), Decimal("0"))
    order.subtotal = subtotal.quantize(Decimal("0.01"))
    order.total = order.subtotal + order.shipping_price


def assign_number(order: Order) -> None:
    order.number = f"SO-{order.pk:06d}"
    Order.objects.filter(pk=order.pk).update(number=order.number)


class StaleEdit(Conflict):
    """Someone else changed the order since the editor loaded it."""

    default_code = "stale"


def save_transition(order: Order, *, from_status: str, user, note: str = "") -> None:
    """Save an order after a transition: bump its version and write the status event."""
    order.version += 1
    order.save()
    order_event(
        order=order,
        type=OrderEvent.Type.STATUS,
        user=user,
        from_status=from_status,
        to_status=order.status,
        note=note,
    )


def order_service(func: Callable) -> Callable:
    """Make an order service atomic (see oms.services.service) and write its events at once."""

    @service
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with collect_events():
            return func(*args, **kwargs)

    return wrapper


def remember_related(instance, name: str, objects: list) -> None:
    """Cache ``objects`` as ``instance.<name>.all()``, the way prefetch_related does."""
    queryset = getattr(instance, name).all()
    queryset._result_cache = list(objects)
    queryset._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[name] = queryset
