import pytest

from fulfillment import services
from fulfillment.models import Parcel, ScanEvent, Shipment
from oms.errors import Conflict, InvalidInput
from tests.factories import ProductFactory


def pack(user, shipment, code, **kwargs):
    return services.pack_scan(user=user, code=code, shipment_id=shipment.pk, **kwargs)


def test_scan_shipment_then_items_then_close_parcel(picked_wave, warehouse_user, box):
    # given
    _, shipment = picked_wave
    # when
    opened = services.pack_scan(user=warehouse_user, code=shipment.number.lower())
    first = pack(warehouse_user, shipment, "4006381333931")
    pack(warehouse_user, shipment, "4006381333931")
    closed = services.parcel_close(
        user=warehouse_user, shipment_id=shipment.pk, package_type_id=box.pk
    )
    # then
    assert opened.message.startswith(f"Packing {shipment.number}")
    assert first.message == "Packed 1 × Red mug into parcel 1 (1 of 2 items packed)."
    parcel = Parcel.objects.get()
    assert parcel.weight_grams == 2 * 250 + 120  # products plus the box
    assert "is packed: ship it" in closed.message
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.PACKED


def test_order_barcode_opens_its_shipment(picked_wave, warehouse_user):
    _, shipment = picked_wave
    answer = services.pack_scan(user=warehouse_user, code=shipment.order.number)
    assert answer.event.shipment_id == shipment.pk


def test_item_not_on_the_shipment_is_refused(picked_wave, warehouse_user, floor):
    # given
    _, shipment = picked_wave
    ProductFactory(sku="BOWL", name="Bowl", barcode="4000000000006")
    before = floor()
    # when
    with pytest.raises(Conflict) as err:
        pack(warehouse_user, shipment, "4000000000006")
    # then
    assert err.value.message == f"Not on this order: Bowl is not on {shipment.order}. Put it aside."
    assert floor() == before


def test_item_beyond_its_quantity_is_refused(picked_wave, warehouse_user, floor):
    # given
    _, shipment = picked_wave
    pack(warehouse_user, shipment, "2*4006381333931")
    before = floor()
    # when
    with pytest.raises(Conflict) as err:
        pack(warehouse_user, shipment, "4006381333931")
    # then
    assert err.value.message == "Not on this order: Red mug ×2 is already packed."
    assert floor() == before
    assert ScanEvent.objects.filter(result="refused").count() == 1


def test_packing_an_unpicked_item_is_refused(make_order, stocked, warehouse_user, floor):
    # given: 1 of 2 picked
    order = make_order(("MUG-RED", 2))
    [shipment] = services.shipment_create_for_order(order_id=order.pk, user=warehouse_user)
    wave = services.wave_create(user=warehouse_user)
    services.pick_scan(user=warehouse_user, code="BIN-MAIN-A-01-01", wave_id=wave.pk)
    services.pick_scan(user=warehouse_user, code="4006381333931", wave_id=wave.pk)
    pack(warehouse_user, shipment, "4006381333931")
    before = floor()
    # when
    with pytest.raises(Conflict) as err:
        pack(warehouse_user, shipment, "4006381333931")
    # then
    assert err.value.message.startswith("Not picked yet: Red mug has not been picked")
    assert floor() == before


def test_packing_a_pending_shipment_is_refused(make_order, stocked, warehouse_user, floor):
    order = make_order(("MUG-RED", 2))
    [shipment] = services.shipment_create_for_order(order_id=order.pk, user=warehouse_user)
    before = floor()
    with pytest.raises(Conflict, match="is not picked yet"):
        services.pack_scan(user=warehouse_user, code=shipment.number)
    assert floor() == before


def test_item_before_the_shipment_is_refused(picked_wave, warehouse_user, floor):
    before = floor()
    with pytest.raises(InvalidInput, match="Scan the shipment or order barcode first"):
        services.pack_scan(user=warehouse_user, code="4006381333931")
    assert floor() == before


def test_new_parcel_command_closes_the_parcel_and_the_next_item_opens_another(
    picked_wave, warehouse_user, box
):
    # given
    _, shipment = picked_wave
    pack(warehouse_user, shipment, "4006381333931")
    # when
    pack(warehouse_user, shipment, "CMD-NEW-PARCEL", package_type_id=box.pk)
    answer = pack(warehouse_user, shipment, "4006381333931")
    # then
    assert "into parcel 2" in answer.message
    assert list(Parcel.objects.values_list("number", "weight_grams")) == [(1, 370), (2, None)]


def test_undo_takes_the_last_item_out_and_reopens_a_closed_parcel(picked_wave, warehouse_user, box):
    # given
    _, shipment = picked_wave
    pack(warehouse_user, shipment, "2*4006381333931")
    services.parcel_close(user=warehouse_user, shipment_id=shipment.pk, package_type_id=box.pk)
    # when
    reopened = pack(warehouse_user, shipment, "CMD-UNDO")
    taken_out = pack(warehouse_user, shipment, "CMD-UNDO")
    # then
    assert reopened.message == "Undone: parcel 1 is open again."
    assert taken_out.message == "Undone: 2 × Red mug taken out of parcel 1."
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.PICKED
    assert shipment.lines.get().packed == 0
    assert ScanEvent.objects.filter(action="undo").count() == 2


def test_closing_an_empty_parcel_is_refused(picked_wave, warehouse_user, floor):
    _, shipment = picked_wave
    before = floor()
    with pytest.raises(Conflict, match="no open parcel with items"):
        services.parcel_close(user=warehouse_user, shipment_id=shipment.pk)
    assert floor() == before


def test_a_bad_weight_is_refused(picked_wave, warehouse_user, floor):
    _, shipment = picked_wave
    pack(warehouse_user, shipment, "4006381333931")
    before = floor()
    with pytest.raises(InvalidInput, match="Weight"):
        services.parcel_close(user=warehouse_user, shipment_id=shipment.pk, weight_grams="heavy")
    assert floor() == before
