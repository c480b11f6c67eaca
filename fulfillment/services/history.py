"""The warehouse's part of loading order history: one delivered shipment per imported order.

Each order the history import wrote (``orders.services.history``) left in
one shipment from the bins its lines came from, in one parcel with a
tracking number of the demo's national carrier, and was delivered; the
ledger rows behind it are inventory's (``inventory.services.history``).
"""

from __future__ import annotations

from collections.abc import Sequence

from fulfillment.models import Carrier, Parcel, Shipment, ShipmentLine
from inventory.models import Location
from oms.bulk import insert_rows, reserve_ids
from oms.services import service

HISTORY_CARRIER = ("RM", "Royal Post")
# The tables these services write, for a bulk load that checks their keys at the end.
HISTORY_TABLES = (Shipment, ShipmentLine, Parcel)


def _carrier() -> Carrier:
    carrier = Carrier.objects.filter(code=HISTORY_CARRIER[0]).first()
    if carrier is None:
        carrier = Carrier.objects.create(code=HISTORY_CARRIER[0], name=HISTORY_CARRIER[1])
    return carrier


@service
def history_shipments(*, orders: Sequence) -> dict[int, str]:
    """Write a delivered shipment, its lines and its parcel for each imported order.

    ``orders`` are ``orders.services.history.HistoryOrder`` rows; returns
    {order id: shipment number}, the ledger's reference for its units.
    """
    carrier = _carrier()
    warehouse_of = dict(
        Location.objects.filter(
            pk__in={line.location_id for order in orders for line in order.lines}
        ).values_list("pk", "warehouse_id")
    )
    shipment_ids = reserve_ids(Shipment, len(orders))
    parcel_ids = reserve_ids(Parcel, len(orders))
    line_ids = iter(reserve_ids(ShipmentLine, sum(len(order.lines) for order in orders)))
    numbers = {}
    shipments, lines, parcels = [], [], []
    for order, shipment_id, parcel_id in zip(orders, shipment_ids, parcel_ids, strict=True):
        number = f"SH-{shipment_id:06d}"
        numbers[order.order_id] = number
        tracking = f"HIST{order.invoice}GB"
        warehouse_id = warehouse_of[order.lines[0].location_id]
        shipments.append(
            (
                shipment_id,
                number,
                order.order_id,
                warehouse_id,
                0,
                Shipment.Status.DELIVERED,
                carrier.pk,
                tracking,
                order.address_id,
                order.shipped_at,
                order.delivered_at,
                1,
                order.shipped_at,
                order.delivered_at,
            )
        )
        lines.extend(
            (
                next(line_ids),
                shipment_id,
                line.line_id,
                line.product_id,
                line.location_id,
                line.quantity,
                line.quantity,
                line.quantity,
                0,
            )
            for line in order.lines
        )
        parcels.append(
            (
                parcel_id,
                shipment_id,
                1,
                tracking,
                order.shipped_at,
                order.delivered_at,
                order.shipped_at,
            )
        )
    insert_rows(
        Shipment,
        [
            "id",
            "number",
            "order_id",
            "warehouse_id",
            "wave_position",
            "status",
            "carrier_id",
            "tracking_number",
            "ship_to_id",
            "shipped_at",
            "delivered_at",
            "version",
            "created_at",
            "updated_at",
        ],
        shipments,
    )
    insert_rows(
        ShipmentLine,
        [
            "id",
            "shipment_id",
            "order_line_id",
            "product_id",
            "location_id",
            "quantity",
            "picked",
            "packed",
            "short",
        ],
        lines,
    )
    insert_rows(
        Parcel,
        [
            "id",
            "shipment_id",
            "number",
            "tracking_number",
            "closed_at",
            "delivered_at",
            "created_at",
        ],
        parcels,
    )
    return numbers
