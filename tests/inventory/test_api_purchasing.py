"""The purchase-orders API: list and filter, create, send, cancel, receive."""

import pytest

from inventory import services
from inventory.models import PurchaseOrder, PurchaseOrderLine, StockLevel
from tests.factories import ProductFactory, SupplierFactory

URL = "/api/v1/purchase-orders/"


@pytest.fixture
def supplier(db):
    return SupplierFactory(code="ACME", name="Acme Mugs")


@pytest.fixture
def mug(product, supplier):
    product.supplier = supplier
    product.save()
    return product


@pytest.fixture
def manager_api(api_as, manager_user):
    return api_as(manager_user)


@pytest.fixture
def sent(mug, supplier, warehouse, manager_user):
    """A sent purchase order for 10 red mugs to MAIN."""
    po = services.purchase_order_create(
        supplier=supplier, warehouse=warehouse, lines=[(mug, 10)], user=manager_user
    )
    return services.purchase_order_send(purchase_order_id=po.pk, user=manager_user)


def po_state(po):
    po = PurchaseOrder.objects.get(pk=po.pk)
    return po.status, po.version, list(po.lines.values_list("quantity_received", flat=True))


def body(**overrides):
    data = {
        "supplier": "ACME",
        "warehouse": "MAIN",
        "expected_on": "2030-01-15",
        "notes": "Before the sale",
        "lines": [{"sku": "MUG-RED", "quantity": 12, "unit_cost": "3.10"}],
    }
    data.update(overrides)
    return data


# --- create -----------------------------------------------------------------------------------


def test_a_manager_creates_a_draft_by_sku(manager_api, mug, warehouse):
    # when
    response = manager_api.post(URL, body(), format="json")
    # then
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["number"].startswith("PO-")
    assert (data["status"], data["supplier"], data["warehouse"]) == ("draft", "ACME", "MAIN")
    assert data["expected_on"] == "2030-01-15"
    assert data["lines"] == [
        {
            "id": data["lines"][0]["id"],
            "product": mug.pk,
            "sku": "MUG-RED",
            "name": "Red mug",
            "quantity_ordered": 12,
            "quantity_received": 0,
            "quantity_open": 12,
            "unit_cost": "3.10",
        }
    ]


@pytest.mark.parametrize(
    ("overrides", "status", "field"),
    [
        ({"lines": [{"sku": "NOPE", "quantity": 1}]}, 404, "lines[0].sku"),
        ({"lines": [{"sku": "MUG-RED", "quantity": 0}]}, 400, "lines[0].quantity"),
        ({"lines": [{"sku": "MUG-RED", "quantity": "many"}]}, 400, "lines[0].quantity"),
        ({"lines": [{"quantity": 1}]}, 400, "lines[0].sku"),
        ({"lines": ["MUG-RED"]}, 400, "lines[0]"),
        ({"lines": []}, 400, "lines"),
        ({"supplier": "WHO"}, 404, "supplier"),
        ({"warehouse": "NOWHERE"}, 404, "warehouse"),
        ({"expected_on": "soon"}, 400, "expected_on"),
    ],
)
def test_bad_create_requests_are_refused_and_create_nothing(
    manager_api, mug, warehouse, overrides, status, field
):
    # when
    response = manager_api.post(URL, body(**overrides), format="json")
    # then
    assert response.status_code == status
    assert field in response.json()["errors"], response.json()
    assert PurchaseOrder.objects.count() == 0


@pytest.mark.parametrize("role", ["sales_user", "warehouse_user"])
def test_only_managers_create(request, api_as, mug, warehouse, role):
    # when
    response = api_as(request.getfixturevalue(role)).post(URL, body(), format="json")
    # then
    assert response.status_code == 403
    assert PurchaseOrder.objects.count() == 0


# --- list and retrieve ------------------------------------------------------------------------


