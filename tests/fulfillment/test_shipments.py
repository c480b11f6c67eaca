import pytest
from django.core import mail

from fulfillment import services
from fulfillment.models import ScanEvent, Shipment
from inventory.models import StockLevel, StockMovement
from oms.errors import Conflict, InvalidInput, NotAllowed, NotFound, TransitionRefused
from oms.models import OutboundEmail
from orders import services as order_services
from orders.models import Order, OrderEvent
from tests.factories import LocationFactory, WarehouseFactory
from tests.fulfillment.conftest import pack_all


def test_shipment_is_made_from_allocated_lines_per_bin(make_order, stocked, warehouse_user):
    # given
    order = make_order(("MUG-RED", 3))
    # when
    [shipment] = services.shipment_create_for_order(order_id=order.pk, user=warehouse_user)
    # then
    assert shipment.number == f"SH-{shipment.pk:06d}"
    assert shipment.status == Shipment.Status.PENDING
    assert [(line.location.code, line.quantity) for line in shipment.lines.all()] == [
        ("A-01-01", 3)
    ]
    assert order.events.filter(type=OrderEvent.Type.SHIPMENT).count() == 1


def test_one_shipment_per_warehouse(make_order, product, bin_a, receive, warehouse_user):
    # given
    north = WarehouseFactory(code="NORTH", priority=200)
    far_bin = LocationFactory(warehouse=north, code="N-01-01")
    receive(product, bin_a, 1)
    receive(product, far_bin, 5)
    order = make_order(("MUG-RED", 3))
    # when
    shipments = services.shipment_create_for_order(order_id=order.pk, user=warehouse_user)
    # then
    assert sorted((s.warehouse.code, s.lines.get().quantity) for s in shipments) == [
        ("MAIN", 1),
        ("NORTH", 2),
    ]


def test_the_order_shipping_method_picks_carrier_and_service(
    make_order, stocked, warehouse_user, royal_mail
):
    # given
    order = make_order(("MUG-RED", 1), method="standard")
    # when
    [shipment] = services.shipment_create_for_order(order_id=order.pk, user=warehouse_user)
    # then
    assert shipment.carrier == royal_mail
    assert shipment.shipping_method.name == "Tracked 48"


def test_a_second_call_finds_nothing_left_and_changes_nothing(
    make_order, stocked, warehouse_user, floor
):
    # given
    order = make_order(("MUG-RED", 2))
    services.shipment_create_for_order(order_id=order.pk, user=warehouse_user)
    before = floor()
    # when
    with pytest.raises(Conflict, match="nothing allocated that is not already on a shipment"):
        services.shipment_create_for_order(order_id=order.pk, user=warehouse_user)
    # then
    assert floor() == before


def test_ship_complete_waits_while_anything_is_backordered(
    make_order, stocked, warehouse_user, floor
):
    # given
    order = make_order(("MUG-RED", 12), policy="complete")
    assert order.status == Order.Status.BACKORDERED
    before = floor()
    # when
    with pytest.raises(Conflict, match="ships complete and still waits for 2 × MUG-RED"):
        services.shipment_create_for_order(order_id=order.pk, user=warehouse_user)
    # then
    assert floor() == before


def test_ship_partial_ships_what_is_allocated(make_order, stocked, warehouse_user):
    # given
    order = make_order(("MUG-RED", 12), policy="partial")
    # when
    [shipment] = services.shipment_create_for_order(order_id=order.pk, user=warehouse_user)
    # then
    assert shipment.lines.get().quantity == 10


def test_ready_shipments_are_made_for_every_ready_order(
    make_order, stocked, warehouse_user, customer
):
    # given
    first = make_order(("MUG-RED", 1))
    second = make_order(("MUG-RED", 2))
    make_order(("MUG-RED", 20), policy="complete")  # backordered: waits
    # when
    created = services.shipments_create_ready(user=warehouse_user)
    # then
    assert sorted(s.order_id for s in created) == [first.pk, second.pk]
    assert services.shipments_create_ready(user=warehouse_user) == []


def test_sales_may_not_make_shipments(make_order, stocked, sales_user, floor):
    # given
    order = make_order(("MUG-RED", 1))
    before = floor()
    # when
    with pytest.raises(NotAllowed):
        services.shipment_create_for_order(order_id=order.pk, user=sales_user)
    # then
    assert floor() == before


def test_unknown_order_is_refused(db, warehouse_user):
    with pytest.raises(NotFound):
        services.shipment_create_for_order(order_id=999, user=warehouse_user)


# --- ship ---------------------------------------------------------------------------------------


