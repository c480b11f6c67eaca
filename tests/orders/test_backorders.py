from datetime import timedelta

import pytest
from django.utils import timezone

from inventory import services as inventory_services
from inventory.models import StockLevel
from orders import services
from orders.models import Order
from tests.factories import CustomerFactory, ProductFactory, address_data


@pytest.fixture
def mug(db):
    return ProductFactory(sku="MUG", name="Mug")


def backordered_order(user, product, quantity, *, vip=False, age_minutes=0, priority=0):
    order = services.order_create(
        customer=CustomerFactory(is_vip=vip),
        user=user,
        shipping_address=address_data(),
        lines=[{"sku": product.sku, "quantity": quantity}],
        place=True,
        priority=priority,
    )
    Order.objects.filter(pk=order.pk).update(
        placed_at=timezone.now() - timedelta(minutes=age_minutes)
    )
    return services.order_confirm(order_id=order.pk, user=user)


def test_receiving_stock_serves_vip_first_then_oldest(
    mug, bin_a, sales_user, warehouse_user, django_capture_on_commit_callbacks
):
    # given three backordered orders for 2 mugs each, none in stock
    old = backordered_order(sales_user, mug, 2, age_minutes=60)
    new = backordered_order(sales_user, mug, 2, age_minutes=5)
    vip = backordered_order(sales_user, mug, 2, vip=True, age_minutes=1)
    assert {o.status for o in (old, new, vip)} == {Order.Status.BACKORDERED}
    # when 4 arrive
    with django_capture_on_commit_callbacks(execute=True):
        inventory_services.stock_receive(
            product=mug, location=bin_a, quantity=4, user=warehouse_user, reference="PO-1"
        )
    # then the VIP and the oldest are served, the newest still waits
    for order in (old, new, vip):
        order.refresh_from_db()
    assert vip.status == Order.Status.ALLOCATED
    assert old.status == Order.Status.ALLOCATED
    assert new.status == Order.Status.BACKORDERED
    assert StockLevel.objects.get(product=mug).allocated == 4
    assert vip.events.filter(to_status="allocated", note__contains="Stock arrived").exists()


def test_partial_arrival_allocates_what_there_is_and_keeps_waiting(
    mug, bin_a, sales_user, django_capture_on_commit_callbacks
):
    # given
    order = backordered_order(sales_user, mug, 5)
    # when 3 arrive
    with django_capture_on_commit_callbacks(execute=True):
        inventory_services.stock_receive(product=mug, location=bin_a, quantity=3)
    # then
    order.refresh_from_db()
    line = order.lines.get()
    assert order.status == Order.Status.BACKORDERED
    assert (line.quantity_allocated, line.quantity_backordered) == (3, 2)


def test_a_cancelled_order_frees_stock_for_the_next_in_line(
    mug, bin_a, sales_user, django_capture_on_commit_callbacks
):
    # given 2 in stock, held by the first order; the second waits
    inventory_services.stock_receive(product=mug, location=bin_a, quantity=2)
    first = backordered_order(sales_user, mug, 2, age_minutes=10)
    second = backordered_order(sales_user, mug, 2)
    assert first.status == Order.Status.ALLOCATED
    assert second.status == Order.Status.BACKORDERED
    # when the first is cancelled
    with django_capture_on_commit_callbacks(execute=True):
        services.order_cancel(order_id=first.pk, user=sales_user, reason="changed mind")
    # then
    second.refresh_from_db()
    assert second.status == Order.Status.ALLOCATED


def test_orders_on_hold_are_not_served(mug, bin_a, sales_user, django_capture_on_commit_callbacks):
    # given
    order = backordered_order(sales_user, mug, 1)
    services.order_hold(order_id=order.pk, user=sales_user, reason="fraud check")
    # when
    with django_capture_on_commit_callbacks(execute=True):
        inventory_services.stock_receive(product=mug, location=bin_a, quantity=5)
    # then
    order.refresh_from_db()
    assert order.status == Order.Status.ON_HOLD
    assert StockLevel.objects.get(product=mug).allocated == 0


def test_an_order_released_from_hold_gets_the_stock_that_arrived(
    mug, bin_a, sales_user, django_capture_on_commit_callbacks
):
    # given a backordered order put on hold, and stock arriving meanwhile
    order = backordered_order(sales_user, mug, 2)
    services.order_hold(order_id=order.pk, user=sales_user, reason="address check")
    with django_capture_on_commit_callbacks(execute=True):
        inventory_services.stock_receive(product=mug, location=bin_a, quantity=5)
    # when
    released = services.order_release(order_id=order.pk, user=sales_user)
    # then
    assert released.status == Order.Status.ALLOCATED
    assert StockLevel.objects.get(product=mug).allocated == 2
