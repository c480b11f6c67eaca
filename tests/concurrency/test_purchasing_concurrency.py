"""Purchasing under concurrency: backorders raising drafts, and receipts racing on one line."""

import pytest

from inventory import services as inventory_services
from inventory.models import PurchaseOrder, PurchaseOrderLine, StockLevel
from inventory.selectors import ledger_mismatches
from oms.errors import Conflict
from orders import services
from orders.models import Order, OrderLine
from tests.concurrency.threads import run_together
from tests.factories import CustomerFactory, ProductFactory, SupplierFactory, address_data

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def buy(user, customer, sku, quantity):
    order = services.order_create(
        customer=customer,
        user=user,
        place=True,
        shipping_address=address_data(),
        lines=[{"sku": sku, "quantity": quantity}],
    )
    return services.order_confirm(order_id=order.pk, user=user).status


def test_many_backorders_at_once_raise_one_draft_for_their_total(warehouse, sales_user):
    # given a mug bought from Acme, none in stock (no reorder point, so the
    # draft must match the backorders exactly: nothing counted twice or lost)
    ProductFactory(sku="MUG", supplier=SupplierFactory(code="ACME"), reorder_point=0)
    customers = [CustomerFactory() for _ in range(16)]

    # when 16 customers order 1 to 3 mugs at the same moment
    results, _, errors = run_together(
        lambda i: buy(sales_user, customers[i], "MUG", i % 3 + 1), threads=16
    )

    # then one draft covers every backorder, exactly
    assert errors == []
    assert set(results.values()) == {Order.Status.BACKORDERED}
    backordered = sum(OrderLine.objects.values_list("quantity_backordered", flat=True))
    assert backordered == sum(i % 3 + 1 for i in range(16))
    draft = PurchaseOrder.objects.get()
    assert draft.status == PurchaseOrder.Status.DRAFT
    assert draft.lines.get().quantity_ordered == backordered


def test_two_products_of_one_supplier_at_once_share_one_draft(warehouse, sales_user):
    # given two products from one supplier, none in stock
    acme = SupplierFactory(code="ACME")
    ProductFactory(sku="CUP", supplier=acme)
    ProductFactory(sku="SAUCER", supplier=acme)
    customers = [CustomerFactory() for _ in range(12)]

    # when orders for both arrive together
    _, _, errors = run_together(
        lambda i: buy(sales_user, customers[i], "CUP" if i % 2 else "SAUCER", 2), threads=12
    )

    # then
    assert errors == []
    draft = PurchaseOrder.objects.get()
    assert sorted(draft.lines.values_list("product__sku", "quantity_ordered")) == [
        ("CUP", 12),
        ("SAUCER", 12),
    ]


def test_receipts_racing_on_one_line_never_exceed_what_was_ordered(
    product, bin_a, manager_user, warehouse_user
):
    # given a sent order for 10 mugs
    po = inventory_services.purchase_order_create(
        supplier=SupplierFactory(),
        warehouse=bin_a.warehouse,
        lines=[(product, 10)],
        user=manager_user,
    )
    inventory_services.purchase_order_send(purchase_order_id=po.pk, user=manager_user)

    def receive(i):
        return inventory_services.purchase_order_receive(
            purchase_order_id=po.pk, lines=[(product, 1, bin_a)], user=warehouse_user
        )

    # when 20 people scan one mug each at the same moment
    results, refused, errors = run_together(receive, expected=(Conflict,), threads=20)

    # then exactly 10 are taken; the rest are refused (too many, or the order is received)
    assert errors == []
    assert (len(results), len(refused)) == (10, 10)
    assert {error.code for error in refused.values()} <= {"over_receipt", "illegal_transition"}
    po.refresh_from_db()
    assert po.status == PurchaseOrder.Status.RECEIVED
    assert PurchaseOrderLine.objects.get(purchase_order=po).quantity_received == 10
    assert StockLevel.objects.get(product=product, location=bin_a).on_hand == 10
    assert ledger_mismatches() == []
