"""Shipments, waves and orders made through the real services, for the printed documents."""

import pytest

from fulfillment import services
from tests.fulfillment import conftest as floor

# The floor tests' fixtures, shared: orders placed and confirmed, carriers, boxes, a picked wave.
box = floor.box
customer = floor.customer
make_order = floor.make_order
picked_wave = floor.picked_wave
receive = floor.receive
royal_mail = floor.royal_mail


def pack_in_parcels(shipment, user, box, *, units_per_parcel: int = 1):
    """Pack a picked shipment, ``units_per_parcel`` units to a parcel, closing each parcel."""
    services.pack_scan(user=user, code=shipment.number)
    for line in shipment.lines.select_related("product"):
        left = line.quantity - line.short
        while left > 0:
            take = min(units_per_parcel, left)
            services.pack_scan(
                user=user, code=f"{take}*{line.product.barcode}", shipment_id=shipment.pk
            )
            services.parcel_close(user=user, shipment_id=shipment.pk, package_type_id=box.pk)
            left -= take
    shipment.refresh_from_db()


@pytest.fixture
def shipped(picked_wave, warehouse_user, box):
    """The picked wave's shipment (2 red mugs), packed one mug a parcel and shipped."""
    wave, shipment = picked_wave
    pack_in_parcels(shipment, warehouse_user, box)
    services.shipment_ship(
        shipment_id=shipment.pk, user=warehouse_user, tracking_number="RM123456789GB"
    )
    shipment.refresh_from_db()
    return wave, shipment