def test_filters_by_status_supplier_sku_and_drop_ship(
    manager_api, sent, mug, supplier, warehouse, manager_user
):
    # given a draft for a bowl from another supplier, and a drop-ship order
    bowl = ProductFactory(sku="BOWL")
    other = SupplierFactory(code="OTHER")
    draft = services.purchase_order_create(
        supplier=other, warehouse=warehouse, lines=[(bowl, 1)], user=manager_user
    )
    sofa = ProductFactory(sku="SOFA", is_drop_ship=True, supplier=supplier)
    drop = services.purchase_order_drop_ship(
        supplier=supplier, lines=[(sofa, 1)], ship_to="1 High St", customer_reference="SO-1"
    )

    def numbers(query):
        response = manager_api.get(URL + query)
        assert response.status_code == 200
        return {row["number"] for row in response.json()["results"]}

    # when / then
    assert numbers("?status=draft") == {draft.number}
    assert numbers("?status=sent&drop_ship=false") == {sent.number}
    assert numbers("?supplier=acme") == {sent.number, drop.number}
    assert numbers("?sku=bowl") == {draft.number}
    assert numbers("?drop_ship=true") == {drop.number}
    assert numbers("?customer_reference=SO-1") == {drop.number}
    assert numbers("?open=false") == set()


def test_the_list_costs_the_same_queries_for_2_and_20_orders(
    manager_api, mug, supplier, warehouse, manager_user, django_assert_max_num_queries
):
    # given
    def make(count):
        for _ in range(count):
            services.purchase_order_create(
                supplier=supplier,
                warehouse=warehouse,
                lines=[(mug, 1), (ProductFactory(), 2)],
                user=manager_user,
            )

    def queries():
        with django_assert_max_num_queries(100) as captured:
            assert manager_api.get(URL + "?page_size=100").status_code == 200
        return len(captured)

    make(2)
    few = queries()
    make(18)
    # when
    many = queries()
    # then
    assert many == few


def test_retrieve_shows_the_lines_and_a_missing_one_is_404(manager_api, sent, warehouse_user):
    # when
    found = manager_api.get(f"{URL}{sent.pk}/")
    missing = manager_api.get(f"{URL}999/")
    # then
    assert found.status_code == 200
    assert found.json()["lines"][0]["quantity_open"] == 10
    assert missing.status_code == 404
    assert missing.json()["detail"] == "That purchase order does not exist."


def test_sales_may_read_purchase_orders(api_as, sales_user, sent):
    # when
    response = api_as(sales_user).get(URL)
    # then
    assert response.status_code == 200
    assert response.json()["count"] == 1


# --- send and cancel --------------------------------------------------------------------------


def test_send_then_send_again_is_409(manager_api, mug, supplier, warehouse, manager_user):
    # given
    po = services.purchase_order_create(
        supplier=supplier, warehouse=warehouse, lines=[(mug, 1)], user=manager_user
    )
    # when
    first = manager_api.post(f"{URL}{po.pk}/send/")
    before = po_state(po)
    second = manager_api.post(f"{URL}{po.pk}/send/")
    # then
    assert first.status_code == 200
    assert first.json()["status"] == "sent"
    assert second.status_code == 409
    assert "is sent" in second.json()["detail"]
    assert po_state(po) == before


def test_warehouse_staff_cannot_send_or_cancel(api_as, warehouse_user, sent):
    # given
    client = api_as(warehouse_user)
    before = po_state(sent)
    # when / then
    assert client.post(f"{URL}{sent.pk}/send/").status_code == 403
    assert client.post(f"{URL}{sent.pk}/cancel/").status_code == 403
    assert po_state(sent) == before


def test_cancel_with_a_reason(manager_api, sent):
    # when
    response = manager_api.post(f"{URL}{sent.pk}/cancel/", {"reason": "too dear"}, format="json")
    # then
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert "too dear" in response.json()["notes"]


def test_transitions_on_a_missing_order_are_404(manager_api, db):
    for name in ("send", "cancel", "receive"):
        response = manager_api.post(f"{URL}999/{name}/", {}, format="json")
        assert response.status_code == 404, name


# --- receive ----------------------------------------------------------------------------------


def test_warehouse_staff_receive_into_bins(api_as, warehouse_user, sent, mug, bin_a, bin_b):
    # when
    response = api_as(warehouse_user).post(
        f"{URL}{sent.pk}/receive/",
        {
            "lines": [
                {"sku": "MUG-RED", "quantity": 4, "location": "A-01-01"},
                {"sku": "mug-red", "quantity": 1, "location": "BIN-MAIN-A-01-02"},
            ]
        },
        format="json",
    )
    # then
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["purchase_order"]["status"] == "partially_received"
    assert data["purchase_order"]["lines"][0]["quantity_received"] == 5
    assert [m["reference"] for m in data["movements"]] == [sent.number] * 2
    assert [m["location"] for m in data["movements"]] == ["A-01-01", "A-01-02"]


