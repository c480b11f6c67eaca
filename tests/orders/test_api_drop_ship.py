"""``POST /api/v1/purchase-orders/<id>/drop-shipped/``: a drop-ship supplier's shipment."""

import pytest

from inventory import services as inventory_services
from inventory.models import PurchaseOrder, StockLevel, StockMovement
from orders import services
from orders.models import Order
from tests.factories import CustomerFactory, ProductFactory, SupplierFactory, address_data

URL = "/api/v1/purchase-orders/"


def po_state(po):
    po = PurchaseOrder.objects.get(pk=po.pk)
    return po.status, po.version, po.carrier, po.tracking_number


@pytest.fixture
def supplier(db):
    return SupplierFactory(code="ACME", name="Acme Sofas")


@pytest.fixture
def drop_order(supplier, sales_user):
    """A confirmed order for a drop-ship sofa: its purchase order went to the supplier."""
    ProductFactory(sku="SOFA", is_drop_ship=True, supplier=supplier)
    order = services.order_create(
        customer=CustomerFactory(),
        user=sales_user,
        shipping_address=address_data(),
        lines=[{"sku": "SOFA", "quantity": 1}],
        place=True,
    )
    return services.order_confirm(order_id=order.pk, user=sales_user)


def test_drop_shipped_records_the_suppliers_shipment(api_as, warehouse_user, drop_order):
    # given
    po = PurchaseOrder.objects.get(customer_reference=drop_order.number)
    # when
    response = api_as(warehouse_user).post(
        f"{URL}{po.pk}/drop-shipped/",
        {"carrier": "DPD", "tracking_number": "15501234567"},
        format="json",
    )
    # then
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["tracking_number"]) == (
        "received",
        "15501234567",
    )
    assert response.json()["number"] == po.number
    drop_order.refresh_from_db()
    assert drop_order.status == Order.Status.SHIPPED


def test_drop_shipped_without_tracking_is_400(api_as, warehouse_user, drop_order):
    # given
    po = PurchaseOrder.objects.get(customer_reference=drop_order.number)
    before = po_state(po)
    # when
    response = api_as(warehouse_user).post(
        f"{URL}{po.pk}/drop-shipped/", {"carrier": "DPD"}, format="json"
    )
    # then
    assert response.status_code == 400
    assert "tracking_number" in response.json()["errors"]
    assert po_state(po) == before
    assert Order.objects.get(pk=drop_order.pk).status == Order.Status.ALLOCATED


def test_drop_shipped_on_a_stock_order_is_409(
    api_as, warehouse_user, manager_user, supplier, product, warehouse, snapshot
):
    # given a sent purchase order for stock
    sent = inventory_services.purchase_order_send(
        purchase_order_id=inventory_services.purchase_order_create(
            supplier=supplier, warehouse=warehouse, lines=[(product, 10)], user=manager_user
        ).pk,
        user=manager_user,
    )
    before, stock = po_state(sent), snapshot()
    # when
    response = api_as(warehouse_user).post(
        f"{URL}{sent.pk}/drop-shipped/",
        {"carrier": "DPD", "tracking_number": "T-1"},
        format="json",
    )
    # then
    assert response.status_code == 409
    assert response.json()["code"] == "not_drop_ship"
    assert po_state(sent) == before
    assert snapshot() == stock


def test_drop_shipped_on_a_purchase_order_raised_for_no_order_is_409(
    api_as, warehouse_user, supplier
):
    # given a drop-ship purchase order whose customer order does not exist
    sofa = ProductFactory(sku="SOFA", is_drop_ship=True, supplier=supplier)
    po = inventory_services.purchase_order_drop_ship(
        supplier=supplier, lines=[(sofa, 1)], ship_to="1 High St", customer_reference="SO-404"
    )
    before = po_state(po)
    # when
    response = api_as(warehouse_user).post(
        f"{URL}{po.pk}/drop-shipped/",
        {"carrier": "DPD", "tracking_number": "T-1"},
        format="json",
    )
    # then
    assert response.status_code == 409
    assert response.json()["code"] == "no_order"
    assert po_state(po) == before


@pytest.mark.parametrize("pk", ["999", "abc", "1.5"])
def test_drop_shipped_on_a_missing_purchase_order_is_404(api_as, manager_user, db, pk):
    # when
    response = api_as(manager_user).post(f"{URL}{pk}/drop-shipped/", {}, format="json")
    # then
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_sales_may_not_record_a_suppliers_shipment(api_as, sales_user, drop_order):
    # given
    po = PurchaseOrder.objects.get(customer_reference=drop_order.number)
    before = po_state(po)
    # when
    response = api_as(sales_user).post(
        f"{URL}{po.pk}/drop-shipped/", {"carrier": "DPD", "tracking_number": "T-1"}, format="json"
    )
    # then
    assert response.status_code == 403
    assert po_state(po) == before
    assert not StockMovement.objects.exists() and not StockLevel.objects.exists()


def test_schema_documents_the_drop_shipped_endpoint(api_as, manager_user):
    # when
    paths = api_as(manager_user).get("/api/schema/?format=json").json()["paths"]
    # then
    operation = paths["/api/v1/purchase-orders/{id}/drop-shipped/"]["post"]
    assert operation["operationId"] == "v1_purchase_orders_drop_shipped_create"
    assert set(operation["responses"]) >= {"200", "400", "403", "404", "409"}
