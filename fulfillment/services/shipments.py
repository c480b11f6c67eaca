"""Shipments: created from allocated lines, shipped with a carrier, delivered, followed up."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Max, Q, Sum
from django.utils import timezone

from fulfillment.models import Carrier, Parcel, Shipment, ShipmentLine, ShippingMethod
from fulfillment.services.base import (
    TIMES,
    assign_number,
    check_perm,
    lock_orders,
    lock_shipments,
    run,
    save_shipment,
)
from inventory import services as inventory_services
from inventory.models import Location
from oms.errors import Conflict, InvalidInput, NotFound, TransitionRefused
from orders.events import order_event
from orders.models import LineAllocation, Order, OrderEvent, OrderLine
from orders.notifications import queue_order_email
from orders.services.base import order_service, run_transition, save_transition, status_label

Status = Shipment.Status
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
        return False, (f"Order {order} is {status_label(order.status)}: it cannot be shipped now.")
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
        order_event(
            order=order,
            type=OrderEvent.Type.SHIPMENT,
            user=user,
            note=f"Shipment {shipment} created from {rows[0][0].location.warehouse.code}: {items}",
            data={"shipment_id": shipment.pk, "shipment": shipment.number},
        )
        created.append(shipment)
    return created


@order_service
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


@order_service
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


@order_service
def shipment_cancel(*, shipment_id: int, user=None, reason: str = "") -> Shipment:
    """Cancel a shipment before it ships; its units stay allocated to the order's lines."""
    check_perm(
        user, "fulfillment.cancel_shipment", "Your role does not allow cancelling shipments."
    )
    _, shipments = lock_shipments([shipment_id])
    shipment = shipments.get(shipment_id)
    if shipment is None:
        raise NotFound("That shipment does not exist.", field="shipment", code="unknown_shipment")
    run(
        shipment,
        "cancel",
        f"Shipment {shipment} is {shipment.get_status_display().lower()}: it can no longer be "
        "cancelled.",
    )
    shipment.cancelled_at = timezone.now()
    save_shipment(shipment)
    order_event(
        order=shipment.order,
        type=OrderEvent.Type.SHIPMENT,
        user=user,
        note=f"Shipment {shipment} cancelled; its items stay allocated to the order"
        + (f": {reason}" if reason else ""),
        data={"shipment_id": shipment.pk, "shipment": shipment.number},
    )
    return shipment


def _generate_tracking(carrier: Carrier, shipment: Shipment) -> str:
    return f"{carrier.code}{shipment.pk:010d}"


def _resolve_method(
    *, carrier_code: str, shipping_method_id, shipment: Shipment
) -> tuple[Carrier, ShippingMethod | None]:
    method = None
    if shipping_method_id not in (None, ""):
        method = (
            ShippingMethod.objects.select_related("carrier")
            .filter(pk=shipping_method_id, is_active=True)
            .first()
            if str(shipping_method_id).isdigit()
            else None
        )
        if method is None:
            raise InvalidInput("Choose a shipping service from the list.", field="shipping_method")
    carrier = None
    if carrier_code:
        carrier = Carrier.objects.filter(code__iexact=carrier_code.strip(), is_active=True).first()
        if carrier is None:
            raise InvalidInput(f"There is no carrier {carrier_code!r}.", field="carrier")
    if method is not None:
        if carrier is not None and carrier.pk != method.carrier_id:
            raise InvalidInput(
                f"{method.name} is a {method.carrier.name} service, not {carrier.name}.",
                field="shipping_method",
            )
        carrier = method.carrier
    if carrier is None and shipment.shipping_method_id:
        method = shipment.shipping_method
        carrier = method.carrier
    if carrier is None and shipment.carrier_id:
        carrier = shipment.carrier
    if carrier is None:
        raise InvalidInput("Choose the carrier that takes the parcels.", field="carrier")
    return carrier, method


