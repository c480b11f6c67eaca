"""What the warehouse tells an order: picking started, units shipped, units missing, delivered.

Fulfillment owns shipments, waves and parcels; orders owns the lines, their
allocations (which bin each promised unit is in) and the order's state. The
warehouse's services call these, inside their own transaction, with the
order row they locked first (``oms.locks``: orders, then shipments, then
stock), and never write an order's rows themselves. Each service moves the
lines, their allocations and the stock together (stock through inventory's
services), writes the order's timeline and moves its state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone

from inventory import services as inventory_services
from inventory.models import Location
from oms.errors import Conflict, TransitionRefused
from orders.events import order_event
from orders.models import LineAllocation, Order, OrderEvent, OrderLine
from orders.services.base import (
    Status,
    order_service,
    run_transition,
    save_transition,
    set_totals,
    status_label,
)

TIMES = "\u00d7"


@dataclass(frozen=True)
class Units:
    """Units of one order line in one bin."""

    order_line_id: int
    location_id: int
    quantity: int


@dataclass(frozen=True)
class Shortfall:
    """What became of units found missing: re-promised from other bins, or backordered."""

    found: list[tuple[int, int]]  # (bin id, units) in walking order
    backordered: int


@order_service
def order_timeline_add(*, order: Order, note: str, data: dict | None = None, user=None) -> None:
    """Add the warehouse's news about an order (a shipment made, cancelled, delivered)."""
    order_event(order=order, type=OrderEvent.Type.SHIPMENT, user=user, note=note, data=data)


@order_service
def order_start_processing(*, order: Order, user=None, note: str = "") -> Order:
    """Move an allocated (or backordered) order to processing when its first pick starts."""
    if order.status in (Status.ALLOCATED, Status.BACKORDERED):
        before = order.status
        run_transition(order, "start_processing", user=user, check_perm=False)
        save_transition(order, from_status=before, user=user, note=note)
    return order


def _check_shippable(order: Order) -> None:
    if order.status in (Status.ON_HOLD, Status.CANCELLED):
        raise TransitionRefused(
            f"Order {order} is {status_label(order.status)}: do not ship it.",
            code="order_not_shippable",
        )


@order_service
def order_units_shipped(
    *,
    order: Order,
    units: Sequence[Units],
    reference: str,
    note: str,
    data: dict | None = None,
    status_note: str = "",
    user=None,
) -> Order:
    """Record that units of an order left their bins with a carrier.

    The stock is consumed bin by bin through the ledger (``reference``: the
    shipment's number), the allocations and the lines count the units as
    shipped, the timeline gets ``note``, and the order becomes shipped (or
    partially shipped; ``status_note`` says why on the timeline). Refused: an order on hold or cancelled, units that
    are not on this order or not allocated in that bin any more (409);
    nothing is written.
    """
    _check_shippable(order)
    wanted = [unit for unit in units if unit.quantity > 0]
    lines = OrderLine.objects.select_related("product").in_bulk(
        [unit.order_line_id for unit in wanted]
    )
    if any(lines.get(unit.order_line_id, None) is None for unit in wanted) or any(
        line.order_id != order.pk for line in lines.values()
    ):
        raise Conflict(f"These units are not on order {order}.", code="not_on_order")
    inventory_services.stock_lock_products(
        product_ids=sorted({line.product_id for line in lines.values()})
    )
    allocations = {
        (row.line_id, row.location_id): row
        for row in LineAllocation.objects.filter(line_id__in=list(lines))
    }
    bins = Location.objects.in_bulk({unit.location_id for unit in wanted})
    for unit in sorted(wanted, key=lambda u: (lines[u.order_line_id].product_id, u.location_id)):
        line = lines[unit.order_line_id]
        row = allocations.get((unit.order_line_id, unit.location_id))
        if row is None or row.quantity < unit.quantity:
            raise Conflict(
                f"Order {order} no longer has {unit.quantity} {TIMES} {line.sku} allocated in "
                f"{bins[unit.location_id].code}: the shipment is out of date. Cancel it and "
                "make a new one.",
                code="stale_shipment",
            )
        inventory_services.stock_consume(
            product=line.product,
            location=bins[unit.location_id],
            quantity=unit.quantity,
            user=user,
            reference=reference,
        )
        row.quantity -= unit.quantity
        row.save(update_fields=["quantity"])
        line.quantity_allocated -= unit.quantity
        line.quantity_shipped += unit.quantity
    for line in lines.values():
        line.save(update_fields=["quantity_allocated", "quantity_shipped"])
    order_event(order=order, type=OrderEvent.Type.SHIPMENT, user=user, note=note, data=data)
    after_shipping(order, user=user, note=status_note or f"{reference} shipped")
    return order


