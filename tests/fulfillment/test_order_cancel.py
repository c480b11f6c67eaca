"""Cancelling an order cancels its open shipments; its stock is released once, by the order."""

import pytest

from fulfillment import selectors, services
from fulfillment.models import Shipment, Wave
from inventory.models import StockLevel, StockMovement
from inventory.selectors import ledger_mismatches
from oms.errors import Conflict, NotAllowed, TransitionRefused
from orders import services as order_services
from orders.models import LineAllocation, Order, OrderEvent
from tests.factories import CustomerFactory
from tests.fulfillment.conftest import pack_all


def test_cancelling_an_order_cancels_its_picked_shipment_and_releases_stock_once(
    picked_wave, sales_user
):
    # given a wave whose only shipment (2 red mugs) is picked
    wave, shipment = picked_wave
    assert shipment.status == Shipment.Status.PICKED
    assert StockLevel.objects.get().allocated == 2
    movements = StockMovement.objects.count()
    # when the customer cancels
    order = order_services.order_cancel(
        order_id=shipment.order_id, user=sales_user, reason="customer request"
    )
    # then the shipment is cancelled, the stock released exactly once, the ledger untouched
    shipment.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert shipment.status == Shipment.Status.CANCELLED
    assert shipment.cancelled_at is not None
    level = StockLevel.objects.get()
    assert (level.on_hand, level.allocated) == (10, 0)
    assert list(LineAllocation.objects.values_list("quantity", flat=True)) == [0]
    line = order.lines.get()
    assert (line.quantity_allocated, line.quantity_backordered) == (0, 0)
    assert StockMovement.objects.count() == movements
    assert ledger_mismatches() == []
    # and the timeline tells the warehouse what to put back where
    note = order.events.filter(type=OrderEvent.Type.SHIPMENT).latest("pk").note
    assert note == (
        f"Shipment {shipment} cancelled with the order: put back 2 \u00d7 MUG-RED in A-01-01 "
        "(customer request)"
    )
    # and the wave, with nothing live left on it, is done
    wave.refresh_from_db()
    assert wave.status == Wave.Status.DONE


def test_a_packed_shipment_of_a_cancelled_order_is_cancelled_and_cannot_ship(
    picked_wave, sales_user, warehouse_user, box
):
    # given a packed shipment with a closed parcel
    _, shipment = picked_wave
    pack_all(shipment, warehouse_user, box)
    assert shipment.status == Shipment.Status.PACKED
    # when
    order_services.order_cancel(order_id=shipment.order_id, user=sales_user)
    # then
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.CANCELLED
    assert StockLevel.objects.get().allocated == 0
    with pytest.raises(TransitionRefused, match="is cancelled: it cannot be shipped"):
        services.shipment_ship(shipment_id=shipment.pk, user=warehouse_user, tracking_number="X1")
    assert ledger_mismatches() == []


def test_cancelling_one_order_of_a_wave_leaves_the_others_to_pick(
    make_order, stocked, warehouse_user, sales_user, royal_mail
):
    # given a wave of two orders: the first's 2 mugs picked, 1 of the second's 3
    first = make_order(("MUG-RED", 2))
    second = make_order(("MUG-RED", 3), who=CustomerFactory())
    services.shipments_create_ready(user=warehouse_user)
    wave = services.wave_create(user=warehouse_user)
    services.pick_scan(user=warehouse_user, code="BIN-MAIN-A-01-01", wave_id=wave.pk)
    services.pick_scan(user=warehouse_user, code="3*4006381333931", wave_id=wave.pk)
    # when the first order is cancelled
    order_services.order_cancel(order_id=first.pk, user=sales_user, reason="duplicate")
    # then only its shipment is cancelled; the pick list shows only the second order's units
    statuses = dict(Shipment.objects.values_list("order_id", "status"))
    assert statuses[first.pk] == Shipment.Status.CANCELLED
    assert statuses[second.pk] == Shipment.Status.PICKING
    [row] = selectors.pick_list(wave).rows
    assert (row.quantity, row.picked) == (3, 1)
    assert [split.order for split in row.splits] == [second.number]
    wave.refresh_from_db()
    assert wave.status == Wave.Status.PICKING
    assert StockLevel.objects.get().allocated == 3
    assert ledger_mismatches() == []