@order_service
def shipment_ship(
    *,
    shipment_id: int,
    user=None,
    carrier: str = "",
    shipping_method_id=None,
    tracking_number: str = "",
) -> Shipment:
    """Hand a packed shipment to its carrier: stock leaves the bins, the customer is told.

    The tracking number is typed or scanned; for the local courier the OMS
    makes one up when none is given. Stock is consumed bin by bin through the
    ledger, the order lines count as shipped, and the order becomes shipped
    (or partially shipped). Refused: no tracking number (400), nothing packed
    or a shipment not packed, cancelled or already shipped (409).
    """
    check_perm(user, "fulfillment.ship_shipment", "Your role does not allow shipping.")
    _, shipments = lock_shipments([shipment_id])
    shipment = shipments.get(shipment_id)
    if shipment is None:
        raise NotFound("That shipment does not exist.", field="shipment", code="unknown_shipment")
    order = shipment.order
    if shipment.status == Status.CANCELLED:
        raise TransitionRefused(
            f"Shipment {shipment} is cancelled: it cannot be shipped.", code="cancelled"
        )
    if shipment.status in (Status.SHIPPED, Status.DELIVERED):
        raise TransitionRefused(f"Shipment {shipment} has already shipped.", code="shipped")
    parcels = list(shipment.parcels.order_by("number"))
    closed = [parcel for parcel in parcels if not parcel.is_open]
    if not closed:
        raise Conflict(
            f"Shipment {shipment} has no closed parcel: pack the items and close the parcel "
            "before shipping.",
            field="parcels",
            code="no_parcels",
        )
    if shipment.status != Status.PACKED or len(closed) != len(parcels):
        raise TransitionRefused(
            f"Shipment {shipment} is not fully packed yet: pack every item and close the "
            "parcel before shipping.",
            code="not_packed",
        )
    if order.status in (OrderStatus.ON_HOLD, OrderStatus.CANCELLED):
        raise TransitionRefused(
            f"Order {order} is {status_label(order.status)}: do not ship it.",
            code="order_not_shippable",
        )
    chosen, method = _resolve_method(
        carrier_code=carrier, shipping_method_id=shipping_method_id, shipment=shipment
    )
    tracking_number = (tracking_number or "").strip()
    if len(tracking_number) > 100:
        raise InvalidInput("A tracking number is at most 100 characters.", field="tracking_number")
    if not tracking_number:
        if not chosen.is_local_courier:
            raise InvalidInput(
                f"Enter or scan the {chosen.name} tracking number before shipping.",
                field="tracking_number",
                code="tracking_missing",
            )
        tracking_number = _generate_tracking(chosen, shipment)

    lines = list(
        shipment.lines.filter(quantity__gt=0).select_related("product", "location", "order_line")
    )
    inventory_services.stock_lock_products(product_ids=sorted({line.product_id for line in lines}))
    for line in sorted(lines, key=lambda line: (line.product_id, line.location_id)):
        inventory_services.stock_consume(
            product=line.product,
            location=line.location,
            quantity=line.quantity,
            user=user,
            reference=shipment.number,
        )
    allocations = {
        (row.line_id, row.location_id): row
        for row in LineAllocation.objects.filter(line_id__in={line.order_line_id for line in lines})
    }
    order_lines: dict[int, OrderLine] = {}
    for line in lines:
        row = allocations.get((line.order_line_id, line.location_id))
        if row is None or row.quantity < line.quantity:
            raise Conflict(
                f"Order {order} no longer has {line.quantity} {TIMES} {line.product.sku} "
                f"allocated in {line.location.code}: the shipment is out of date. Cancel it "
                "and make a new one.",
                code="stale_shipment",
            )
        row.quantity -= line.quantity
        row.save(update_fields=["quantity"])
        order_line = order_lines.setdefault(line.order_line_id, line.order_line)
        order_line.quantity_allocated -= line.quantity
        order_line.quantity_shipped += line.quantity
    for order_line in order_lines.values():
        order_line.save(update_fields=["quantity_allocated", "quantity_shipped"])

    shipment.ship()
    shipment.carrier = chosen
    shipment.shipping_method = method
    shipment.tracking_number = tracking_number
    shipment.shipped_at = timezone.now()
    save_shipment(shipment)
    for parcel in parcels:
        if not parcel.tracking_number:
            parcel.tracking_number = (
                tracking_number
                if len(parcels) == 1 or not chosen.is_local_courier
                else f"{tracking_number}-{parcel.number}"
            )
            parcel.save(update_fields=["tracking_number"])

    items = ", ".join(f"{line.quantity} {TIMES} {line.product.sku}" for line in lines)
    order_event(
        order=order,
        type=OrderEvent.Type.SHIPMENT,
        user=user,
        note=f"Shipment {shipment} shipped with {chosen.name}"
        + (f" {method.name}" if method else "")
        + f", tracking {tracking_number}, {len(parcels)} parcel(s): {items}",
        data={
            "shipment_id": shipment.pk,
            "shipment": shipment.number,
            "carrier": chosen.code,
            "tracking_number": tracking_number,
        },
    )
    before = order.status
    all_lines = list(order.lines.all())
    if all(line.quantity_shipped >= line.quantity for line in all_lines):
        run_transition(order, "mark_shipped", user=user, check_perm=False)
    elif order.status != OrderStatus.PARTIALLY_SHIPPED:
        run_transition(order, "mark_partially_shipped", user=user, check_perm=False)
    if order.status != before:
        save_transition(order, from_status=before, user=user, note=f"Shipment {shipment} shipped")
    else:
        order.version += 1
        order.save(update_fields=["version", "updated_at"])
    queue_order_email("shipment_notice", order.pk)
    return shipment


