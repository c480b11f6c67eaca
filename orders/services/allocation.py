"""Promising stock to order lines, giving it back, and serving backorders.

Lines that stock cannot serve are passed on to purchasing
(``orders.services.purchasing``).
"""

from __future__ import annotations

from collections.abc import Sequence

from inventory import services as inventory_services
from inventory.models import Location
from oms.db import update_counts
from oms.locks import lock_rows
from orders.events import add_events, order_event
from orders.models import LineAllocation, Order, OrderEvent, OrderLine
from orders.services.base import Status, order_service, save_transition
from orders.services.purchasing import (
    place_drop_ship_lines,
    request_purchases,
)


def allocate_lines(
    *, order: Order, user, lines: Sequence[OrderLine] | None = None, fresh: bool = False
) -> tuple[int, int]:
    """Allocate every stocked line's open quantity; return (allocated, backordered) units.

    Writes in bulk (allocation rows, lines, events), so a long order costs the
    same number of statements as a short one. ``lines`` are the order's lines
    with their products, when the caller has loaded them already; ``fresh``
    says the order was never allocated before (just confirmed), so there are
    no allocation rows to grow.
    """
    if lines is None:
        lines = order.lines.select_related("product").order_by("pk")
    lines = [line for line in lines if not line.is_drop_ship and line.quantity_open > 0]
    if not lines:
        return 0, 0
    result = inventory_services.stock_allocate_many(
        requests=[(line.product, line.quantity_open) for line in lines]
    )
    rows = (
        {
            (row.line_id, row.location_id): row
            for row in LineAllocation.objects.filter(line__in=[line.pk for line in lines])
        }
        if not fresh
        else {}
    )
    new_rows: list[LineAllocation] = []
    grown: dict[int, LineAllocation] = {}
    events: list[OrderEvent] = []
    event_user = user if getattr(user, "pk", None) else None
    allocated_units = backordered_units = 0
    used: dict[int, int] = {}
    for line in lines:
        pool = result.get(line.product_id, [])
        want = line.quantity_open
        got = 0
        # Several lines of one product share the product's allocations in line order.
        for slice_ in pool:
            already = used.get(slice_.stock_level_id, 0)
            free = slice_.quantity - already
            take = min(free, want - got)
            if take <= 0:
                continue
            used[slice_.stock_level_id] = already + take
            got += take
            row = rows.get((line.pk, slice_.location_id))
            if row is None:
                row = LineAllocation(line=line, location_id=slice_.location_id, quantity=take)
                rows[(line.pk, slice_.location_id)] = row
                new_rows.append(row)
            else:
                row.quantity += take
                if row.pk:
                    grown[row.pk] = row
        line.quantity_allocated += got
        line.quantity_backordered = line.quantity - line.quantity_shipped - line.quantity_allocated
        allocated_units += got
        backordered_units += line.quantity_backordered
        if got:
            events.append(
                OrderEvent(
                    order=order,
                    type=OrderEvent.Type.ALLOCATED,
                    user=event_user,
                    note=f"{got} × {line.sku} allocated",
                    data={"line_id": line.pk, "quantity": got},
                )
            )
        if line.quantity_backordered:
            events.append(
                OrderEvent(
                    order=order,
                    type=OrderEvent.Type.BACKORDERED,
                    user=event_user,
                    note=f"{line.quantity_backordered} × {line.sku} backordered",
                    data={"line_id": line.pk, "quantity": line.quantity_backordered},
                )
            )
    if new_rows:
        LineAllocation.objects.bulk_create(new_rows)
    if grown:
        update_counts(LineAllocation, list(grown.values()), ["quantity"])
    update_counts(OrderLine, lines, ["quantity_allocated", "quantity_backordered"])
    if events:
        add_events(events)
    return allocated_units, backordered_units


def release_allocations(*, order: Order, user) -> int:
    """Give every unit allocated to a (locked) order back to stock; return how many.

    The stock rows are locked in one statement by ``stock_release_many``, in
    primary-key order like every other stock lock (``oms.locks``).
    """
    rows = list(
        LineAllocation.objects.filter(line__order=order, quantity__gt=0)
        .select_related("line__product", "location")
        .order_by("pk")
    )
    released = sum(row.quantity for row in rows)
    inventory_services.stock_release_many(
        releases=[(row.line.product, row.location, row.quantity) for row in rows]
    )
    LineAllocation.objects.filter(pk__in=[row.pk for row in rows]).update(quantity=0)
    order.lines.update(quantity_allocated=0, quantity_backordered=0)
    if released:
        order_event(
            order=order,
            type=OrderEvent.Type.RELEASED,
            user=user,
            note=f"{released} unit(s) returned to stock",
        )
    return released


