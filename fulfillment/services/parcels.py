"""Parcels at the pack bench: the open parcel, closing it with its box and weight.

Packing scans (``fulfillment.services.packing``) put items into the open
parcel; closing it records the box and the weight (suggested from the
products' weights and the box's tare when none is typed), and the shipment
is packed once every item is in a closed parcel.
"""

from __future__ import annotations

from django.db.models import Max
from django.utils import timezone

from fulfillment.models import PackageType, Parcel, ScanEvent, Shipment
from fulfillment.services.base import (
    OK,
    WARN,
    ScanAnswer,
    check_perm,
    lock_shipments,
    log_scan,
    save_shipment,
    scan_service,
)
from oms.errors import Conflict, InvalidInput, NotFound
from oms.services import id_or_none, whole_number
from orders.models import Order

PACK_PERM = "fulfillment.pack_shipment"
PACK_REFUSED = "Only warehouse staff and managers pack."


def suggested_weight(parcel: Parcel | None, package_type: PackageType | None = None) -> int:
    """Return a parcel's weight in grams from its items' product weights plus the box."""
    grams = 0
    if parcel is not None and parcel.pk:
        for item in parcel.items.select_related("shipment_line__product"):
            grams += item.quantity * item.shipment_line.product.weight_grams
    if package_type is not None:
        grams += package_type.tare_grams
    return grams


def lock_for_packing(shipment_id) -> Shipment:
    """Return the shipment locked for packing, or refuse with NotFound."""
    shipment_id = id_or_none(shipment_id)
    if shipment_id is None:
        raise NotFound("That shipment does not exist.", field="shipment", code="unknown_shipment")
    _, shipments = lock_shipments([shipment_id])
    shipment = shipments.get(shipment_id)
    if shipment is None:
        raise NotFound("That shipment does not exist.", field="shipment", code="unknown_shipment")
    return shipment


def check_packable(shipment: Shipment) -> None:
    """Refuse to pack a shipment cancelled, shipped or not picked, or whose order may not ship."""
    if shipment.status == Shipment.Status.CANCELLED:
        raise Conflict(f"Shipment {shipment} is cancelled: do not pack it.", code="cancelled")
    if shipment.status in (Shipment.Status.SHIPPED, Shipment.Status.DELIVERED):
        raise Conflict(f"Shipment {shipment} has already shipped.", code="shipped")
    if shipment.status == Shipment.Status.PENDING:
        raise Conflict(
            f"Shipment {shipment} is not picked yet: pick it before packing.", code="not_picked"
        )
    if shipment.order.status in (Order.Status.CANCELLED, Order.Status.ON_HOLD):
        raise Conflict(
            f"Order {shipment.order} is {shipment.order.get_status_display().lower()}: do not "
            "pack it.",
            code="order_not_shippable",
        )


def open_parcel(shipment: Shipment, *, create: bool) -> Parcel | None:
    """Return the shipment's open parcel; with ``create``, start the next one when none is open."""
    parcel = shipment.parcels.filter(closed_at__isnull=True).order_by("number").first()
    if parcel is None and create:
        last = shipment.parcels.aggregate(last=Max("number"))["last"] or 0
        parcel = Parcel.objects.create(shipment=shipment, number=last + 1)
    return parcel


@scan_service(ScanEvent.Screen.PACK)
def parcel_close(
    *, user, code: str = "close parcel", shipment_id, package_type_id=None, weight_grams=None
) -> ScanAnswer:
    """Close the open parcel: its box, and its weight (suggested from the products when blank)."""
    check_perm(user, PACK_PERM, PACK_REFUSED)
    if shipment_id is None:
        raise InvalidInput(
            "Scan the shipment or order barcode first.", field="code", code="no_shipment"
        )
    shipment = lock_for_packing(shipment_id)
    return close_parcel(
        user=user,
        code=code,
        shipment=shipment,
        package_type_id=package_type_id,
        weight_grams=weight_grams,
        quiet_if_none=False,
    )


def close_parcel(
    *, user, code: str, shipment: Shipment, package_type_id, weight_grams, quiet_if_none: bool
) -> ScanAnswer:
    """Close the shipment's open parcel and log it; the shipment is packed once all is in.

    ``quiet_if_none``: a scanned CMD-NEW-PARCEL with no open parcel just says
    the next item goes into a new one.
    """
    check_packable(shipment)
    package_type = None
    if package_type_id not in (None, ""):
        package_id = id_or_none(package_type_id)
        package_type = (
            PackageType.objects.filter(pk=package_id, is_active=True).first()
            if package_id
            else None
        )
        if package_type is None:
            raise InvalidInput("Choose a package type from the list.", field="package_type")
    parcel = open_parcel(shipment, create=False)
    if parcel is None or not parcel.items.filter(quantity__gt=0).exists():
        if quiet_if_none and parcel is None and shipment.parcels.exists():
            last = shipment.parcels.order_by("-number").first()
            message = f"Parcel {last.number} is closed: the next item goes into a new parcel."
            event = log_scan(
                user=user,
                screen=ScanEvent.Screen.PACK,
                code=code,
                accepted=True,
                message=message,
                action=ScanEvent.Action.NEW_PARCEL,
                shipment=shipment,
            )
            return ScanAnswer(OK, message, event)
        raise Conflict(
            "There is no open parcel with items in it: scan the items first.",
            field="code",
            code="empty_parcel",
        )
    if weight_grams in (None, ""):
        weight = suggested_weight(parcel, package_type)
    else:
        weight = whole_number(
            weight_grams, field="weight_grams", label="Weight (g)", maximum=1_000_000
        )
    parcel.package_type = package_type
    parcel.weight_grams = weight
    parcel.closed_at = timezone.now()
    parcel.save(update_fields=["package_type", "weight_grams", "closed_at"])
    lines = list(shipment.lines.all())
    everything = all(line.packed >= line.quantity for line in lines)
    if everything and shipment.status == Shipment.Status.PICKED:
        shipment.finish_packing()
        save_shipment(shipment)
    box = package_type.name if package_type else "no box chosen"
    message = f"Parcel {parcel.number} closed: {box}, {weight} g."
    status = OK
    if shipment.status == Shipment.Status.PACKED:
        message += f" {shipment} is packed: ship it."
    elif everything:
        message += f" Everything is in, but {shipment} is still being picked."
        status = WARN
    else:
        message += " The next item goes into a new parcel."
    event = log_scan(
        user=user,
        screen=ScanEvent.Screen.PACK,
        code=code,
        accepted=True,
        message=message,
        action=ScanEvent.Action.CLOSE_PARCEL,
        shipment=shipment,
        data={"parcel": parcel.pk, "weight_grams": weight},
    )
    return ScanAnswer(status, message, event)