def test_the_released_stock_serves_the_next_order_in_line(
    picked_wave, make_order, sales_user, warehouse_user, django_capture_on_commit_callbacks
):
    # given the picked order holds 2 of 10 mugs, and a second order waits for 9
    _, shipment = picked_wave
    waiting = make_order(("MUG-RED", 9), who=CustomerFactory())
    assert waiting.status == Order.Status.BACKORDERED
    # when the picked order is cancelled
    with django_capture_on_commit_callbacks(execute=True):
        order_services.order_cancel(order_id=shipment.order_id, user=sales_user)
    # then the waiting order gets the mugs, and they are promised once
    waiting.refresh_from_db()
    assert waiting.status == Order.Status.ALLOCATED
    assert StockLevel.objects.get().allocated == 9
    assert ledger_mismatches() == []
    [again] = services.shipment_create_for_order(order_id=waiting.pk, user=warehouse_user)
    assert again.lines.get().quantity == 9


def test_a_refused_cancel_leaves_the_shipment_open(picked_wave, warehouse_user, floor):
    # given warehouse staff, who may not cancel orders
    _, shipment = picked_wave
    before = floor()
    # when
    with pytest.raises(NotAllowed):
        order_services.order_cancel(order_id=shipment.order_id, user=warehouse_user)
    # then
    assert floor() == before
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.PICKED


def test_an_order_with_shipped_goods_cannot_be_cancelled(
    make_order, stocked, warehouse_user, sales_user, box, royal_mail, floor
):
    # given 10 of 12 mugs shipped, 2 backordered
    order = make_order(("MUG-RED", 12))
    [shipment] = services.shipment_create_for_order(order_id=order.pk, user=warehouse_user)
    wave = services.wave_create(user=warehouse_user)
    services.pick_scan(user=warehouse_user, code="BIN-MAIN-A-01-01", wave_id=wave.pk)
    services.pick_scan(user=warehouse_user, code="10*4006381333931", wave_id=wave.pk)
    pack_all(shipment, warehouse_user, box)
    services.shipment_ship(shipment_id=shipment.pk, user=warehouse_user, tracking_number="T1")
    before = floor()
    # when
    with pytest.raises(TransitionRefused, match="has already shipped goods"):
        order_services.order_cancel(order_id=order.pk, user=sales_user)
    # then
    assert floor() == before


def test_cancelling_through_the_api_cancels_the_shipment(picked_wave, sales_user, api_as):
    # given
    _, shipment = picked_wave
    # when
    response = api_as(sales_user).post(
        f"/api/v1/orders/{shipment.order_id}/cancel/", {"reason": "customer request"}, format="json"
    )
    # then
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled"
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.CANCELLED
    assert StockLevel.objects.get().allocated == 0


def test_a_shipment_cancelled_on_its_own_is_not_cancelled_again_with_the_order(
    make_order, stocked, warehouse_user, sales_user
):
    # given a shipment cancelled by the warehouse, and a new one for the same order
    order = make_order(("MUG-RED", 2))
    [first] = services.shipment_create_for_order(order_id=order.pk, user=warehouse_user)
    services.shipment_cancel(shipment_id=first.pk, user=warehouse_user, reason="damaged box")
    [second] = services.shipment_create_for_order(order_id=order.pk, user=warehouse_user)
    cancelled_at = Shipment.objects.get(pk=first.pk).cancelled_at
    # when
    order_services.order_cancel(order_id=order.pk, user=sales_user)
    # then
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.cancelled_at == cancelled_at
    assert second.status == Shipment.Status.CANCELLED
    assert StockLevel.objects.get().allocated == 0
    with pytest.raises(Conflict, match="cannot be shipped now"):
        services.shipment_create_for_order(order_id=order.pk, user=warehouse_user)
