"""Shipping: hand a packed shipment to its carrier; stock leaves the bins, the customer is told."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from fulfillment.models import Carrier, Shipment, ShippingMethod
from fulfillment.notifications import queue_shipment_notice
from fulfillment.services.base import (
    TIMES,
    check_perm,
    lock_shipments,
    save_shipment,
)
from oms.errors import Conflict, InvalidInput, NotFound, TransitionRefused
from oms.services import id_or_none, service
from orders import services as order_services
from orders.models import Order
from orders.services import Units

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


@service
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
            f"Order {order} is {order.get_status_display().lower()}: do not ship it.",
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
    items = ", ".join(f"{line.quantity} {TIMES} {line.product.sku}" for line in lines)
    order_services.order_units_shipped(
        order=order,
        units=[Units(line.order_line_id, line.location_id, line.quantity) for line in lines],
        reference=shipment.number,
        note=f"Shipment {shipment} shipped with {chosen.name}"
        + (f" {method.name}" if method else "")
        + f", tracking {tracking_number}, {len(parcels)} parcel(s): {items}",
        data={
            "shipment_id": shipment.pk,
            "shipment": shipment.number,
            "carrier": chosen.code,
            "tracking_number": tracking_number,
        },
        status_note=f"Shipment {shipment} shipped",
        user=user,
    )

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

    queue_shipment_notice(order, user=user)
    return shipment
