"""Drop-ship lines and backorders handed to purchasing when an order is confirmed."""

import pytest

from inventory import services as inventory_services
from inventory.models import PurchaseOrder, PurchaseOrderLine, StockLevel, StockMovement
from oms.errors import Conflict, InvalidInput, NotAllowed, TransitionRefused
from orders import services
from orders.models import Order, OrderEvent, OrderLine
from orders.services.purchasing import backorder_totals
from tests.factories import CustomerFactory, ProductFactory, SupplierFactory, address_data

S = Order.Status
PO = PurchaseOrder.Status


@pytest.fixture
def sofa_maker(db):
    return SupplierFactory(code="SOFAS", name="Sofa Works")


@pytest.fixture
def sofa(sofa_maker):
    return ProductFactory(sku="SOFA", name="Sofa", is_drop_ship=True, supplier=sofa_maker)


@pytest.fixture
def lamp(db):
    return ProductFactory(
        sku="LAMP", name="Lamp", is_drop_ship=True, supplier=SupplierFactory(name="Lamp Co")
    )


def confirmed(user, lines, **kwargs):
    order = services.order_create(
        customer=CustomerFactory(),
        user=user,
        shipping_address=address_data(name="Ann Lee", line1="1 High St", city="Leeds"),
        lines=[{"sku": sku, "quantity": quantity} for sku, quantity in lines],
        place=True,
        **kwargs,
    )
    return services.order_confirm(order_id=order.pk, user=user)


def order_state(order):
    """Return an order's status, version and line quantities, to prove nothing changed."""
    order = Order.objects.get(pk=order.pk)
    lines = list(
        OrderLine.objects.filter(order=order)
        .order_by("pk")
        .values_list("quantity_allocated", "quantity_backordered", "quantity_shipped")
    )
    return order.status, order.version, lines, order.events.count()


def po_state(po):
    po = PurchaseOrder.objects.get(pk=po.pk)
    received = list(po.lines.values_list("quantity_received", flat=True))
    return po.status, po.version, po.tracking_number, received


# --- confirming -------------------------------------------------------------------------------


def test_an_order_of_drop_ship_lines_only_is_allocated_and_placed_with_the_supplier(
    sofa, sofa_maker, sales_user, snapshot
):
    # given
    before = snapshot()
    # when
    order = confirmed(sales_user, [("SOFA", 2)])
    # then
    assert order.status == S.ALLOCATED
    line = order.lines.get()
    assert (line.quantity_allocated, line.quantity_backordered, line.quantity_shipped) == (0, 0, 0)
    po = PurchaseOrder.objects.get()
    assert (po.status, po.supplier, po.is_drop_ship, po.warehouse) == (
        PO.SENT,
        sofa_maker,
        True,
        None,
    )
    assert po.customer_reference == order.number
    assert "1 High St" in po.ship_to and "Leeds" in po.ship_to
    assert list(po.lines.values_list("product__sku", "quantity_ordered")) == [("SOFA", 2)]
    event = order.events.get(type=OrderEvent.Type.PURCHASE)
    assert po.number in event.note and "Sofa Works" in event.note
    assert snapshot() == before  # no stock moved or promised


def test_a_mixed_order_gets_one_drop_ship_order_per_supplier(
    sofa, lamp, stocked, bin_a, sales_user
):
    # given / when 1 mug from stock, a sofa and a lamp from two suppliers
    order = confirmed(sales_user, [("MUG-RED", 1), ("SOFA", 1), ("LAMP", 3)])
    # then
    assert order.status == S.ALLOCATED
    assert StockLevel.objects.get(location=bin_a).allocated == 1
    pos = PurchaseOrder.objects.order_by("pk")
    assert [(po.supplier.name, po.is_drop_ship, po.status) for po in pos] == [
        ("Sofa Works", True, PO.SENT),
        ("Lamp Co", True, PO.SENT),
    ]
    assert order.events.filter(type=OrderEvent.Type.PURCHASE).count() == 2


def test_a_drop_ship_product_without_supplier_refuses_the_confirmation(sales_user, snapshot):
    # given
    ProductFactory(sku="CHAIR", is_drop_ship=True)
    order = services.order_create(
        customer=CustomerFactory(),
        user=sales_user,
        shipping_address=address_data(),
        lines=[{"sku": "CHAIR", "quantity": 1}],
        place=True,
    )
    before, stock = order_state(order), snapshot()
    # when / then
    with pytest.raises(Conflict, match="CHAIR is drop-shipped by its supplier, but has no"):
        services.order_confirm(order_id=order.pk, user=sales_user)
    assert order_state(order) == before
    assert snapshot() == stock
    assert PurchaseOrder.objects.count() == 0


def test_cancelling_the_order_cancels_its_drop_ship_order(sofa, sales_user):
    # given
    order = confirmed(sales_user, [("SOFA", 1)])
    # when
    services.order_cancel(order_id=order.pk, user=sales_user, reason="customer request")
    # then
    po = PurchaseOrder.objects.get()
    assert po.status == PO.CANCELLED
    assert f"Order {order.number} cancelled" in po.notes
    assert order.events.filter(type=OrderEvent.Type.PURCHASE, note__contains="cancelled").exists()


