"""Opening a return and deciding on it: create (desk, API), request (customer), authorize ...

Quantities asked for are at most what shipped minus what every return not
void already holds of that order line, counted with the order row locked,
so two returns racing for the last unit cannot both have it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from inventory.models import Warehouse
from oms import numbers
from oms.errors import Conflict, InvalidInput, NotAllowed, NotFound
from oms.services import require_perm, service, whole_number
from orders import services as order_services
from orders.models import Order, OrderLine
from returns import selectors
from returns.models import Return, ReturnLine, ReturnReason
from returns.notifications import queue_return_email
from returns.services.base import (
    Status,
    lock_return,
    record,
    run_transition,
    save_transition,
    text,
)

TIMES = "\u00d7"
MAX_RETURN_LINES = 500
NOTE_LENGTH = 500


@dataclass(frozen=True)
class RequestedLine:
    order_line: OrderLine
    quantity: int
    reason: ReturnReason
    note: str


def _resolve_lines(order: Order, lines, *, field: str = "lines") -> list[RequestedLine]:
    """Check the lines of a request (order line id or SKU, quantity, reason, note)."""
    if not isinstance(lines, list | tuple) or not lines:
        raise InvalidInput("Choose at least one item to return.", field=field)
    if len(lines) > MAX_RETURN_LINES:
        raise InvalidInput(f"A return has at most {MAX_RETURN_LINES} lines.", field=field)
    order_lines = list(order.lines.all())
    by_id = {line.pk: line for line in order_lines}
    by_sku: dict[str, list[OrderLine]] = {}
    for line in order_lines:
        by_sku.setdefault(line.sku.upper(), []).append(line)
    reasons = {reason.code: reason for reason in ReturnReason.objects.filter(is_active=True)}
    resolved: list[RequestedLine] = []
    seen: set[int] = set()
    for index, raw in enumerate(lines):
        where = f"{field}[{index}]"
        if not isinstance(raw, dict):
            raise InvalidInput("Each line names an item, a quantity and a reason.", field=where)
        line = None
        if raw.get("order_line") not in (None, ""):
            try:
                line = by_id.get(int(raw["order_line"]))
            except (TypeError, ValueError):
                line = None
            if line is None:
                raise InvalidInput(
                    f"That line is not on order {order}.", field=f"{where}.order_line"
                )
        else:
            sku = str(raw.get("sku") or "").strip().upper()[:64]
            matches = [m for m in by_sku.get(sku, []) if m.quantity_shipped > 0] or by_sku.get(
                sku, []
            )
            if not sku or not matches:
                raise InvalidInput(
                    f"{sku or 'That item'} is not on order {order}.", field=f"{where}.sku"
                )
            line = matches[0]
        if line.pk in seen:
            raise InvalidInput(f"{line.sku} is named twice: give it once.", field=where)
        seen.add(line.pk)
        quantity = whole_number(raw.get("quantity"), field=f"{where}.quantity")
        code = str(raw.get("reason") or "").strip()
        reason = reasons.get(code)
        if reason is None:
            raise InvalidInput(
                f"Choose a reason for {line.sku}: one of {', '.join(reasons)}.",
                field=f"{where}.reason",
            )
        note = text(raw.get("note"), field=f"{where}.note", label="a note", limit=NOTE_LENGTH)
        if reason.needs_note and not note:
            raise InvalidInput(
                f"Say what is wrong with {line.sku}: the reason {reason.name!r} needs a note.",
                field=f"{where}.note",
            )
        resolved.append(RequestedLine(line, quantity, reason, note))
    return resolved


def check_returnable(order: Order, lines: list[RequestedLine], *, exclude_return_id=None) -> None:
    """Refuse units beyond what shipped minus what other returns hold (the order is locked)."""
    if not any(line.quantity_shipped for line in order.lines.all()):
        raise Conflict(
            f"Nothing of order {order} has shipped yet: there is nothing to return. "
            "Cancel the order or its lines instead.",
            code="not_shipped",
        )
    claimed = selectors.claimed_units(
        [item.order_line.pk for item in lines], exclude_return_id=exclude_return_id
    )
    for item in lines:
        line = item.order_line
        left = line.quantity_shipped - claimed.get(line.pk, 0)
        if item.quantity > left:
            held = claimed.get(line.pk, 0)
            raise Conflict(
                f"Only {max(left, 0)} {TIMES} {line.sku} can be returned: "
                f"{line.quantity_shipped} shipped"
                + (f", {held} already on other returns" if held else "")
                + ".",
                field="quantity",
                code="more_than_shipped",
            )


def _warehouse_for(order: Order, lines: list[RequestedLine]) -> Warehouse:
    by_line = selectors.line_warehouses(item.order_line.pk for item in lines)
    for item in lines:
        if item.order_line.pk in by_line:
            return Warehouse.objects.get(pk=by_line[item.order_line.pk])
    warehouse = Warehouse.objects.filter(is_active=True).order_by("priority", "code").first()
    if warehouse is None:
        raise Conflict("There is no open warehouse to take the goods back.", code="no_warehouse")
    return warehouse


def _create(*, order: Order, lines, user, source: str, notes: str) -> Return:
    resolved = _resolve_lines(order, lines)
    check_returnable(order, resolved)
    rma = Return.objects.create(
        order=order,
        customer=order.customer,
        warehouse=_warehouse_for(order, resolved),
        source=source,
        window_ends_on=selectors.return_window_end(order),
        notes=notes,
        created_by=user if getattr(user, "pk", None) else None,
    )
    numbers.assign_number(rma, "RMA")
    ReturnLine.objects.bulk_create(
        [
            ReturnLine(
                rma=rma,
                order_line=item.order_line,
                product_id=item.order_line.product_id,
                quantity_requested=item.quantity,
                reason=item.reason,
                note=item.note,
            )
            for item in resolved
        ]
    )
    summary = ", ".join(
        f"{i.quantity} {TIMES} {i.order_line.sku} ({i.reason.code})" for i in resolved
    )
    rma.order = order
    record(
        rma,
        user=user,
        note=f"{rma} requested ({Return.Source(source).label}): {summary}",
        data={"lines": [[i.order_line.pk, i.quantity] for i in resolved]},
    )
    return rma


@service
def return_create(
    *, order_id, lines, user=None, notes: str = "", source: str = Return.Source.DESK
) -> Return:
    """Open a return (RMA) in *requested* for shipped units of an order, from the desk or the API.

    ``lines``: dicts with ``order_line`` (id) or ``sku``, ``quantity``,
    ``reason`` (a reason code) and ``note`` (needed by some reasons).
    Refused: an order that shipped nothing, units beyond what shipped minus
    what other returns hold, an unknown reason, a missing note.
    """
    require_perm(user, "returns.add_return", "Only sales reps and managers open returns.")
    if source not in (Return.Source.DESK, Return.Source.API):
        raise InvalidInput("Unknown source of a return.", field="source")
    notes = text(notes, field="notes", label="notes")
    order = order_services.lock_order(_order_pk(order_id))
    return _create(order=order, lines=lines, user=user, source=source, notes=notes)


@service
def return_request(*, order_id, lines, today: datetime.date | None = None) -> Return:
    """Open a return a customer asks for on their order's status page, for a rep to authorize.

    Only delivered items, within the return window, and one open request
    per order line (a line already on a request waiting for the desk is
    refused, so a double click asks once).
    """
    order = order_services.lock_order(_order_pk(order_id))
    if order.status not in (Order.Status.DELIVERED, Order.Status.COMPLETED):
        raise Conflict(
            "Items can be sent back once they have been delivered.", code="not_delivered"
        )
    today = today or timezone.localdate()
    ends = selectors.return_window_end(order)
    if ends is None or today > ends:
        raise Conflict(
            f"The {selectors.return_days()} days to send items back are over"
            + (f" (they ended on {ends:%d %b %Y})" if ends else "")
            + ". Please call us.",
            code="window_closed",
        )
    resolved = _resolve_lines(order, lines)
    waiting = set(
        ReturnLine.objects.filter(
            order_line_id__in=[item.order_line.pk for item in resolved],
            rma__status=Status.REQUESTED,
        ).values_list("order_line__sku", flat=True)
    )
    if waiting:
        raise Conflict(
            f"We already have your request for {', '.join(sorted(waiting))}: we will answer it soon.",
            code="already_requested",
        )
    return _create(order=order, lines=lines, user=None, source=Return.Source.CUSTOMER, notes="")


def _order_pk(order_id) -> int:
    from oms.services import id_or_none

    pk = id_or_none(order_id)
    if pk is None or not Order.objects.filter(pk=pk).exists():
        raise NotFound("That order does not exist.", field="order", code="unknown_order")
    return pk


@service
def return_authorize(
    *,
    return_id,
    user=None,
    quantities: dict | None = None,
    outside_window_reason: str = "",
    carrier: str = "",
    tracking_number: str = "",
    today: datetime.date | None = None,
) -> Return:
    """Authorize a requested return; the customer is emailed the return label and instructions.

    ``quantities`` ({return line id: units}) may authorize fewer than asked.
    After the window only a manager may authorize, with a reason; the
    window then runs again from today.
    """
    require_perm(
        user, "returns.authorize_return", "Only sales reps and managers authorize returns."
    )
    rma, order = lock_return(return_id)
    before = rma.status
    run_transition(rma, "authorize", what="Return")
    today = today or timezone.localdate()
    reason = text(outside_window_reason, field="outside_window_reason", label="a reason", limit=255)
    if rma.window_ends_on is None or today > rma.window_ends_on:
        if user is not None and not user.has_perm("returns.authorize_late_return"):
            ended = (
                f"ended on {rma.window_ends_on:%d %b %Y}" if rma.window_ends_on else "never opened"
            )
            raise NotAllowed(
                f"The return window of order {order} {ended}: only a manager may authorize "
                "this return now.",
                code="window_closed",
            )
        if not reason:
            raise InvalidInput(
                "The return window is over: say why it is authorized anyway.",
                field="outside_window_reason",
            )
        rma.outside_window_reason = reason
        rma.window_ends_on = today + datetime.timedelta(days=selectors.return_days())
    lines = list(rma.lines.select_related("order_line"))
    wanted = {}
    for key, value in (quantities or {}).items():
        try:
            wanted[int(key)] = value
        except (TypeError, ValueError):
            raise InvalidInput("Unknown return line.", field="quantities") from None
    if set(wanted) - {line.pk for line in lines}:
        raise InvalidInput(f"That line is not on {rma}.", field="quantities")
    for line in lines:
        units = whole_number(
            wanted.get(line.pk, line.quantity_requested),
            field=f"quantities.{line.pk}",
            minimum=0,
            maximum=line.quantity_requested,
        )
        line.quantity_authorized = units
    if not any(line.quantity_authorized for line in lines):
        raise InvalidInput("Authorize at least one unit, or reject the return.", field="quantities")
    ReturnLine.objects.bulk_update(lines, ["quantity_authorized"])
    rma.carrier = text(carrier, field="carrier", label="the carrier", limit=100)
    rma.tracking_number = text(
        tracking_number, field="tracking_number", label="tracking", limit=100
    )
    rma.authorized_by = user if getattr(user, "pk", None) else None
    rma.authorized_at = timezone.now()
    save_transition(rma, from_status=before, user=user, note=reason)
    queue_return_email("return_authorized", rma, user=user)
    return rma


def _close_request(return_id, *, user, name: str, reason: str) -> Return:
    require_perm(
        user, "returns.authorize_return", "Only sales reps and managers decide on returns."
    )
    rma, _ = lock_return(return_id)
    before = rma.status
    run_transition(rma, name, what="Return")
    reason = text(reason, field="reason", label="a reason", required=True, limit=255)
    save_transition(rma, from_status=before, user=user, note=reason)
    return rma


@service
def return_reject(*, return_id, reason: str, user=None) -> Return:
    """Refuse a requested return, with the reason."""
    return _close_request(return_id, user=user, name="reject", reason=reason)


@service
def return_cancel(*, return_id, reason: str, user=None) -> Return:
    """Cancel a return before anything arrived; its units may be returned again."""
    return _close_request(return_id, user=user, name="cancel", reason=reason)


@service
def returns_expire(*, today: datetime.date | None = None) -> list[str]:
    """Expire authorized returns whose window ended with nothing arrived (the daily command)."""
    today = today or timezone.localdate()
    due = list(
        Return.objects.filter(status=Status.AUTHORIZED, window_ends_on__lt=today)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    expired = []
    for pk in due:
        rma, _ = lock_return(pk)
        if rma.status != Status.AUTHORIZED or rma.window_ends_on >= today:
            continue
        run_transition(rma, "expire", what="Return")
        save_transition(
            rma, from_status=Status.AUTHORIZED, user=None, note="Nothing arrived within the window"
        )
        expired.append(rma.number)
    return expired


@service
def return_close(*, return_id, user=None, note: str = "") -> Return:
    """Close an inspected return whose refunds are settled (none waiting or approved)."""
    require_perm(user, "returns.authorize_return", "Only sales reps and managers close returns.")
    rma, _ = lock_return(return_id)
    close_if_settled(
        rma, user=user, note=text(note, field="note", label="a note", limit=255), strict=True
    )
    return rma


def _all_replaced(rma: Return) -> bool:
    from returns.models import Disposition

    kinds = set(
        Disposition.objects.filter(line__rma=rma, undone_at=None).values_list("kind", flat=True)
    )
    return kinds == {Disposition.Kind.REPLACE}


def close_if_settled(rma: Return, *, user, note: str = "", strict: bool = False) -> bool:
    """Close an inspected return once its refunds are settled; ``strict`` refuses otherwise.

    On its own (not ``strict``) a return closes when a refund of it was paid
    and none waits, or when every unit was replaced; the desk closes one that
    needs no refund.
    """
    from returns.models import Refund

    open_refunds = rma.refunds.filter(status__in=[Refund.Status.PENDING, Refund.Status.APPROVED])
    if rma.status != Status.INSPECTED or open_refunds.exists():
        if strict:
            if rma.status != Status.INSPECTED:
                raise Conflict(
                    f"Return {rma} is {rma.get_status_display().lower()}: it can be closed once "
                    "every unit received has been inspected.",
                    code="illegal_transition",
                )
            raise Conflict(
                f"Return {rma} has a refund waiting: approve and pay it, or reject it, first.",
                code="refund_open",
            )
        return False
    paid = rma.refunds.filter(status=Refund.Status.PAID).exists()
    if not strict and not paid and not _all_replaced(rma):
        return False  # a refund may still be asked for; the desk closes it otherwise
    run_transition(rma, "close", what="Return")
    rma.closed_at = timezone.now()
    save_transition(rma, from_status=Status.INSPECTED, user=user, note=note)
    return True
