"""What the returns services share: locks, transitions, both timelines, input checks.

Lock order (``oms.locks``): the order first (``orders.services.lock_order``),
then its return, then its refunds, then stock rows (inside inventory's
services). A transition method changes fields only; the service around it
locks, checks, saves, writes the return's own timeline and the order's.
"""

from __future__ import annotations

from django.utils import timezone

from oms import fsm
from oms.errors import InvalidInput, NotFound
from oms.locks import lock_rows
from oms.services import MAX_TEXT, id_or_none
from orders import services as order_services
from returns.models import Refund, Return, ReturnEvent

Status = Return.Status

_WORDS = {
    "authorize": "authorized",
    "reject": "rejected",
    "cancel": "cancelled",
    "expire": "expired",
    "receive_part": "received",
    "receive_all": "received",
    "mark_inspected": "inspected",
    "close": "closed",
    "approve": "approved",
    "pay": "paid",
}


def status_label(value: str) -> str:
    return Status(value).label.lower() if value in Status.values else value


def lock_return(return_id) -> tuple[Return, object]:
    """Lock a return's order, then the return; return both, or refuse with NotFound."""
    pk = id_or_none(return_id)
    order_id = (
        Return.objects.filter(pk=pk).values_list("order_id", flat=True).first() if pk else None
    )
    if order_id is None:
        raise NotFound("That return does not exist.", code="unknown_return")
    order = order_services.lock_order(order_id)
    rma = lock_rows(Return.objects.select_related("warehouse", "customer"), [pk])[0]
    rma.order = order
    return rma, order


def lock_refund(refund_id) -> tuple[Refund, object]:
    """Lock a refund's order, then the refund."""
    pk = id_or_none(refund_id)
    order_id = (
        Refund.objects.filter(pk=pk).values_list("order_id", flat=True).first() if pk else None
    )
    if order_id is None:
        raise NotFound("That refund does not exist.", code="unknown_refund")
    order = order_services.lock_order(order_id)
    refund = lock_rows(Refund.objects.select_related("rma"), [pk])[0]
    refund.order = order
    return refund, order


def run_transition(obj, name: str, *, what: str) -> None:
    """Run a return's or refund's transition, refusing in plain words (409) from the wrong state."""
    fsm.run_transition(
        obj,
        name,
        refusal=lambda: (
            f"{what} {obj} is {obj.get_status_display().lower()}: it cannot be "
            f"{_WORDS.get(name, name)} now."
        ),
    )


def record(
    rma: Return,
    *,
    user,
    note: str,
    from_status: str = "",
    data: dict | None = None,
    to_order: bool = True,
) -> ReturnEvent:
    """Write one line on the return's timeline, and (``to_order``) on its order's."""
    event = ReturnEvent.objects.create(
        rma=rma,
        from_status=from_status,
        to_status=rma.status if from_status else "",
        note=note,
        data=data or {},
        user=user if getattr(user, "pk", None) else None,
    )
    if to_order:
        words = note
        if from_status and from_status != rma.status:
            words = f"{rma}: {status_label(from_status)} → {status_label(rma.status)}" + (
                f" ({note})" if note else ""
            )
        elif not note.startswith(str(rma)):
            words = f"{rma}: {note}"
        order_services.order_return_news(
            order=rma.order, note=words, data={"return_id": rma.pk, **(data or {})}, user=user
        )
    return event


def save_transition(rma: Return, *, from_status: str, user, note: str = "", data=None) -> None:
    """Save a return after a transition and write it on both timelines."""
    rma.version += 1
    rma.save()
    record(rma, user=user, note=note, from_status=from_status, data=data)


def text(value, *, field: str, label: str, required: bool = False, limit: int = MAX_TEXT) -> str:
    """Return free text trimmed, or refuse it when missing (``required``) or too long."""
    value = value.strip() if isinstance(value, str) else ""
    if required and not value:
        raise InvalidInput(f"Give {label}.", field=field)
    if len(value) > limit:
        raise InvalidInput(
            f"{label[0].upper()}{label[1:]} is at most {limit:,} characters.", field=field
        )
    return value


def now():
    return timezone.now()
