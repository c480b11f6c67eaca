"""The warehouse floor under concurrency: two people scanning the same units at the same moment.

Real threads, each with its own PostgreSQL connection, wait at a barrier and
then scan at once. The scan services lock the order, then the shipment, then
its lines, so exactly as many scans are accepted as there are units; the rest
are refused in plain words and logged, and the counts never pass each other.
"""

import pytest

from fulfillment import services
from fulfillment.models import Carrier, ScanEvent, Shipment, ShipmentLine, ShippingMethod
from inventory.models import StockLevel
from inventory.selectors import ledger_mismatches
from oms.errors import Conflict
from oms.roles import Role
from orders import services as order_services
from tests.concurrency.threads import run_together
from tests.factories import CustomerFactory, UserFactory, address_data

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

MUG = "4006381333931"
BIN = "BIN-MAIN-A-01-01"


@pytest.fixture
def shipment(stocked, sales_user, warehouse_user):
    """A pending shipment of 3 red mugs from A-01-01, in a wave of its own."""
    carrier = Carrier.objects.create(code="RM", name="Royal Post")
    ShippingMethod.objects.create(carrier=carrier, code="standard", name="Tracked 48")
    order = order_services.order_create(
        customer=CustomerFactory(),
        user=sales_user,
        channel="web",
        shipping_address=address_data(),
        lines=[{"sku": "MUG-RED", "quantity": 3}],
        shipping_method="standard",
        place=True,
    )
    order_services.order_confirm(order_id=order.pk, user=sales_user)
    [shipment] = services.shipment_create_for_order(order_id=order.pk, user=warehouse_user)
    services.wave_create(user=warehouse_user)
    shipment.refresh_from_db()
    return shipment


def workers(count: int) -> list:
    return [UserFactory(username=f"floor{i}", roles=[Role.WAREHOUSE]) for i in range(count)]


def refusals() -> list[str]:
    return list(
        ScanEvent.objects.filter(result=ScanEvent.Result.REFUSED)
        .order_by("pk")
        .values_list("message", flat=True)
    )


def test_two_packers_scanning_the_last_unit_pack_it_once(shipment, warehouse_user):
    # given the shipment picked, 2 of its 3 mugs packed
    services.pick_scan(user=warehouse_user, code=BIN, wave_id=shipment.wave_id)
    services.pick_scan(user=warehouse_user, code=f"3*{MUG}", wave_id=shipment.wave_id)
    services.pack_scan(user=warehouse_user, code=shipment.number)
    services.pack_scan(user=warehouse_user, code=f"2*{MUG}", shipment_id=shipment.pk)
    packers = workers(2)

    # when both packers scan the last mug at the same moment
    results, refused, errors = run_together(
        lambda i: services.pack_scan(user=packers[i], code=MUG, shipment_id=shipment.pk),
        expected=(Conflict,),
        threads=2,
    )

    # then exactly one is accepted, the other refused in plain words
    assert errors == []
    assert len(results) == 1 and len(refused) == 1
    [accepted] = results.values()
    assert accepted.message.startswith("Packed 1 \u00d7 Red mug into parcel 1 (3 of 3 items")
    [error] = refused.values()
    assert error.message == "Not on this order: Red mug \u00d73 is already packed."
    assert refusals() == [error.message]
    # and packed never passes picked
    line = ShipmentLine.objects.get(shipment=shipment)
    assert (line.quantity, line.picked, line.packed) == (3, 3, 3)
    assert sum(item.quantity for item in line.parcel_items.all()) == 3


