"""Promising stock to order lines, giving it back, and serving backorders."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from inventory import services as inventory_services
from inventory.models import Location
from orders.events import order_event
from orders.models import LineAllocation, Order, OrderEvent, OrderLine
from orders.services.base import Status, save_transition


def allocate_lines(*, order: Order, user) -> tuple[int, int]:
    """Allocate every stocked line's open quantity; return (allocated, backordered) units.

    Writes in bulk (allocation rows, lines, events), so a long order costs the
    same number of statements as a short one.
    """
    lines = [
        line
        for line in order.lines.select_related("product").order_by("pk")
        if not line.is_drop_ship and line.quantity_open > 0
    ]
    if not lines:
        return 0, 0
    result = inventory_services.stock_allocate_many(
        requests=[(line.product, line.quantity_open) for line in lines]
    )
    rows = {
        (row.line_id, row.location_id): row
        for row in LineAllocation.objects.filter(line__in=[line.pk for line in lines])
    }
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
        LineAllocation.objects.bulk_update(list(grown.values()), ["quantity"])
    OrderLine.objects.bulk_update(lines, ["quantity_allocated", "quantity_backordered"])
    if events:
        OrderEvent.objects.bulk_create(events)
    return allocated_units, backordered_units


def release_allocations(*, order: Order, user) -> int:
    released = 0
    rows = (
        LineAllocation.objects.filter(line__order=order, quantity__gt=0)
        .select_related("line", "line__product", "location")
        .order_by("location_id", "pk")
    )
    for row in rows:
        inventory_services.stock_release(
            product=row.line.product, location=row.location, quantity=row.quantity
        )
        released += row.quantity
        LineAllocation.objects.filter(pk=row.pk).update(quantity=0)
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


@transaction.atomic
def allocate_backorders(*, product_ids: Sequence[int], user=None) -> list[Order]:
    """Serve waiting lines for these products from stock now available.

    Backordered orders are locked in primary-key order, then all stock rows of
    their products (also by pk), and only then served in priority order (VIP
    first, then oldest), so this never deadlocks with order confirmations.
    Returns the orders that got stock.
    """
    waiting = OrderLine.objects.filter(
        product_id__in=list(product_ids),
        quantity_backordered__gt=0,
        order__status=Status.BACKORDERED,
    ).values("order_id")
    orders = list(
        Order.objects.select_for_update(of=("self",)).filter(pk__in=waiting).order_by("pk")
    )
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
        if backordered == 0:
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
    return served
