"""Two packers shipping with the same tracking number at the same moment: one wins.

The check in shipment_ship sees no other shipment with the number in both
threads; the database's unique constraint decides, and the loser is refused
in plain words (409), never a 500, with its stock untouched.
"""

import pytest

from fulfillment import services
from fulfillment.models import Carrier, PackageType, Shipment, ShippingMethod
from inventory.selectors import ledger_mismatches
from oms.errors import Conflict
from orders import services as order_services
from tests.concurrency.threads import run_together
from tests.factories import CustomerFactory, address_data

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def two_packed(stocked, sales_user, warehouse_user):
    """Two packed shipments of one red mug each, for two customers, going with Royal Post."""
    carrier = Carrier.objects.create(code="RM", name="Royal Post")
    ShippingMethod.objects.create(carrier=carrier, code="standard", name="Tracked 48")
    box = PackageType.objects.create(name="Box", length_mm=300, width_mm=200, height_mm=150)
    shipments = []
    for _ in range(2):
        order = order_services.order_create(
            customer=CustomerFactory(),
            user=sales_user,
            shipping_address=address_data(),
            lines=[{"sku": "MUG-RED", "quantity": 1}],
            shipping_method="standard",
            place=True,
        )
        order_services.order_confirm(order_id=order.pk, user=sales_user)
        shipments += services.shipment_create_for_order(order_id=order.pk, user=warehouse_user)
    wave = services.wave_create(user=warehouse_user)
    services.pick_scan(user=warehouse_user, code="BIN-MAIN-A-01-01", wave_id=wave.pk)
    services.pick_scan(user=warehouse_user, code="2*4006381333931", wave_id=wave.pk)
    for shipment in shipments:
        services.pack_scan(user=warehouse_user, code=shipment.number)
        services.pack_scan(user=warehouse_user, code="4006381333931", shipment_id=shipment.pk)
        services.parcel_close(user=warehouse_user, shipment_id=shipment.pk, package_type_id=box.pk)
    return shipments


def test_one_of_two_shipments_racing_for_a_tracking_number_gets_it(two_packed, warehouse_user):
    # given
    ids = [shipment.pk for shipment in two_packed]

    # when
    def ship(i):
        return services.shipment_ship(
            shipment_id=ids[i], user=warehouse_user, tracking_number="RM1"
        ).pk

    results, refused, errors = run_together(ship, expected=(Conflict,), threads=2)
    # then
    assert errors == []
    assert len(results) == 1 and len(refused) == 1
    [refusal] = refused.values()
    assert refusal.code == "tracking_taken"
    statuses = sorted(Shipment.objects.values_list("status", flat=True))
    assert statuses == ["packed", "shipped"]
    assert list(
        Shipment.objects.exclude(tracking_number="").values_list("tracking_number", flat=True)
    ) == ["RM1"]
    assert ledger_mismatches() == []