def after_shipping(order: Order, *, user, note: str) -> None:
    """Move the order to shipped or partially shipped after some of it left."""
    before = order.status
    if all(line.quantity_shipped >= line.quantity for line in order.lines.all()):
        run_transition(order, "mark_shipped", user=user, check_perm=False)
    elif order.status != Status.PARTIALLY_SHIPPED:
        run_transition(order, "mark_partially_shipped", user=user, check_perm=False)
    if order.status != before:
        save_transition(order, from_status=before, user=user, note=note)
        if order.status == Status.SHIPPED:
            from orders.services.invoices import invoice_issue

            invoice_issue(order=order)
    else:
        order.version += 1
        order.save(update_fields=["version", "updated_at"])


@order_service
def order_units_missing(
    *, order: Order, units: Units, reference: str, note: str, user=None
) -> Shortfall:
    """Record that promised units of a line are missing from their bin, and serve them again.

    The missing units are written off in that bin through the ledger (a
    short-pick movement; the bin goes on the list of bins to count), other
    bins of the same warehouse are searched in walking order and what they
    hold is promised to the line instead; what none holds is backordered
    (an allocated order becomes backordered). The timeline gets ``note`` and
    what was done. Refused (409) when the line has fewer units promised in
    that bin; nothing is written.
    """
    line = OrderLine.objects.select_related("product").filter(pk=units.order_line_id).first()
    if line is None or line.order_id != order.pk:
        raise Conflict(f"That line is not on order {order}.", code="not_on_order")
    here = Location.objects.select_related("warehouse").get(pk=units.location_id)
    inventory_services.stock_lock_products(product_ids=[line.product_id])
    rows = {row.location_id: row for row in LineAllocation.objects.filter(line=line)}
    current = rows.get(here.pk)
    if current is None or current.quantity < units.quantity:
        raise Conflict(
            f"Order {order} has fewer than {units.quantity} {TIMES} {line.sku} promised in "
            f"{here.code}: scan the bin again.",
            code="retry",
        )
    found = inventory_services.stock_allocate(
        product=line.product,
        quantity=units.quantity,
        warehouse=here.warehouse,
        exclude_location_ids=[here.pk],
    )
    inventory_services.stock_short_pick(
        product=line.product,
        location=here,
        quantity=units.quantity,
        user=user,
        reference=reference,
        reason=f"Short pick on {reference}: {units.quantity} missing in {here.code}; "
        f"count bin {here.code}",
    )
    current.quantity -= units.quantity
    current.save(update_fields=["quantity"])
    bins = Location.objects.in_bulk([allocation.location_id for allocation in found])
    parts = []
    for allocation in found:
        row = rows.get(allocation.location_id)
        if row is None:
            row = LineAllocation.objects.create(
                line=line, location_id=allocation.location_id, quantity=0
            )
        row.quantity += allocation.quantity
        row.save(update_fields=["quantity"])
        parts.append(f"{allocation.quantity} to pick from {bins[allocation.location_id].code}")
    lost = units.quantity - sum(allocation.quantity for allocation in found)
    if lost:
        line.quantity_allocated -= lost
        line.quantity_backordered += lost
        line.save(update_fields=["quantity_allocated", "quantity_backordered"])
        parts.append(f"{lost} backordered")
    order_event(
        order=order,
        type=OrderEvent.Type.BACKORDERED if lost else OrderEvent.Type.ALLOCATED,
        user=user,
        note=f"{note}; " + ", ".join(parts),
        data={"line_id": line.pk, "quantity": units.quantity, "reference": reference},
    )
    if lost and order.status == Status.ALLOCATED:
        order.mark_backordered()
        save_transition(order, from_status=Status.ALLOCATED, user=user, note="Short pick")
    return Shortfall(
        found=[(allocation.location_id, allocation.quantity) for allocation in found],
        backordered=lost,
    )


@order_service
def order_delivered(*, order: Order, delivered_at=None, user=None, note: str = "") -> Order:
    """Mark a shipped order delivered (every shipment arrived); other states are left alone."""
    if order.status != Status.SHIPPED:
        return order
    run_transition(order, "mark_delivered", user=user, check_perm=False)
    order.delivered_at = delivered_at or timezone.now()
    save_transition(order, from_status=Status.SHIPPED, user=user, note=note)
    return order


