"""The shapes the warehouse floor's API reads and writes.

Output is built as plain dictionaries from rows loaded by
``fulfillment.selectors`` (no further queries); input serializers check
shape only, the services decide the rest.
"""

from __future__ import annotations

from rest_framework import serializers

from fulfillment import selectors
from fulfillment.models import Shipment, Wave
from fulfillment.services.base import ScanAnswer
from fulfillment.services.waves import MAX_WAVE_ORDERS, MAX_WAVE_SHIPMENTS
from oms.api_inputs import object_id, whole
from oms.services import MAX_QUANTITY
from orders.models import Order
from orders.services.customers import ADDRESS_FIELDS


def moment(value) -> str | None:
    """Return a moment as ISO 8601 text, or None."""
    return value.isoformat() if value else None


def _address(address) -> dict | None:
    if address is None:
        return None
    return {name: getattr(address, name) for name in ADDRESS_FIELDS}


def shipment_as_dict(shipment: Shipment) -> dict:
    """Serialise a shipment loaded by selectors.shipments() (no further queries)."""
    parcels = list(shipment.parcels.all())
    return {
        "id": shipment.pk,
        "number": shipment.number,
        "status": shipment.status,
        "order": {"id": shipment.order_id, "number": shipment.order.number},
        "ship_to": _address(shipment.ship_to),
        "warehouse": shipment.warehouse.code,
        "wave": shipment.wave.number if shipment.wave_id else None,
        "tote": shipment.wave_position or None,
        "carrier": shipment.carrier.code if shipment.carrier_id else None,
        "shipping_method": shipment.shipping_method.code if shipment.shipping_method_id else None,
        "tracking_number": shipment.tracking_number,
        "tracking_url": shipment.tracking_url,
        "shipped_at": moment(shipment.shipped_at),
        "delivered_at": moment(shipment.delivered_at),
        "version": shipment.version,
        "lines": [
            {
                "id": line.pk,
                "sku": line.product.sku,
                "name": line.product.name,
                "location": line.location.code,
                "quantity": line.quantity,
                "picked": line.picked,
                "packed": line.packed,
                "short": line.short,
            }
            for line in shipment.lines.all()
        ],
        "parcels": [
            {
                "number": parcel.number,
                "of": len(parcels),
                "package_type": parcel.package_type.name if parcel.package_type_id else None,
                "weight_grams": parcel.weight_grams,
                "tracking_number": parcel.tracking_number,
                "closed": parcel.closed_at is not None,
                "delivered_at": moment(parcel.delivered_at),
                "items": [
                    {"line": item.shipment_line_id, "quantity": item.quantity}
                    for item in parcel.items.all()
                    if item.quantity
                ],
            }
            for parcel in parcels
        ],
    }


def wave_as_dict(wave: Wave, *, with_pick_list: bool = False) -> dict:
    """Serialise a wave; with its shipments, progress and pick list in walking order when asked."""
    data = {
        "id": wave.pk,
        "number": wave.number,
        "status": wave.status,
        "created_at": moment(wave.created_at),
    }
    if with_pick_list:
        plist = selectors.pick_list(wave)
        data["shipments"] = [
            {"id": s.pk, "number": s.number, "order": s.order.number, "tote": s.wave_position}
            for s in selectors.wave_shipments(wave)
        ]
        data["progress"] = {"lines_done": plist.lines_done, "lines_total": plist.lines_total}
        data["pick_list"] = [
            {
                "location": row.location.code,
                "location_barcode": row.location.barcode,
                "sku": row.product.sku,
                "name": row.product.name,
                "barcode": row.product.barcode,
                "quantity": row.quantity,
                "picked": row.picked,
                "short": row.short,
                "orders": [
                    {
                        "shipment": split.shipment,
                        "order": split.order,
                        "tote": split.tote,
                        "colour": split.colour,
                        "quantity": split.quantity,
                        "picked": split.picked,
                    }
                    for split in row.splits
                ],
            }
            for row in plist.rows
        ]
    return data


def scan_answer_as_dict(answer: ScanAnswer) -> dict:
    """Serialise a scan's answer: accepted or not, the words shown, the scan logged."""
    event = answer.event
    return {
        "status": answer.status,
        "message": answer.message,
        "scan_id": event.pk if event else None,
        "shipment": event.shipment_id if event else None,
    }


# --- input ---------------------------------------------------------------------------------------


class ShipmentCreateSerializer(serializers.Serializer):
    order = object_id("Order", help_text="The order's id.")


class ShipSerializer(serializers.Serializer):
    carrier = serializers.CharField(required=False, allow_blank=True, default="", max_length=20)
    shipping_method = object_id("Shipping method", required=False, allow_null=True, default=None)
    tracking_number = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=100
    )


class ShipmentCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class WaveCreateSerializer(serializers.Serializer):
    carrier = serializers.CharField(required=False, allow_blank=True, default="", max_length=20)
    min_priority = whole(
        "Priority",
        minimum=Order.MIN_PRIORITY,
        maximum=Order.MAX_PRIORITY,
        required=False,
        allow_null=True,
        default=None,
    )
    vip_only = serializers.BooleanField(required=False, default=False)
    max_orders = whole(
        "Maximum orders",
        minimum=1,
        maximum=MAX_WAVE_ORDERS,
        required=False,
        allow_null=True,
        default=None,
    )
    shipments = serializers.ListField(
        child=object_id("Shipment"),
        max_length=MAX_WAVE_SHIPMENTS,
        required=False,
        allow_null=True,
        default=None,
    )


class PickScanSerializer(serializers.Serializer):
    wave = object_id("Wave")
    code = serializers.CharField(max_length=200, trim_whitespace=False)
    quantity = whole(
        "Quantity", minimum=1, maximum=MAX_QUANTITY, required=False, allow_null=True, default=None
    )


class PackScanSerializer(serializers.Serializer):
    shipment = object_id("Shipment", required=False, allow_null=True, default=None)
    code = serializers.CharField(max_length=200, trim_whitespace=False)
    quantity = whole(
        "Quantity", minimum=1, maximum=MAX_QUANTITY, required=False, allow_null=True, default=None
    )
    package_type = object_id("Package type", required=False, allow_null=True, default=None)