@pytest.mark.parametrize(
    ("lines", "status", "field"),
    [
        ([{"sku": "MUG-RED", "quantity": 11, "location": "A-01-01"}], 409, "lines[0].quantity"),
        ([{"sku": "CUP", "quantity": 1, "location": "A-01-01"}], 409, "lines[0].sku"),
        ([{"sku": "NOPE", "quantity": 1, "location": "A-01-01"}], 404, "lines[0].sku"),
        ([{"sku": "MUG-RED", "quantity": 1, "location": "Z-99"}], 404, "lines[0].location"),
        ([{"sku": "MUG-RED", "quantity": -1, "location": "A-01-01"}], 400, "lines[0].quantity"),
        ([{"sku": "MUG-RED", "quantity": 1}], 400, "lines[0].location"),
        ([], 400, "lines"),
    ],
)
def test_bad_receipts_are_refused_and_change_nothing(
    api_as, warehouse_user, sent, mug, bin_a, snapshot, lines, status, field
):
    # given
    ProductFactory(sku="CUP")
    before, stock = po_state(sent), snapshot()
    # when
    response = api_as(warehouse_user).post(
        f"{URL}{sent.pk}/receive/", {"lines": lines}, format="json"
    )
    # then
    assert response.status_code == status, response.json()
    assert field in response.json()["errors"], response.json()
    assert po_state(sent) == before
    assert snapshot() == stock


def test_receiving_a_draft_is_409(manager_api, mug, supplier, warehouse, bin_a, manager_user):
    # given
    po = services.purchase_order_create(
        supplier=supplier, warehouse=warehouse, lines=[(mug, 1)], user=manager_user
    )
    # when
    response = manager_api.post(
        f"{URL}{po.pk}/receive/",
        {"lines": [{"sku": "MUG-RED", "quantity": 1, "location": "A-01-01"}]},
        format="json",
    )
    # then
    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"
    assert StockLevel.objects.count() == 0


def test_sales_cannot_receive(api_as, sales_user, sent, bin_a, snapshot):
    # given
    before = snapshot()
    # when
    response = api_as(sales_user).post(
        f"{URL}{sent.pk}/receive/",
        {"lines": [{"sku": "MUG-RED", "quantity": 1, "location": "A-01-01"}]},
        format="json",
    )
    # then
    assert response.status_code == 403
    assert snapshot() == before


# --- drop-ship orders -------------------------------------------------------------------------


@pytest.fixture
def drop_order(supplier):
    """A drop-ship purchase order for one sofa, sent when a customer order was confirmed."""
    sofa = ProductFactory(sku="SOFA", is_drop_ship=True, supplier=supplier)
    return services.purchase_order_drop_ship(
        supplier=supplier,
        lines=[(sofa, 1)],
        ship_to="Ann Lee, 1 High St",
        customer_reference="SO-1",
    )


def test_receiving_a_drop_ship_order_is_409(api_as, warehouse_user, drop_order, bin_a, snapshot):
    # given
    po = drop_order
    before, stock = po_state(po), snapshot()
    # when
    response = api_as(warehouse_user).post(
        f"{URL}{po.pk}/receive/",
        {"warehouse": "MAIN", "lines": [{"sku": "SOFA", "quantity": 1, "location": "A-01-01"}]},
        format="json",
    )
    # then
    assert response.status_code == 409
    assert response.json()["code"] == "drop_ship"
    assert po_state(po) == before
    assert snapshot() == stock


def test_schema_documents_the_purchase_order_endpoints(manager_api):
    # when
    paths = manager_api.get("/api/schema/?format=json").json()["paths"]
    # then
    for path in [
        "/api/v1/purchase-orders/",
        "/api/v1/purchase-orders/{id}/",
        "/api/v1/purchase-orders/{id}/send/",
        "/api/v1/purchase-orders/{id}/cancel/",
        "/api/v1/purchase-orders/{id}/receive/",
    ]:
        assert path in paths, path
    assert PurchaseOrderLine.objects.count() == 0