@order_service
def order_return_news(*, order: Order, note: str, data: dict | None = None, user=None) -> None:
    """Add the returns desk's news about an order (a return opened, a refund paid) to its timeline.

    The order's status is never changed by a return (SPEC 3).
    """
    kind = OrderEvent.Type.REFUND if (data or {}).get("refund") else OrderEvent.Type.RETURN
    order_event(order=order, type=kind, user=user, note=note, data=data)


@order_service
def order_units_returned(
    *,
    order: Order,
    units: Sequence[tuple[int, int]],
    reference: str,
    note: str = "",
    user=None,
) -> list[OrderLine]:
    """Count units of an order's lines as come back (negative quantities: a receipt undone).

    ``units`` are (order line id, signed quantity). Called by the returns
    services with the order locked first. Refused (409), with nothing
    written: a line not on this order, more returned than shipped, or fewer
    than none. The timeline gets ``note`` (or a plain summary).
    """
    wanted = [(line_id, quantity) for line_id, quantity in units if quantity]
    lines = OrderLine.objects.in_bulk([line_id for line_id, _ in wanted])
    if any(
        lines.get(line_id) is None or lines[line_id].order_id != order.pk for line_id, _ in wanted
    ):
        raise Conflict(f"These units are not on order {order}.", code="not_on_order")
    for line_id, quantity in wanted:
        line = lines[line_id]
        after = line.quantity_returned + quantity
        if after > line.quantity_shipped:
            raise Conflict(
                f"Only {line.quantity_shipped - line.quantity_returned} {TIMES} {line.sku} of "
                f"order {order} can still come back: {line.quantity_shipped} shipped, "
                f"{line.quantity_returned} returned.",
                code="more_than_shipped",
            )
        if after < 0:
            raise Conflict(
                f"Order {order} has only {line.quantity_returned} {TIMES} {line.sku} returned.",
                code="fewer_than_returned",
            )
        line.quantity_returned = after
    changed = [lines[line_id] for line_id in {line_id for line_id, _ in wanted}]
    OrderLine.objects.bulk_update(changed, ["quantity_returned"])
    summary = ", ".join(f"{quantity:+d} {TIMES} {lines[i].sku}" for i, quantity in wanted)
    order_event(
        order=order,
        type=OrderEvent.Type.RETURN,
        user=user,
        note=note or f"{reference}: returned {summary}",
        data={"reference": reference, "units": [[i, q] for i, q in wanted]},
    )
    return changed


@order_service
def order_replacement_create(
    *, order: Order, units: Sequence[tuple[int, int]], reference: str, user=None
) -> Order:
    """Create and confirm a zero-price order replacing returned units of ``order``.

    ``units`` are (order line id, quantity). The replacement goes to the same
    customer and address by the same shipping method, free of charge, and is
    allocated (or backordered) like any order. Both orders' timelines name
    the other.
    """
    from orders.services.orders import order_confirm, order_create

    lines = OrderLine.objects.select_related("product").in_bulk([i for i, _ in units])
    if any(lines.get(i) is None or lines[i].order_id != order.pk for i, _ in units):
        raise Conflict(f"These units are not on order {order}.", code="not_on_order")
    who = f" by {user}" if getattr(user, "pk", None) else ""
    replacement = order_create(
        customer=order.customer,
        lines=[{"sku": lines[i].sku, "quantity": quantity} for i, quantity in units],
        channel=order.channel,
        shipping_address=order.shipping_address,
        shipping_method=order.shipping_method,
        ship_policy=order.ship_policy,
        is_vip=order.is_vip,
        currency=order.currency,
        notes=f"Replacement for {reference} (order {order}), free of charge.",
        place=True,
    )
    new_lines = list(replacement.lines.all())
    for line in new_lines:
        line.unit_price = 0
    set_totals(replacement, new_lines)
    OrderLine.objects.bulk_update(new_lines, ["unit_price", "tax_rate", "tax_amount"])
    replacement.created_by = user if getattr(user, "pk", None) else None
    replacement.save()
    order_event(
        order=replacement,
        type=OrderEvent.Type.RETURN,
        user=user,
        note=f"Replacement for {reference} of order {order}{who}",
        data={"reference": reference, "replaces": order.pk},
    )
    order_event(
        order=order,
        type=OrderEvent.Type.RETURN,
        user=user,
        note=f"{reference}: replacement order {replacement} created{who}",
        data={"reference": reference, "replacement": replacement.pk},
    )
    return order_confirm(order_id=replacement.pk, user=None)