@order_service
def tracking_update(
    *, tracking_number: str, user=None, status: str = "delivered", delivered_at=None
) -> list[Shipment]:
    """Record a carrier's news for a tracking number: parcels and shipments delivered.

    A shipment is delivered once all its parcels are; an order is delivered
    once everything has shipped and all its shipments are delivered. Unknown
    numbers are refused (404); only ``delivered`` is understood for now.
    """
    check_perm(user, "fulfillment.update_tracking", "Your role does not allow tracking updates.")
    number = (tracking_number or "").strip()
    if not number:
        raise InvalidInput("Send the tracking number.", field="tracking_number")
    if status != "delivered":
        raise InvalidInput(
            "Only the status 'delivered' is understood.", field="status", code="bad_status"
        )
    parcels_q = Parcel.objects.filter(tracking_number=number)
    shipment_ids = set(parcels_q.values_list("shipment_id", flat=True)) | set(
        Shipment.objects.filter(tracking_number=number).values_list("pk", flat=True)
    )
    if not shipment_ids:
        raise NotFound(
            f"No parcel or shipment has tracking number {number}.",
            field="tracking_number",
            code="unknown_tracking",
        )
    orders, shipments = lock_shipments(shipment_ids)
    when = delivered_at or timezone.now()
    changed = []
    for shipment in shipments.values():
        if shipment.status not in (Status.SHIPPED, Status.DELIVERED):
            raise TransitionRefused(
                f"Shipment {shipment} is {shipment.get_status_display().lower()}: it has not "
                "shipped, so it cannot be delivered.",
                code="not_shipped",
            )
        whole = shipment.tracking_number == number
        parcels = list(shipment.parcels.all())
        for parcel in parcels:
            if parcel.delivered_at is None and (whole or parcel.tracking_number == number):
                parcel.delivered_at = when
                parcel.save(update_fields=["delivered_at"])
        if shipment.status == Status.SHIPPED and all(p.delivered_at for p in parcels):
            shipment.deliver()
            shipment.delivered_at = when
            save_shipment(shipment)
            order_event(
                order=shipment.order,
                type=OrderEvent.Type.SHIPMENT,
                user=user,
                note=f"Shipment {shipment} delivered (tracking {number})",
                data={"shipment_id": shipment.pk, "shipment": shipment.number},
            )
            changed.append(shipment)
    for order in orders.values():
        _deliver_order_if_done(order, user=user)
    return list(shipments.values())


def _deliver_order_if_done(order: Order, *, user) -> None:
    if order.status != OrderStatus.SHIPPED:
        return
    open_ones = order.shipments.exclude(status__in=[Status.DELIVERED, Status.CANCELLED])
    if open_ones.exists():
        return
    before = order.status
    run_transition(order, "mark_delivered", user=user, check_perm=False)
    save_transition(order, from_status=before, user=user, note="Every shipment delivered")


def follow_up_days() -> int:
    return int(getattr(settings, "OMS_FOLLOW_UP_DAYS", 7))


@order_service
def send_follow_ups(*, days: int | None = None, user=None, now=None) -> list[Order]:
    """Ask customers of orders delivered ``days`` ago or more for feedback, and complete them.

    Each order gets one follow-up email (after commit) and moves delivered to
    completed, so running this twice mails nobody twice.
    """
    days = follow_up_days() if days is None else int(days)
    if days < 0:
        raise InvalidInput("The number of days cannot be negative.", field="days")
    cutoff = (now or timezone.now()) - timedelta(days=days)
    due = (
        Order.objects.filter(status=OrderStatus.DELIVERED)
        .annotate(last_delivery=Max("shipments__delivered_at"))
        .filter(Q(last_delivery__lte=cutoff) | Q(last_delivery=None, updated_at__lte=cutoff))
        .values_list("pk", flat=True)
    )
    orders = lock_orders(list(due))
    completed = []
    for order in orders.values():
        if order.status != OrderStatus.DELIVERED:
            continue
        before = order.status
        run_transition(order, "complete", user=user, check_perm=False)
        save_transition(
            order,
            from_status=before,
            user=user,
            note=f"Follow-up sent {days} day(s) after delivery",
        )
        queue_order_email("follow_up", order.pk)
        completed.append(order)
    return completed


def shipment_bins(shipment: Shipment) -> list[Location]:
    """Return the bins a shipment is picked from, in walking order."""
    return sorted(
        {line.location for line in shipment.lines.select_related("location")},
        key=lambda location: (location.pick_sequence, location.code),
    )
