"""Orders under concurrency: many customers buying the last units at the same moment."""

import pytest

from inventory import services as inventory_services
from inventory.models import StockLevel
from inventory.selectors import ledger_mismatches
from orders import services
from orders.models import Order, OrderLine
from tests.concurrency.threads import run_together
from tests.factories import CustomerFactory, ProductFactory, address_data

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_fifty_orders_for_the_last_ten_units(product, bin_a, bin_b, sales_user):
    # given the last 10 mugs over two bins, and 50 customers
    inventory_services.stock_receive(product=product, location=bin_a, quantity=6)
    inventory_services.stock_receive(product=product, location=bin_b, quantity=4)
    customers = [CustomerFactory() for _ in range(50)]

    def buy(i):
        order = services.order_create(
            customer=customers[i],
            user=sales_user,
            channel="web",
            place=True,
            external_reference=f"WEB-{i}",
            shipping_address=address_data(),
            lines=[{"sku": "MUG-RED", "quantity": 1}],
        )
        return services.order_confirm(order_id=order.pk, user=sales_user).number

    # when all 50 create and confirm at once
    results, _, errors = run_together(buy, threads=50)

    # then exactly 10 are allocated, 40 backordered, nothing oversold
    assert errors == []
    assert len(results) == 50
    statuses = list(Order.objects.values_list("status", flat=True))
    assert statuses.count(Order.Status.ALLOCATED) == 10
    assert statuses.count(Order.Status.BACKORDERED) == 40
    assert sum(OrderLine.objects.values_list("quantity_allocated", flat=True)) == 10
    assert [(r.on_hand, r.allocated) for r in StockLevel.objects.order_by("pk")] == [(6, 6), (4, 4)]
    assert ledger_mismatches() == []
    assert len(set(results.values())) == 50  # order numbers unique


def test_orders_for_two_products_in_opposite_order_do_not_deadlock(bin_a, bin_b, sales_user):
    # given two products with a little stock each
    cup, saucer = ProductFactory(sku="CUP"), ProductFactory(sku="SAUCER")
    for item in (cup, saucer):
        inventory_services.stock_receive(product=item, location=bin_a, quantity=5)
        inventory_services.stock_receive(product=item, location=bin_b, quantity=5)
    customer = CustomerFactory()

    def buy(i):
        skus = ["CUP", "SAUCER"] if i % 2 else ["SAUCER", "CUP"]
        order = services.order_create(
            customer=customer,
            user=sales_user,
            place=True,
            shipping_address=address_data(),
            lines=[{"sku": sku, "quantity": 1} for sku in skus],
        )
        return services.order_confirm(order_id=order.pk, user=sales_user).status

    # when
    results, _, errors = run_together(buy, threads=24)

    # then
    assert errors == []
    assert list(results.values()).count(Order.Status.ALLOCATED) == 10
    for item in (cup, saucer):
        assert (
            sum(StockLevel.objects.filter(product=item).values_list("allocated", flat=True)) == 10
        )


def test_receiving_while_orders_confirm_serves_every_backorder_exactly_once(
    product, bin_a, sales_user, warehouse_user
):
    # given 20 orders waiting for mugs
    customer = CustomerFactory()
    waiting = []
    for _ in range(20):
        order = services.order_create(
            customer=customer,
            user=sales_user,
            place=True,
            shipping_address=address_data(),
            lines=[{"sku": "MUG-RED", "quantity": 1}],
        )
        waiting.append(services.order_confirm(order_id=order.pk, user=sales_user).pk)

    # when 10 threads receive one mug each while 10 more orders confirm
    def work(i):
        if i % 2:
            inventory_services.stock_receive(
                product=product, location=bin_a, quantity=2, user=warehouse_user
            )
        else:
            order = services.order_create(
                customer=customer,
                user=sales_user,
                place=True,
                shipping_address=address_data(),
                lines=[{"sku": "MUG-RED", "quantity": 1}],
            )
            services.order_confirm(order_id=order.pk, user=sales_user)

    _, _, errors = run_together(work, threads=20)

    # then 20 received units are promised exactly once, and the ledger balances
    assert errors == []
    level = StockLevel.objects.get(product=product)
    assert level.on_hand == 20
    assert level.allocated == 20
    assert sum(OrderLine.objects.values_list("quantity_allocated", flat=True)) == 20
    assert ledger_mismatches() == []
