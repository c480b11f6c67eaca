"""Shipments: made from an order's allocated lines per warehouse; cancelled before shipping."""

from __future__ import annotations

from django.db.models import Sum
from django.utils import timezone

from fulfillment.models import Shipment, ShipmentLine, ShippingMethod
from fulfillment.services.base import (
    TIMES,
    check_perm,
    lock_orders,
    lock_shipments,
    save_shipment,
)
from fulfillment.services.waves import finish_wave_if_done
from oms.errors import Conflict, NotFound
from oms.fsm import run_transition
from oms.locks import lock_rows
from oms.numbers import assign_number
from oms.services import service
from orders import services as order_services
from orders.models import LineAllocation, Order

OrderStatus = Order.Status

# Orders whose allocated lines may become shipments.
SHIPPABLE_ORDER_STATES = [
    OrderStatus.ALLOCATED,
    OrderStatus.BACKORDERED,
    OrderStatus.PROCESSING,
    OrderStatus.PARTIALLY_SHIPPED,
]


def _in_open_shipments(order_ids) -> dict[tuple[int, int], int]:
    """Return units of each (order line, bin) already on an open shipment."""
    rows = (
        ShipmentLine.objects.filter(
            order_line__order_id__in=list(order_ids), shipment__status__in=Shipment.OPEN
        )
        .order_by()
        .values("order_line_id", "location_id")
        .annotate(total=Sum("quantity"))
    )
    return {(row["order_line_id"], row["location_id"]): row["total"] for row in rows}


def _method_for(order: Order) -> ShippingMethod | None:
    if not order.shipping_method:
        return None
    return (
        ShippingMethod.objects.select_related("carrier")
        .filter(code__iexact=order.shipping_method, is_active=True)
        .first()
    )


def _ready_for(order: Order) -> tuple[bool, str]:
    """Tell whether an order may ship now, and why not."""
    if order.status not in SHIPPABLE_ORDER_STATES:
        state = order.get_status_display().lower()
        return False, f"Order {order} is {state}: it cannot be shipped now."
    if order.ship_policy == Order.ShipPolicy.COMPLETE:
        waiting = [
            line for line in order.lines.all() if not line.is_drop_ship and line.quantity_open > 0
        ]
        if waiting:
            items = ", ".join(f"{line.quantity_open} {TIMES} {line.sku}" for line in waiting)
            return False, (
                f"Order {order} ships complete and still waits for {items}: nothing ships yet."
            )
    return True, ""


def _create_for(order: Order, *, user) -> list[Shipment]:
    """Make one shipment per warehouse from the order's allocations not yet on a shipment."""
    ready, _ = _ready_for(order)
    if not ready:
        return []
    taken = _in_open_shipments([order.pk])
    allocations = (
        LineAllocation.objects.filter(line__order=order, quantity__gt=0, line__removed_at=None)
        .select_related("line", "location", "location__warehouse")
        .order_by("location__warehouse__priority", "location__pick_sequence", "pk")
    )
    by_warehouse: dict[int, list[tuple[LineAllocation, int]]] = {}
    for row in allocations:
        free = row.quantity - taken.get((row.line_id, row.location_id), 0)
        if free > 0:
            by_warehouse.setdefault(row.location.warehouse_id, []).append((row, free))
    if not by_warehouse:
        return []
    method = _method_for(order)
    created = []
    for warehouse_id, rows in by_warehouse.items():
        shipment = Shipment.objects.create(
            order=order,
            ship_to_id=order.shipping_address_id,
            warehouse_id=warehouse_id,
            shipping_method=method,
            carrier=method.carrier if method else None,
            created_by=user if getattr(user, "pk", None) else None,
        )
        assign_number(shipment, "SH")
        ShipmentLine.objects.bulk_create(
            ShipmentLine(
                shipment=shipment,
                order_line=row.line,
                product_id=row.line.product_id,
                location=row.location,
                quantity=free,
            )
            for row, free in rows
        )
        items = ", ".join(f"{free} {TIMES} {row.line.sku}" for row, free in rows)
        order_services.order_timeline_add(
            order=order,
            user=user,
            note=f"Shipment {shipment} created from {rows[0][0].location.warehouse.code}: {items}",
            data={"shipment_id": shipment.pk, "shipment": shipment.number},
        )
        created.append(shipment)
    return created


@service
def shipment_create_for_order(*, order_id: int, user=None) -> list[Shipment]:
    """Make shipments (one per warehouse) from an order's allocated lines not yet shipping.

    A ship-complete order waits until nothing is backordered; a ship-partial
    order ships what is allocated now. Refused (409) when the order cannot
    ship now or has nothing allocated left to ship.
    """
    check_perm(
        user, "fulfillment.add_shipment", "Only warehouse staff and managers make shipments."
    )
    orders = lock_orders([order_id])
    order = orders.get(order_id)
    if order is None:
        raise NotFound("That order does not exist.", field="order", code="unknown_order")
    ready, why = _ready_for(order)
    if not ready:
        raise Conflict(why, field="order", code="not_ready")
    created = _create_for(order, user=user)
    if not created:
        raise Conflict(
            f"Order {order} has nothing allocated that is not already on a shipment.",
            field="order",
            code="nothing_to_ship",
        )
    return created


