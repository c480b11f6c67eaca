"""What the warehouse tells an order: the order moves its own lines, allocations and stock."""

import pytest
from django.db import transaction

from inventory import services as inventory_services
from inventory.models import StockLevel, StockMovement
from inventory.selectors import ledger_mismatches
from oms.errors import Conflict, TransitionRefused
from orders import services
from orders.models import LineAllocation, Order, OrderEvent
from orders.services import Units
from tests.conftest import stock_snapshot
from tests.factories import CustomerFactory, LocationFactory, address_data


@pytest.fixture
def allocated(stocked, bin_a, sales_user):
    """An order for 4 red mugs, confirmed: allocated in A-01-01 (10 on hand there)."""
    order = services.order_create(
        customer=CustomerFactory(),
        user=sales_user,
        shipping_address=address_data(),
        lines=[{"sku": "MUG-RED", "quantity": 4}],
        place=True,
    )
    return services.order_confirm(order_id=order.pk, user=sales_user)


def locked(order):
    return services.lock_order(order.pk)


def order_state(order):
    return (
        Order.objects.values_list("status", "version").get(pk=order.pk),
        list(
            order.lines.values_list(
                "quantity_allocated", "quantity_backordered", "quantity_shipped"
            )
        ),
        sorted(LineAllocation.objects.values_list("location_id", "quantity")),
        OrderEvent.objects.filter(order=order).count(),
        stock_snapshot(),
    )


def test_units_shipped_consume_stock_and_move_the_order(allocated, bin_a, warehouse_user):
    # given
    line = allocated.lines.get()
    # when
    with transaction.atomic():
        order = services.order_units_shipped(
            order=locked(allocated),
            units=[Units(line.pk, bin_a.pk, 3)],
            reference="SH-000009",
            note="Shipment SH-000009 shipped",
            status_note="Shipment SH-000009 shipped",
            user=warehouse_user,
        )
    # then
    line.refresh_from_db()
    assert (line.quantity_allocated, line.quantity_shipped) == (1, 3)
    assert LineAllocation.objects.get(line=line).quantity == 1
    level = StockLevel.objects.get(location=bin_a)
    assert (level.on_hand, level.allocated) == (7, 1)
    movement = StockMovement.objects.filter(reference="SH-000009").get()
    assert movement.quantity == -3
    assert order.status == Order.Status.PARTIALLY_SHIPPED
    assert order.events.filter(note="Shipment SH-000009 shipped").count() == 2
    assert list(ledger_mismatches()) == []


def test_units_not_allocated_in_that_bin_are_refused_and_nothing_changes(
    allocated, bin_a, bin_b, warehouse_user
):
    # given
    line = allocated.lines.get()
    before = order_state(allocated)
    # when / then
    for units in [Units(line.pk, bin_b.pk, 1), Units(line.pk, bin_a.pk, 5)]:
        with pytest.raises(Conflict, match="out of date"), transaction.atomic():
            services.order_units_shipped(
                order=locked(allocated), units=[units], reference="SH-1", note="x"
            )
    assert order_state(allocated) == before


def test_units_of_another_order_are_refused(allocated, bin_a, sales_user, warehouse_user):
    # given
    other = services.order_create(
        customer=CustomerFactory(), user=sales_user, lines=[{"sku": "MUG-RED", "quantity": 1}]
    )
    before = order_state(allocated)
    # when / then
    with pytest.raises(Conflict, match="not on order"), transaction.atomic():
        services.order_units_shipped(
            order=locked(allocated),
            units=[Units(other.lines.get().pk, bin_a.pk, 1)],
            reference="SH-1",
            note="x",
        )
    assert order_state(allocated) == before


def test_an_order_on_hold_does_not_ship(allocated, bin_a, sales_user):
    # given
    services.order_hold(order_id=allocated.pk, user=sales_user, reason="check address")
    line = allocated.lines.get()
    before = order_state(allocated)
    # when / then
    with pytest.raises(TransitionRefused, match="on hold"), transaction.atomic():
        services.order_units_shipped(
            order=locked(allocated), units=[Units(line.pk, bin_a.pk, 1)], reference="S", note="x"
        )
    assert order_state(allocated) == before


def test_missing_units_are_written_off_and_promised_from_another_bin(
    allocated, bin_a, warehouse, product, warehouse_user
):
    # given: 2 more mugs in another bin of the same warehouse
    bin_c = LocationFactory(warehouse=warehouse, code="C-01-01", pick_sequence=50)
    inventory_services.stock_receive(product=product, location=bin_c, quantity=2)
    line = allocated.lines.get()
    # when 3 of the 4 promised in A-01-01 are missing
    with transaction.atomic():
        result = services.order_units_missing(
            order=locked(allocated),
            units=Units(line.pk, bin_a.pk, 3),
            reference="SH-000004",
            note="Short pick on SH-000004: 3 × MUG-RED missing in A-01-01",
            user=warehouse_user,
        )
    # then: 2 found in C-01-01, 1 backordered, the bin written off and listed to count
    assert result.found == [(bin_c.pk, 2)]
    assert result.backordered == 1
    line.refresh_from_db()
    assert (line.quantity_allocated, line.quantity_backordered) == (3, 1)
    rows = dict(LineAllocation.objects.filter(line=line).values_list("location_id", "quantity"))
    assert rows == {bin_a.pk: 1, bin_c.pk: 2}
    here = StockLevel.objects.get(location=bin_a)
    assert (here.on_hand, here.allocated, here.count_requested_at is not None) == (7, 1, True)
    assert Order.objects.get(pk=allocated.pk).status == Order.Status.BACKORDERED
    event = allocated.events.filter(type=OrderEvent.Type.BACKORDERED).last()
    assert event.note == (
        "Short pick on SH-000004: 3 × MUG-RED missing in A-01-01; "
        "2 to pick from C-01-01, 1 backordered"
    )
    assert list(ledger_mismatches()) == []


def test_more_missing_than_promised_in_the_bin_is_refused(allocated, bin_a, warehouse_user):
    # given
    line = allocated.lines.get()
    before = order_state(allocated)
    # when / then
    with pytest.raises(Conflict, match="fewer than 5"), transaction.atomic():
        services.order_units_missing(
            order=locked(allocated), units=Units(line.pk, bin_a.pk, 5), reference="S", note="x"
        )
    assert order_state(allocated) == before


def test_delivered_moves_only_a_shipped_order_and_keeps_the_time(allocated, bin_a):
    # given
    from django.utils import timezone

    line = allocated.lines.get()
    when = timezone.now()
    # when an allocated order is told
    services.order_delivered(order=locked(allocated), delivered_at=when)
    # then nothing happens
    assert Order.objects.get(pk=allocated.pk).status == Order.Status.ALLOCATED
    # when it has shipped everything
    services.order_units_shipped(
        order=locked(allocated), units=[Units(line.pk, bin_a.pk, 4)], reference="S", note="x"
    )
    services.order_delivered(order=locked(allocated), delivered_at=when, note="All there")
    # then
    order = Order.objects.get(pk=allocated.pk)
    assert (order.status, order.delivered_at) == (Order.Status.DELIVERED, when)