def test_many_packers_scanning_at_once_never_pack_more_than_was_picked(shipment, warehouse_user):
    # given 2 of the 3 mugs picked, none packed yet
    services.pick_scan(user=warehouse_user, code=BIN, wave_id=shipment.wave_id)
    services.pick_scan(user=warehouse_user, code=f"2*{MUG}", wave_id=shipment.wave_id)
    services.pack_scan(user=warehouse_user, code=shipment.number)
    packers = workers(8)

    # when 8 packers scan a mug each at once
    results, refused, errors = run_together(
        lambda i: services.pack_scan(user=packers[i], code=MUG, shipment_id=shipment.pk),
        expected=(Conflict,),
        threads=8,
    )

    # then 2 are packed (as many as were picked) and 6 refused: not picked yet
    assert errors == []
    assert (len(results), len(refused)) == (2, 6)
    assert {error.message for error in refused.values()} == {
        f"Not picked yet: Red mug has not been picked for {shipment}. Pick it before packing."
    }
    line = ShipmentLine.objects.get(shipment=shipment)
    assert (line.picked, line.packed) == (2, 2)
    assert len(refusals()) == 6


def test_two_pickers_picking_the_same_line_at_once_pick_it_once(shipment):
    # given two pickers standing at the bin
    pickers = workers(2)
    for picker in pickers:
        services.pick_scan(user=picker, code=BIN, wave_id=shipment.wave_id)

    # when both scan all 3 mugs at the same moment
    results, refused, errors = run_together(
        lambda i: services.pick_scan(user=pickers[i], code=f"3*{MUG}", wave_id=shipment.wave_id),
        expected=(Conflict,),
        threads=2,
    )

    # then one pick is accepted, the other refused: as an over-pick when it waited on the
    # line's lock, or as "everything is picked" when the first pick had finished the wave
    assert errors == []
    assert (len(results), len(refused)) == (1, 1)
    [error] = refused.values()
    over_pick = error.message.startswith("Over-pick:") and "Red mug" in error.message
    assert over_pick or error.message.startswith(f"Everything on {shipment.wave} is picked")
    line = ShipmentLine.objects.get(shipment=shipment)
    assert (line.quantity, line.picked) == (3, 3)
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.PICKED


def test_many_pickers_one_unit_each_never_over_pick(shipment):
    # given 6 pickers at the bin, 3 mugs to pick
    pickers = workers(6)
    for picker in pickers:
        services.pick_scan(user=picker, code=BIN, wave_id=shipment.wave_id)

    # when each scans one mug at once
    results, refused, errors = run_together(
        lambda i: services.pick_scan(user=pickers[i], code=MUG, wave_id=shipment.wave_id),
        expected=(Conflict,),
        threads=6,
    )

    # then 3 are accepted and 3 refused; the stock is untouched until shipping
    assert errors == []
    assert (len(results), len(refused)) == (3, 3)
    assert all(error.message.startswith("Over-pick:") for error in refused.values())
    assert ShipmentLine.objects.get(shipment=shipment).picked == 3
    assert (
        ScanEvent.objects.filter(
            action=ScanEvent.Action.PICK, result=ScanEvent.Result.ACCEPTED
        ).count()
        == 3
    )
    level = StockLevel.objects.get()
    assert (level.on_hand, level.allocated) == (10, 3)
    assert ledger_mismatches() == []


def test_cancelling_an_order_while_it_is_packed_leaves_no_half_state(
    shipment, warehouse_user, sales_user
):
    # given the shipment picked and opened at the pack bench
    services.pick_scan(user=warehouse_user, code=BIN, wave_id=shipment.wave_id)
    services.pick_scan(user=warehouse_user, code=f"3*{MUG}", wave_id=shipment.wave_id)
    services.pack_scan(user=warehouse_user, code=shipment.number)
    packer = workers(1)[0]

    # when the rep cancels the order while the packer scans a mug
    def work(i):
        if i == 0:
            return order_services.order_cancel(order_id=shipment.order_id, user=sales_user)
        return services.pack_scan(user=packer, code=MUG, shipment_id=shipment.pk)

    results, refused, errors = run_together(work, expected=(Conflict,), threads=2)

    # then the order and its shipment are cancelled and the stock released, whoever won
    assert errors == []
    assert 0 in results
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.CANCELLED
    if 1 in refused:
        assert refused[1].message == f"Shipment {shipment} is cancelled: do not pack it."
    level = StockLevel.objects.get()
    assert (level.on_hand, level.allocated) == (10, 0)
    assert ledger_mismatches() == []