def test_ship_consumes_stock_moves_the_order_and_mails_tracking(
    picked_wave, warehouse_user, box, royal_mail, django_capture_on_commit_callbacks
):
    # given
    _, shipment = picked_wave
    pack_all(shipment, warehouse_user, box)
    assert shipment.status == Shipment.Status.PACKED
    ledger = StockMovement.objects.count()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        shipped = services.shipment_ship(
            shipment_id=shipment.pk, user=warehouse_user, tracking_number="RM123456789GB"
        )
    # then
    assert shipped.status == Shipment.Status.SHIPPED
    assert shipped.tracking_number == "RM123456789GB"
    assert shipped.parcels.get().tracking_number == "RM123456789GB"
    level = StockLevel.objects.get(product__sku="MUG-RED")
    assert (level.on_hand, level.allocated) == (8, 0)
    movement = StockMovement.objects.order_by("-pk").first()
    assert StockMovement.objects.count() == ledger + 1
    assert (movement.kind, movement.quantity, movement.reference) == (
        "shipment",
        -2,
        shipment.number,
    )
    order = Order.objects.get(pk=shipment.order_id)
    assert order.status == Order.Status.SHIPPED
    line = order.lines.get()
    assert (line.quantity_shipped, line.quantity_allocated) == (2, 0)
    assert list(
        order.events.filter(type=OrderEvent.Type.STATUS).values_list("to_status", flat=True)
    )[-2:] == ["processing", "shipped"]
    [email] = mail.outbox
    assert email.subject == f"Your order {order.number} is on its way"
    assert "RM123456789GB" in email.body
    assert "https://rm.example/track?n=RM123456789GB" in email.body
    notice = OutboundEmail.objects.get(kind="shipment_notice")
    assert (notice.about_id, notice.created_by, notice.status) == (
        order.pk,
        warehouse_user,
        OutboundEmail.Status.SENT,
    )
    assert email.extra_headers["Message-ID"] == notice.message_id


def test_local_courier_makes_up_the_tracking_number(
    picked_wave, warehouse_user, box, local_courier
):
    # given
    _, shipment = picked_wave
    pack_all(shipment, warehouse_user, box)
    # when
    shipped = services.shipment_ship(shipment_id=shipment.pk, user=warehouse_user, carrier="LOC")
    # then
    assert shipped.tracking_number == f"LOC{shipment.pk:010d}"
    assert shipped.carrier == local_courier


def test_shipping_without_tracking_is_refused(picked_wave, warehouse_user, box, floor):
    # given
    _, shipment = picked_wave
    pack_all(shipment, warehouse_user, box)
    before = floor()
    # when
    with pytest.raises(InvalidInput, match="Enter or scan the Royal Post tracking number") as err:
        services.shipment_ship(shipment_id=shipment.pk, user=warehouse_user, tracking_number=" ")
    # then
    assert err.value.field == "tracking_number"
    assert floor() == before


def test_shipping_without_parcels_is_refused(picked_wave, warehouse_user, floor):
    # given
    _, shipment = picked_wave
    before = floor()
    # when
    with pytest.raises(Conflict, match="has no closed parcel"):
        services.shipment_ship(shipment_id=shipment.pk, user=warehouse_user, tracking_number="X1")
    # then
    assert floor() == before


def test_shipping_a_cancelled_shipment_is_refused(picked_wave, warehouse_user, box, floor):
    # given
    _, shipment = picked_wave
    pack_all(shipment, warehouse_user, box)
    services.shipment_cancel(shipment_id=shipment.pk, user=warehouse_user, reason="address")
    before = floor()
    # when
    with pytest.raises(TransitionRefused, match="is cancelled: it cannot be shipped"):
        services.shipment_ship(shipment_id=shipment.pk, user=warehouse_user, tracking_number="X1")
    # then
    assert floor() == before


def test_shipping_twice_is_refused(picked_wave, warehouse_user, box, floor):
    # given
    _, shipment = picked_wave
    pack_all(shipment, warehouse_user, box)
    services.shipment_ship(shipment_id=shipment.pk, user=warehouse_user, tracking_number="X1")
    before = floor()
    # when
    with pytest.raises(TransitionRefused, match="has already shipped"):
        services.shipment_ship(shipment_id=shipment.pk, user=warehouse_user, tracking_number="X2")
    # then
    assert floor() == before


def test_partial_shipment_marks_the_order_partially_shipped(
    make_order, stocked, warehouse_user, box, royal_mail
):
    # given
    order = make_order(("MUG-RED", 12))
    [shipment] = services.shipment_create_for_order(order_id=order.pk, user=warehouse_user)
    wave = services.wave_create(user=warehouse_user)
    services.pick_scan(user=warehouse_user, code="BIN-MAIN-A-01-01", wave_id=wave.pk)
    services.pick_scan(user=warehouse_user, code="10*4006381333931", wave_id=wave.pk)
    pack_all(shipment, warehouse_user, box)
    # when
    services.shipment_ship(shipment_id=shipment.pk, user=warehouse_user, tracking_number="T1")
    # then
    order.refresh_from_db()
    assert order.status == Order.Status.PARTIALLY_SHIPPED
    line = order.lines.get()
    assert (line.quantity_shipped, line.quantity_backordered) == (10, 2)