def order_location_allocations(order: Order) -> dict[int, list[tuple[Location, int]]]:
    """Return, per line id, the bins and quantities allocated to it."""
    rows = LineAllocation.objects.filter(line__order=order, quantity__gt=0).select_related(
        "location", "location__warehouse"
    )
    result: dict[int, list[tuple[Location, int]]] = {}
    for row in rows:
        result.setdefault(row.line_id, []).append((row.location, row.quantity))
    return result


def backorder_priority(order: Order):
    """Sort key for serving backorders: VIP first, then higher priority, then oldest."""
    return (not order.is_vip, -order.priority, order.placed_at or order.created_at, order.pk)


# Orders whose backordered lines are served when stock arrives. A partially
# shipped order (say its drop-ship lines went first) still waits for the rest.
WAITING_STATES = [Status.BACKORDERED, Status.PARTIALLY_SHIPPED]


@order_service
def allocate_backorders(*, product_ids: Sequence[int], user=None) -> list[Order]:
    """Serve waiting lines for these products from stock now available.

    Backordered (and partially shipped) orders are locked in primary-key order,
    then all stock rows of their products (also by pk), and only then served in
    priority order (VIP first, then oldest), so this never deadlocks with order
    confirmations.
    What is still short afterwards is passed to purchasing (quietly: the
    timeline hears of it only when a purchase order grows). Returns the
    orders that got stock.
    """
    waiting = OrderLine.objects.filter(
        product_id__in=list(product_ids),
        quantity_backordered__gt=0,
        order__status__in=WAITING_STATES,
    ).values("order_id")
    orders = lock_rows(Order.objects.filter(pk__in=waiting))
    if not orders:
        return []
    products = set(
        OrderLine.objects.filter(order__in=orders, quantity_backordered__gt=0).values_list(
            "product_id", flat=True
        )
    )
    inventory_services.stock_lock_products(product_ids=sorted(products))
    served = []
    for order in sorted(orders, key=backorder_priority):
        allocated, backordered = allocate_lines(order=order, user=user)
        if not allocated:
            continue
        served.append(order)
        if backordered == 0 and order.status == Status.BACKORDERED:
            before = order.status
            order.mark_allocated()
            save_transition(
                order,
                from_status=before,
                user=user,
                note="Stock arrived for every backordered line",
            )
        else:
            order.version += 1
            order.save(update_fields=["version", "updated_at"])
    still_waiting = OrderLine.objects.filter(
        order__in=orders, quantity_backordered__gt=0, is_drop_ship=False
    ).values_list("order_id", "product_id")
    by_pk = {order.pk: order for order in orders}
    request_purchases(
        backordered=[(by_pk[order_id], product_id) for order_id, product_id in still_waiting],
        user=user,
        quiet=True,
    )
    return served


def confirm_lines(*, order: Order, user) -> tuple[int, int]:
    """Serve a confirmed order's lines: from stock, from drop-ship suppliers, then purchasing.

    Stocked lines are allocated, what is short is backordered and passed to
    ``request_purchases``. Drop-ship lines are ordered from their suppliers
    (``place_drop_ship_lines``): not allocated, not backordered. So the order
    counts as allocated once every line is either allocated from stock or
    placed with a drop-ship supplier; an order of drop-ship lines only is
    allocated at once. Returns (allocated, backordered) units of stocked lines.
    """
    lines = list(
        order.lines.select_related("product", "product__supplier").order_by("position", "pk")
    )
    order.loaded_lines = lines
    allocated, backordered = allocate_lines(order=order, user=user, lines=lines, fresh=True)
    place_drop_ship_lines(order=order, lines=lines, user=user)
    if backordered:
        request_purchases(
            backordered=[
                (order, line.product_id)
                for line in lines
                if line.quantity_backordered and not line.is_drop_ship
            ],
            user=user,
        )
    return allocated, backordered
