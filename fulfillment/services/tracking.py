"""Carrier tracking updates: parcels and shipments delivered, and the order told when all are."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from fulfillment.models import Carrier, Parcel, Shipment
from fulfillment.services.base import (
    check_perm,
    lock_shipments,
    save_shipment,
)
from oms.errors import InvalidInput, NotFound, TransitionRefused
from oms.services import service
from orders import services as order_services
from orders.models import Order

Status = Shipment.Status
OrderStatus = Order.Status


# A carrier's clock may run a little ahead of ours.
CLOCK_SKEW = timedelta(minutes=5)


def _tracked_shipment_ids(number: str, carrier_code: str) -> set[int]:
    """Return the shipments a tracking number names, of one carrier when one is given.

    A tracking number is unique per carrier only: when it names shipments of
    several carriers and the update does not say which, it is refused.
    """
    parcels = Parcel.objects.filter(tracking_number=number)
    shipments = Shipment.objects.filter(tracking_number=number)
    if carrier_code:
        carrier = Carrier.objects.filter(code__iexact=carrier_code).first()
        if carrier is None:
            raise InvalidInput(f"There is no carrier {carrier_code!r}.", field="carrier")
        parcels = parcels.filter(shipment__carrier=carrier)
        shipments = shipments.filter(carrier=carrier)
    found = dict(shipments.values_list("pk", "carrier_id"))
    found.update(parcels.values_list("shipment_id", "shipment__carrier_id"))
    if len(set(found.values())) > 1:
        raise InvalidInput(
            f"Tracking number {number} is used by more than one carrier: send the carrier's code.",
            field="carrier",
            code="ambiguous_tracking",
        )
    return set(found)


def _delivery_time(delivered_at, *, number: str):
    now = timezone.now()
    if delivered_at is None:
        return now
    if timezone.is_naive(delivered_at):
        raise InvalidInput(
            "Give the delivery time with its time zone, e.g. 2026-05-04T14:30:00+01:00.",
            field="delivered_at",
        )
    if delivered_at > now + CLOCK_SKEW:
        raise InvalidInput(
            f"The delivery time of {number} is in the future.",
            field="delivered_at",
            code="delivered_in_future",
        )
    return delivered_at


@service
def tracking_update(
    *,
    tracking_number: str,
    user=None,
    status: str = "delivered",
    delivered_at=None,
    carrier: str = "",
) -> list[Shipment]:
    """Record a carrier's news for a tracking number: parcels and shipments delivered.

    A shipment is delivered once all its parcels are; an order is delivered
    once everything has shipped and all its shipments are delivered. Unknown
    numbers are refused (404); only ``delivered`` is understood for now. The
    delivery time may not lie in the future nor before the shipment shipped.
    """
    check_perm(user, "fulfillment.update_tracking", "Your role does not allow tracking updates.")
    number = (tracking_number or "").strip()
    if not number:
        raise InvalidInput("Send the tracking number.", field="tracking_number")
    if status != "delivered":
        raise InvalidInput(
            "Only the status 'delivered' is understood.", field="status", code="bad_status"
        )
    when = _delivery_time(delivered_at, number=number)
    shipment_ids = _tracked_shipment_ids(number, (carrier or "").strip())
    if not shipment_ids:
        raise NotFound(
            f"No parcel or shipment has tracking number {number}.",
            field="tracking_number",
            code="unknown_tracking",
        )
    orders, shipments = lock_shipments(shipment_ids)
    changed = []
    for shipment in shipments.values():
        if shipment.status not in (Status.SHIPPED, Status.DELIVERED):
            raise TransitionRefused(
                f"Shipment {shipment} is {shipment.get_status_display().lower()}: it has not "
                "shipped, so it cannot be delivered.",
                code="not_shipped",
            )
        if shipment.shipped_at and when < shipment.shipped_at:
            shipped = timezone.localtime(shipment.shipped_at).strftime("%d %b %Y %H:%M")
            raise InvalidInput(
                f"The delivery time is before shipment {shipment} shipped ({shipped}).",
                field="delivered_at",
                code="delivered_before_shipped",
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
            order_services.order_timeline_add(
                order=shipment.order,
                user=user,
                note=f"Shipment {shipment} delivered (tracking {number})",
                data={"shipment_id": shipment.pk, "shipment": shipment.number},
            )
            changed.append(shipment)
    for order in orders.values():
        _deliver_order_if_done(order, user=user)
    return list(shipments.values())


def _deliver_order_if_done(order: Order, *, user) -> None:
    """Tell the order it was delivered once everything shipped and every shipment arrived."""
    if order.status != OrderStatus.SHIPPED:
        return
    shipments = order.shipments.exclude(status=Status.CANCELLED)
    if shipments.exclude(status=Status.DELIVERED).exists():
        return
    last = max(shipment.delivered_at for shipment in shipments)
    order_services.order_delivered(
        order=order, delivered_at=last, user=user, note="Every shipment delivered"
    )
