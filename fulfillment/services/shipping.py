"""Shipping: hand a packed shipment to its carrier; stock leaves the bins, the customer is told."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from fulfillment.models import Carrier, Shipment, ShippingMethod
from fulfillment.services.base import (
    TIMES,
    check_perm,
    lock_shipments,
    save_shipment,
)
from inventory import services as inventory_services
from oms.errors import Conflict, InvalidInput, NotFound, TransitionRefused
from oms.services import id_or_none
from orders.events import order_event
from orders.models import LineAllocation, Order, OrderEvent, OrderLine
from orders.notifications import queue_order_emails
from orders.services.base import order_service, run_transition, save_transition, status_label

Status = Shipment.Status
OrderStatus = Order.Status


def _generate_tracking(carrier: Carrier, shipment: Shipment) -> str:
    return f"{carrier.code}{shipment.pk:010d}"


def _resolve_method(
    *, carrier_code: str, shipping_method_id, shipment: Shipment
) -> tuple[Carrier, ShippingMethod | None]:
    method = None
    if shipping_method_id not in (None, ""):
        method_id = id_or_none(shipping_method_id)
        method = (
            ShippingMethod.objects.select_related("carrier")
            .filter(pk=method_id, is_active=True)
            .first()
            if method_id
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


def _tracking_taken(carrier: Carrier, tracking_number: str) -> Conflict:
    return Conflict(
        f"Tracking number {tracking_number} is already on another {carrier.name} shipment: "
        "check the label.",
        field="tracking_number",
        code="tracking_taken",
    )


def _refuse_taken_tracking(carrier: Carrier, tracking_number: str, shipment: Shipment) -> None:
    """Refuse a tracking number the carrier already gave another shipment (unique per carrier)."""
    taken = (
        Shipment.objects.filter(carrier=carrier, tracking_number=tracking_number)
        .exclude(pk=shipment.pk)
        .exists()
    )
    if taken:
        raise _tracking_taken(carrier, tracking_number)


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
    _refuse_taken_tracking(chosen, tracking_number, shipment)

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
    try:
        with transaction.atomic():
            save_shipment(shipment)
    except IntegrityError as error:
        # Another shipment took the number between the check and this write.
        raise _tracking_taken(chosen, tracking_number) from error
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
    queue_order_emails([("shipment_notice", order)], user=user)
    return shipment