# --- the supplier's shipment ------------------------------------------------------------------


def test_the_suppliers_shipment_ships_the_order(sofa, sales_user, warehouse_user, snapshot):
    # given
    order = confirmed(sales_user, [("SOFA", 2)])
    po = PurchaseOrder.objects.get()
    before = snapshot()
    # when
    order = services.order_line_drop_shipped(
        order_id=order.pk,
        purchase_order_id=po.pk,
        carrier="DPD",
        tracking_number="15501234567",
        user=warehouse_user,
    )
    # then
    assert order.status == S.SHIPPED
    assert order.lines.get().quantity_shipped == 2
    po.refresh_from_db()
    assert (po.status, po.carrier, po.tracking_number) == (PO.RECEIVED, "DPD", "15501234567")
    assert list(po.lines.values_list("quantity_received", flat=True)) == [2]
    event = order.events.get(type=OrderEvent.Type.SHIPMENT)
    assert "DPD" in event.note and "15501234567" in event.note
    assert event.data["tracking_number"] == "15501234567"
    assert order.events.filter(to_status=S.SHIPPED).exists()
    assert snapshot() == before  # no stock movement


def test_a_drop_ship_shipment_before_the_stock_makes_the_order_partially_shipped(
    sofa, product, bin_a, sales_user, warehouse_user, django_capture_on_commit_callbacks
):
    # given a mug (none in stock, backordered) and a sofa
    order = confirmed(sales_user, [("MUG-RED", 1), ("SOFA", 1)])
    assert order.status == S.BACKORDERED
    po = PurchaseOrder.objects.get(is_drop_ship=True)
    # when the sofa ships
    order = services.order_line_drop_shipped(
        order_id=order.pk,
        purchase_order_id=po.pk,
        carrier="DPD",
        tracking_number="T-1",
        user=warehouse_user,
    )
    # then
    assert order.status == S.PARTIALLY_SHIPPED
    # and when mugs arrive, the partially shipped order still gets its mug
    with django_capture_on_commit_callbacks(execute=True):
        inventory_services.stock_receive(product=product, location=bin_a, quantity=1)
    mug_line = order.lines.get(sku="MUG-RED")
    assert (mug_line.quantity_allocated, mug_line.quantity_backordered) == (1, 0)
    order.refresh_from_db()
    assert order.status == S.PARTIALLY_SHIPPED


@pytest.mark.parametrize(
    ("carrier", "tracking", "field"),
    [("DPD", "", "tracking_number"), ("DPD", "   ", "tracking_number"), ("", "T-1", "carrier")],
)
def test_a_missing_tracking_number_or_carrier_is_refused(
    sofa, sales_user, warehouse_user, carrier, tracking, field
):
    # given
    order = confirmed(sales_user, [("SOFA", 1)])
    po = PurchaseOrder.objects.get()
    before, po_before = order_state(order), po_state(po)
    # when / then
    with pytest.raises(InvalidInput) as refused:
        services.order_line_drop_shipped(
            order_id=order.pk,
            purchase_order_id=po.pk,
            carrier=carrier,
            tracking_number=tracking,
            user=warehouse_user,
        )
    assert field in refused.value.errors
    assert order_state(order) == before
    assert po_state(po) == po_before


def test_recording_the_shipment_twice_is_refused(sofa, sales_user, warehouse_user):
    # given
    order = confirmed(sales_user, [("SOFA", 1)])
    po = PurchaseOrder.objects.get()
    services.order_line_drop_shipped(
        order_id=order.pk, purchase_order_id=po.pk, carrier="DPD", tracking_number="T-1"
    )
    before, po_before = order_state(order), po_state(po)
    # when / then
    with pytest.raises(TransitionRefused):
        services.order_line_drop_shipped(
            order_id=order.pk,
            purchase_order_id=po.pk,
            carrier="UPS",
            tracking_number="T-2",
            user=warehouse_user,
        )
    assert order_state(order) == before
    assert po_state(po) == po_before


def test_a_purchase_order_of_another_order_is_refused(sofa, sales_user, warehouse_user):
    # given two orders, each with its own drop-ship order
    first = confirmed(sales_user, [("SOFA", 1)])
    second = confirmed(sales_user, [("SOFA", 1)])
    po_of_second = PurchaseOrder.objects.get(customer_reference=second.number)
    before, po_before = order_state(first), po_state(po_of_second)
    # when / then
    with pytest.raises(Conflict, match=f"raised for {second.number}, not {first.number}"):
        services.order_line_drop_shipped(
            order_id=first.pk,
            purchase_order_id=po_of_second.pk,
            carrier="DPD",
            tracking_number="T-1",
            user=warehouse_user,
        )
    assert order_state(first) == before
    assert po_state(po_of_second) == po_before


