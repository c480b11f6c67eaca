"""Drafts raised for backorders: open purchase orders must cover what customers wait for."""

import pytest

from inventory import services
from inventory.models import (
    PurchaseOrder,
    StockLevel,
)
from orders import services as order_services
from orders.models import Order, OrderEvent
from tests.factories import (
    CustomerFactory,
    LocationFactory,
    ProductFactory,
    SupplierFactory,
    WarehouseFactory,
    address_data,
)
from tests.inventory.helpers import line_of

S = PurchaseOrder.Status


# --- automatic draft for backorders -----------------------------------------------------------


def test_a_shortfall_raises_a_draft_for_it_plus_the_reorder_point(mug, warehouse, bin_a):
    # when 5 are short and nothing is on order
    request = services.purchase_order_request(product=mug, shortfall=5)
    # then
    po = request.purchase_order
    assert request.created and request.quantity == 7
    assert (po.status, po.supplier, po.warehouse) == (S.DRAFT, mug.supplier, warehouse)
    assert line_of(po, mug).quantity_ordered == 7


def test_open_orders_that_cover_the_shortfall_mean_nothing_new(sent, mug):
    # given 10 mugs on a sent order
    # when 8 are short
    request = services.purchase_order_request(product=mug, shortfall=8)
    # then
    assert (request.purchase_order, request.quantity, request.covered) == (None, 0, 10)
    assert request.numbers == [sent.number]
    assert PurchaseOrder.objects.count() == 1


def test_a_bigger_shortfall_tops_up_the_suppliers_draft(sent, mug, bowl, warehouse):
    # given 10 mugs and 4 bowls on a sent order, and a draft for 2 more bowls
    bowls = services.purchase_order_request(product=bowl, shortfall=6).purchase_order
    assert line_of(bowls, bowl).quantity_ordered == 2
    # when 15 mugs are short
    request = services.purchase_order_request(product=mug, shortfall=15)
    # then the mugs join the bowls' draft: 15 - 10 on order + 2 reorder point
    assert request.purchase_order == bowls
    assert not request.created
    assert line_of(bowls, mug).quantity_ordered == 7
    assert PurchaseOrder.objects.filter(status=S.DRAFT).count() == 1
    # and asked again with the same shortfall, nothing more is ordered
    again = services.purchase_order_request(product=mug, shortfall=15)
    assert again.quantity == 0
    assert line_of(bowls, mug).quantity_ordered == 7


def test_a_second_request_tops_up_the_same_line(mug, warehouse):
    # given
    first = services.purchase_order_request(product=mug, shortfall=5).purchase_order
    # when the shortfall grows to 12 (7 already on the draft)
    services.purchase_order_request(product=mug, shortfall=12)
    # then
    assert list(first.lines.values_list("quantity_ordered", flat=True)) == [7 + 5 + 2]


def test_the_draft_goes_to_the_warehouse_that_holds_the_product(mug, warehouse):
    # given the mug is stocked in EAST, which comes before MAIN
    east = WarehouseFactory(code="EAST", priority=1)
    services.stock_receive(product=mug, location=LocationFactory(warehouse=east), quantity=1)
    # when
    request = services.purchase_order_request(product=mug, shortfall=3)
    # then
    assert request.purchase_order.warehouse == east


def test_drop_ship_and_cancelled_orders_are_not_cover(sent, mug, manager_user):
    # given the only open cover is cancelled
    services.purchase_order_cancel(purchase_order_id=sent.pk, user=manager_user)
    # when
    request = services.purchase_order_request(product=mug, shortfall=1)
    # then
    assert request.covered == 0
    assert request.purchase_order != sent


@pytest.mark.parametrize("case", ["no supplier", "inactive supplier", "drop-ship"])
def test_a_product_that_cannot_be_bought_gets_none(db, warehouse, case):
    # given
    product = {
        "no supplier": lambda: ProductFactory(),
        "inactive supplier": lambda: ProductFactory(supplier=SupplierFactory(is_active=False)),
        "drop-ship": lambda: ProductFactory(supplier=SupplierFactory(), is_drop_ship=True),
    }[case]()
    # when
    request = services.purchase_order_request(product=product, shortfall=3)
    # then
    assert request is None
    assert PurchaseOrder.objects.count() == 0


# --- the whole story --------------------------------------------------------------------------


def test_backorder_draft_send_receive_serves_the_backorder(
    mug, bin_a, sales_user, manager_user, warehouse_user, django_capture_on_commit_callbacks
):
    # given an order for 4 mugs, none in stock
    order = order_services.order_create(
        customer=CustomerFactory(),
        user=sales_user,
        shipping_address=address_data(),
        lines=[{"sku": mug.sku, "quantity": 4}],
        place=True,
    )
    order = order_services.order_confirm(order_id=order.pk, user=sales_user)
    assert order.status == Order.Status.BACKORDERED
    # then a draft for 4 + 2 is raised, and the order's timeline names it
    po = PurchaseOrder.objects.get()
    assert (po.status, line_of(po, mug).quantity_ordered) == (S.DRAFT, 6)
    event = order.events.get(type=OrderEvent.Type.PURCHASE)
    assert po.number in event.note
    # when purchasing sends it and the warehouse receives it
    services.purchase_order_send(purchase_order_id=po.pk, user=manager_user)
    with django_capture_on_commit_callbacks(execute=True):
        services.purchase_order_receive(
            purchase_order_id=po.pk, lines=[(mug, 6, bin_a)], user=warehouse_user
        )
    # then the order is served and the rest is free stock
    order.refresh_from_db()
    po.refresh_from_db()
    assert order.status == Order.Status.ALLOCATED
    assert po.status == S.RECEIVED
    level = StockLevel.objects.get(product=mug, location=bin_a)
    assert (level.on_hand, level.allocated) == (6, 4)
    assert PurchaseOrder.objects.count() == 1