def test_cancel_before_shipping_keeps_the_allocation_for_a_new_shipment(
    make_order, stocked, warehouse_user
):
    # given
    order = make_order(("MUG-RED", 2))
    [shipment] = services.shipment_create_for_order(order_id=order.pk, user=warehouse_user)
    # when
    cancelled = services.shipment_cancel(shipment_id=shipment.pk, user=warehouse_user)
    # then
    assert cancelled.status == Shipment.Status.CANCELLED
    assert order.lines.get().quantity_allocated == 2
    assert StockLevel.objects.get().allocated == 2
    [again] = services.shipment_create_for_order(order_id=order.pk, user=warehouse_user)
    assert again.lines.get().quantity == 2


def test_cancel_after_shipping_is_refused(picked_wave, warehouse_user, box, floor):
    # given
    _, shipment = picked_wave
    pack_all(shipment, warehouse_user, box)
    services.shipment_ship(shipment_id=shipment.pk, user=warehouse_user, tracking_number="X1")
    before = floor()
    # when
    with pytest.raises(TransitionRefused, match="can no longer be cancelled"):
        services.shipment_cancel(shipment_id=shipment.pk, user=warehouse_user)
    # then
    assert floor() == before


# --- delivery and follow-up ------------------------------------------------------------------


@pytest.fixture
def shipped(picked_wave, warehouse_user, box):
    _, shipment = picked_wave
    pack_all(shipment, warehouse_user, box)
    return services.shipment_ship(
        shipment_id=shipment.pk, user=warehouse_user, tracking_number="RM1"
    )


def test_tracking_update_delivers_parcel_shipment_and_order(shipped, warehouse_user):
    # when
    services.tracking_update(tracking_number="RM1", user=warehouse_user)
    # then
    shipped.refresh_from_db()
    assert shipped.status == Shipment.Status.DELIVERED
    assert shipped.delivered_at is not None
    assert shipped.parcels.get().delivered_at is not None
    assert Order.objects.get(pk=shipped.order_id).status == Order.Status.DELIVERED


def test_tracking_update_for_an_unknown_number_is_refused(shipped, warehouse_user, floor):
    # given
    before = floor()
    # when
    with pytest.raises(NotFound, match="No parcel or shipment has tracking number NOPE"):
        services.tracking_update(tracking_number="NOPE", user=warehouse_user)
    # then
    assert floor() == before


def test_follow_up_mails_delivered_orders_after_the_window_and_completes_them(
    shipped, warehouse_user, django_capture_on_commit_callbacks, settings
):
    # given
    from datetime import timedelta

    from django.utils import timezone

    settings.OMS_FOLLOW_UP_DAYS = 7
    Shipment.objects.filter(pk=shipped.pk).update(shipped_at=timezone.now() - timedelta(days=9))
    services.tracking_update(
        tracking_number="RM1",
        user=warehouse_user,
        delivered_at=timezone.now() - timedelta(days=8),
    )
    mail.outbox.clear()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        done = order_services.send_follow_ups()
    # then
    assert [order.pk for order in done] == [shipped.order_id]
    assert Order.objects.get(pk=shipped.order_id).status == Order.Status.COMPLETED
    [email] = mail.outbox
    assert email.subject.startswith("How was your order")
    # and a second run mails nobody
    with django_capture_on_commit_callbacks(execute=True):
        assert order_services.send_follow_ups() == []
    assert len(mail.outbox) == 1


def test_follow_up_waits_for_the_window(shipped, warehouse_user):
    # given
    services.tracking_update(tracking_number="RM1", user=warehouse_user)
    # when
    done = order_services.send_follow_ups(days=7)
    # then
    assert done == []
    assert Order.objects.get(pk=shipped.order_id).status == Order.Status.DELIVERED


def test_refused_scans_are_logged_but_change_nothing(picked_wave, warehouse_user):
    # given
    wave, _ = picked_wave
    # when
    with pytest.raises(Conflict):
        services.pick_scan(user=warehouse_user, code="BIN-MAIN-A-01-01", wave_id=wave.pk)
    # then
    refused = ScanEvent.objects.filter(result=ScanEvent.Result.REFUSED).get()
    assert refused.wave_id == wave.pk
    assert "picked" in refused.message