def test_an_order_on_hold_cannot_record_a_shipment(sofa, sales_user, warehouse_user):
    # given
    order = confirmed(sales_user, [("SOFA", 1)])
    services.order_hold(order_id=order.pk, user=sales_user, reason="check")
    po = PurchaseOrder.objects.get()
    before, po_before = order_state(order), po_state(po)
    # when / then
    with pytest.raises(TransitionRefused, match="on hold"):
        services.order_line_drop_shipped(
            order_id=order.pk,
            purchase_order_id=po.pk,
            carrier="DPD",
            tracking_number="T-1",
            user=warehouse_user,
        )
    assert order_state(order) == before
    assert po_state(po) == po_before


def test_sales_cannot_record_a_supplier_shipment(sofa, sales_user):
    # given
    order = confirmed(sales_user, [("SOFA", 1)])
    po = PurchaseOrder.objects.get()
    before, po_before = order_state(order), po_state(po)
    # when / then
    with pytest.raises(NotAllowed):
        services.order_line_drop_shipped(
            order_id=order.pk,
            purchase_order_id=po.pk,
            carrier="DPD",
            tracking_number="T-1",
            user=sales_user,
        )
    assert order_state(order) == before
    assert po_state(po) == po_before


# --- backorders handed to purchasing ----------------------------------------------------------


@pytest.fixture
def bought(product, warehouse):
    """The red mug, bought from Acme with a reorder point of 3; none in stock."""
    product.supplier = SupplierFactory(code="ACME", name="Acme")
    product.reorder_point = 3
    product.save()
    return product


def test_a_backorder_raises_a_draft_and_the_timeline_names_it(bought, sales_user):
    # when
    order = confirmed(sales_user, [("MUG-RED", 4)])
    # then
    po = PurchaseOrder.objects.get()
    assert (po.status, po.is_drop_ship) == (PO.DRAFT, False)
    assert po.lines.get().quantity_ordered == 4 + 3
    event = order.events.get(type=OrderEvent.Type.PURCHASE)
    assert f"Draft {po.number} to Acme raised: 7 × MUG-RED" in event.note
    assert event.data["purchase_order"] == po.number


def test_a_second_backorder_tops_up_for_the_total_minus_what_is_on_order(bought, sales_user):
    # given 4 backordered, 7 on the draft
    confirmed(sales_user, [("MUG-RED", 4)])
    # when another order waits for 6: 10 in total, 7 on order
    second = confirmed(sales_user, [("MUG-RED", 6)])
    # then
    po = PurchaseOrder.objects.get()
    assert po.lines.get().quantity_ordered == 7 + (10 - 7) + 3
    assert "topped up: 6 × MUG-RED" in second.events.get(type=OrderEvent.Type.PURCHASE).note


def test_a_backorder_already_covered_says_which_order_brings_it(
    bought, manager_user, sales_user, warehouse
):
    # given 20 mugs on a sent order
    po = inventory_services.purchase_order_create(
        supplier=bought.supplier, warehouse=warehouse, lines=[(bought, 20)], user=manager_user
    )
    inventory_services.purchase_order_send(purchase_order_id=po.pk, user=manager_user)
    # when
    order = confirmed(sales_user, [("MUG-RED", 5)])
    # then
    assert PurchaseOrder.objects.count() == 1
    note = order.events.get(type=OrderEvent.Type.PURCHASE).note
    assert note == f"MUG-RED is already on order: {po.number} will bring 20 for the 5 backordered."


def test_a_backorder_without_supplier_is_noted(product, sales_user):
    # when
    order = confirmed(sales_user, [("MUG-RED", 2)])
    # then
    assert PurchaseOrder.objects.count() == 0
    event = order.events.get(type=OrderEvent.Type.PURCHASE)
    assert event.note == "No purchase order for MUG-RED: it has no supplier."
    assert event.data["reason"] == "no supplier"


def test_a_cancelled_order_no_longer_counts_as_backordered(bought, sales_user):
    # given
    first = confirmed(sales_user, [("MUG-RED", 4)])
    confirmed(sales_user, [("MUG-RED", 2)])
    # when
    services.order_cancel(order_id=first.pk, user=sales_user, reason="gone")
    # then
    assert backorder_totals([bought.pk]) == {bought.pk: 2}


def test_backorder_totals_cost_one_query(bought, sales_user, django_assert_num_queries):
    # given three orders for two products
    other = ProductFactory(sku="CUP")
    confirmed(sales_user, [("MUG-RED", 1), ("CUP", 2)])
    confirmed(sales_user, [("MUG-RED", 3)])
    confirmed(sales_user, [("CUP", 1)])
    # when / then
    with django_assert_num_queries(1):
        totals = backorder_totals([bought.pk, other.pk])
    assert totals == {bought.pk: 4, other.pk: 3}


def test_an_allocated_order_asks_nothing_of_purchasing(bought, bin_a, sales_user):
    # given 5 mugs in stock
    inventory_services.stock_receive(product=bought, location=bin_a, quantity=5)
    # when
    order = confirmed(sales_user, [("MUG-RED", 5)])
    # then
    assert order.status == S.ALLOCATED
    assert PurchaseOrder.objects.count() == 0
    assert not order.events.filter(type=OrderEvent.Type.PURCHASE).exists()
    assert StockMovement.objects.count() == 1
    assert PurchaseOrderLine.objects.count() == 0
