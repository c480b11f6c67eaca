"""Every write on the warehouse floor: shipments, waves, picking, packing, shipping, delivery.

Locks are taken order rows first (by pk), then shipment rows (by pk), then
stock rows (by pk, inside inventory.services), the one order of ``oms.locks``
that every service follows, so two services never wait on each other in a
circle. Scan
services log every scan: accepted ones with what they did, refused ones
(after the rollback) with the reason, so a refusal changes nothing else.
"""

from fulfillment.services.base import ScanAnswer
from fulfillment.services.packing import pack_scan
from fulfillment.services.parcels import parcel_close, suggested_weight
from fulfillment.services.picking import pick_scan
from fulfillment.services.shipments import (
    shipment_cancel,
    shipment_create_for_order,
    shipments_cancel_for_order,
    shipments_create_ready,
    shipments_readdress_for_order,
)
from fulfillment.services.shipping import shipment_ship
from fulfillment.services.shorts import pick_short
from fulfillment.services.tracking import tracking_update
from fulfillment.services.waves import wave_create

__all__ = [
    "ScanAnswer",
    "pack_scan",
    "parcel_close",
    "pick_scan",
    "pick_short",
    "shipment_cancel",
    "shipment_create_for_order",
    "shipment_ship",
    "shipments_cancel_for_order",
    "shipments_create_ready",
    "shipments_readdress_for_order",
    "suggested_weight",
    "tracking_update",
    "wave_create",
]