@service
def shipments_create_ready(*, user=None) -> list[Shipment]:
    """Make shipments for every order that is ready, oldest first; return them."""
    check_perm(
        user, "fulfillment.add_shipment", "Only warehouse staff and managers make shipments."
    )
    candidates = (
        LineAllocation.objects.filter(
            quantity__gt=0,
            line__removed_at=None,
            line__order__status__in=SHIPPABLE_ORDER_STATES,
        )
        .values_list("line__order_id", flat=True)
        .distinct()
    )
    orders = lock_orders(list(candidates))
    if not orders:
        return []
    created = []
    for order in sorted(orders.values(), key=lambda o: (o.placed_at or o.created_at, o.pk)):
        created.extend(_create_for(order, user=user))
    return created


def _cancel(shipment: Shipment, *, user, note: str) -> None:
    """Save a locked shipment just cancelled, write the order's timeline, close its wave if done."""
    shipment.cancelled_at = timezone.now()
    save_shipment(shipment)
    order_services.order_timeline_add(
        order=shipment.order,
        user=user,
        note=note,
        data={"shipment_id": shipment.pk, "shipment": shipment.number},
    )
    if shipment.wave_id:
        finish_wave_if_done(shipment.wave)


@service
def shipment_cancel(*, shipment_id: int, user=None, reason: str = "") -> Shipment:
    """Cancel a shipment before it ships; its units stay allocated to the order's lines."""
    check_perm(
        user, "fulfillment.cancel_shipment", "Your role does not allow cancelling shipments."
    )
    _, shipments = lock_shipments([shipment_id])
    shipment = shipments.get(shipment_id)
    if shipment is None:
        raise NotFound("That shipment does not exist.", field="shipment", code="unknown_shipment")
    run_transition(
        shipment,
        "cancel",
        refusal=f"Shipment {shipment} is {shipment.get_status_display().lower()}: it can no "
        "longer be cancelled.",
    )
    _cancel(
        shipment,
        user=user,
        note=f"Shipment {shipment} cancelled; its items stay allocated to the order"
        + (f": {reason}" if reason else ""),
    )
    return shipment


@service
def shipments_cancel_for_order(*, order: Order, user=None, reason: str = "") -> list[Shipment]:
    """Cancel the open shipments of an order being cancelled; return them.

    Runs inside the order's cancel (``orders.signals.order_cancelled``: the
    order service has checked the role), so it checks no permission of its
    own. Stock is not touched here: the order releases its allocations once,
    itself. Each shipment's timeline note tells the warehouse what to put
    back where.
    """
    lock_orders([order.pk])  # held already by the order's cancel; taken first, as everywhere
    shipments = lock_rows(
        Shipment.objects.filter(order_id=order.pk, status__in=Shipment.OPEN).select_related("wave")
    )
    if not shipments:
        return []
    lines = ShipmentLine.objects.filter(shipment__in=shipments, picked__gt=0).select_related(
        "product", "location"
    )
    put_back: dict[int, list[str]] = {}
    for line in lines.order_by("location__pick_sequence", "location__code", "pk"):
        put_back.setdefault(line.shipment_id, []).append(
            f"{line.picked} {TIMES} {line.product.sku} in {line.location.code}"
        )
    for shipment in shipments:
        shipment.order = order
        note = f"Shipment {shipment} cancelled with the order"
        if put_back.get(shipment.pk):
            note += ": put back " + ", ".join(put_back[shipment.pk])
        if reason:
            note += f" ({reason})"
        shipment.cancel()
        _cancel(shipment, user=user, note=note)
    return shipments


@service
def shipments_readdress_for_order(*, order: Order, user=None) -> list[Shipment]:
    """Send an order's shipments that nothing was picked for yet to its new address.

    Runs inside the order's edit (``orders.signals.order_readdressed``: the order
    service has checked the role and the order's state), so it checks no
    permission of its own. A shipment keeps the address it is picked and packed
    for: when one is already being picked or packed, the new address is refused
    (409) and the edit is rolled back whole.
    """
    lock_orders([order.pk])  # held already by the order's edit; taken first, as everywhere
    shipments = list(
        Shipment.objects.select_for_update(of=("self",))
        .filter(order_id=order.pk, status__in=Shipment.OPEN)
        .order_by("pk")
    )
    started = [shipment for shipment in shipments if shipment.status != Shipment.Status.PENDING]
    if started:
        raise Conflict(
            f"Shipment {started[0]} of order {order} is already "
            f"{started[0].get_status_display().lower()} for the address it has: the order's "
            "shipping address can no longer change.",
            field="shipping_address",
            code="shipment_started",
        )
    for shipment in shipments:
        shipment.ship_to_id = order.shipping_address_id
        save_shipment(shipment, ["ship_to"])
        order_services.order_timeline_add(
            order=order,
            user=user,
            note=f"Shipment {shipment} will go to the new address",
            data={"shipment_id": shipment.pk, "shipment": shipment.number},
        )
    return shipments
