"""The stock endpoints: receive, count/adjust, transfer, the stock list and the ledger."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory import services
from inventory.models import StockLevel, StockMovement
from tests.factories import LocationFactory, ProductFactory


def receive_body(**overrides):
    body = {
        "sku": "MUG-RED",
        "warehouse": "MAIN",
        "location": "A-01-01",
        "quantity": 10,
        "reference": "PO-000001",
    }
    body.update(overrides)
    return body


# --- receive -----------------------------------------------------------------------------------


def test_warehouse_staff_receive_stock(api_as, warehouse_user, product, bin_a):
    # given
    client = api_as(warehouse_user)

    # when
    response = client.post("/api/v1/stock/receive/", receive_body(quantity="4"), format="json")

    # then
    assert response.status_code == 201, response.json()
    assert response.json()["movement"]["on_hand_after"] == 4
    assert response.json()["stock"]["location_barcode"] == "BIN-MAIN-A-01-01"
    level = StockLevel.objects.get(product=product, location=bin_a)
    assert (level.on_hand, level.allocated) == (4, 0)
    movement = StockMovement.objects.get()
    assert (movement.kind, movement.quantity, movement.user) == ("receipt", 4, warehouse_user)


def test_receive_by_bin_barcode(api_as, warehouse_user, product, bin_a):
    # given
    client = api_as(warehouse_user)

    # when
    response = client.post(
        "/api/v1/stock/receive/", receive_body(location="BIN-MAIN-A-01-01"), format="json"
    )

    # then
    assert response.status_code == 201, response.json()
    assert StockLevel.objects.get(product=product, location=bin_a).on_hand == 10


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"sku": "MUG-NONE"}, "sku", "There is no product with SKU 'MUG-NONE'."),
        ({"warehouse": "NOWHERE"}, "warehouse", "There is no warehouse 'NOWHERE'."),
        ({"location": "Z-99-99"}, "location", "There is no bin 'Z-99-99' in warehouse MAIN."),
    ],
)
def test_receive_with_unknown_names_is_404_and_changes_nothing(
    api_as, warehouse_user, stocked, bin_a, snapshot, overrides, field, message
):
    # given
    client = api_as(warehouse_user)
    before = snapshot()

    # when
    response = client.post("/api/v1/stock/receive/", receive_body(**overrides), format="json")

    # then
    assert response.status_code == 404
    assert response.json()["errors"] == {field: [message]}
    assert response.json()["detail"] == message
    assert snapshot() == before


def test_receive_names_every_unknown_field_at_once(
    api_as, warehouse_user, stocked, bin_a, snapshot
):
    # given
    client = api_as(warehouse_user)
    before = snapshot()

    # when
    response = client.post(
        "/api/v1/stock/receive/",
        receive_body(sku="MUG-NONE", warehouse="NOWHERE"),
        format="json",
    )

    # then
    assert response.status_code == 404
    assert set(response.json()["errors"]) == {"sku", "warehouse"}
    assert snapshot() == before


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        (0, "Quantity must be at least 1."),
        (-3, "Quantity must be at least 1."),
        ("two", "Quantity must be a whole number."),
        (2.5, "Quantity must be a whole number."),
        (None, "This field may not be null."),
        (10_000_000, "Quantity cannot be more than 1,000,000."),
    ],
)
def test_receive_bad_quantity_is_400_and_changes_nothing(
    api_as, warehouse_user, stocked, bin_a, snapshot, quantity, message
):
    # given
    client = api_as(warehouse_user)
    before = snapshot()

    # when
    response = client.post("/api/v1/stock/receive/", receive_body(quantity=quantity), format="json")

    # then
    assert response.status_code == 400
    assert response.json()["errors"]["quantity"] == [message]
    assert snapshot() == before


def test_receive_without_quantity_is_400(api_as, warehouse_user, stocked, bin_a, snapshot):
    # given
    client = api_as(warehouse_user)
    before = snapshot()
    body = receive_body()
    del body["quantity"]

    # when
    response = client.post("/api/v1/stock/receive/", body, format="json")

    # then
    assert response.status_code == 400
    assert response.json()["errors"]["quantity"] == ["This field is required."]
    assert snapshot() == before


def test_receive_malformed_json_is_400(api_as, warehouse_user, stocked, bin_a, snapshot):
    # given
    client = api_as(warehouse_user)
    before = snapshot()

    # when
    response = client.post(
        "/api/v1/stock/receive/", data='{"sku": "MUG-RED",', content_type="application/json"
    )

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert snapshot() == before


def test_receive_into_a_deactivated_product_is_409(
    api_as, warehouse_user, stocked, bin_a, snapshot
):
    # given
    services.product_deactivate(product=stocked)
    client = api_as(warehouse_user)
    before = snapshot()

    # when
    response = client.post("/api/v1/stock/receive/", receive_body(), format="json")

    # then
    assert response.status_code == 409
    assert response.json()["code"] == "inactive_product"
    assert response.json()["errors"]["sku"]
    assert snapshot() == before


def test_sales_cannot_receive_stock(api_as, sales_user, stocked, bin_a, snapshot):
    # given
    client = api_as(sales_user)
    before = snapshot()

    # when
    response = client.post("/api/v1/stock/receive/", receive_body(), format="json")

    # then
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Your role does not allow this.",
        "code": "permission_denied",
    }
    assert snapshot() == before


def test_anonymous_cannot_receive_stock(api_client, stocked, bin_a, snapshot):
    # given
    before = snapshot()

    # when
    response = api_client.post("/api/v1/stock/receive/", receive_body(), format="json")

    # then: 401 (not 403) tells an integration to send or renew its token
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "not_authenticated"
    assert snapshot() == before


def test_anonymous_cannot_read_stock(api_client, stocked):
    # when
    response = api_client.get("/api/v1/stock/")

    # then
    assert response.status_code == 401


def test_bad_token_is_refused(api_client, stocked, snapshot):
    # given
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    before = snapshot()

    # when
    response = api_client.post("/api/v1/stock/receive/", receive_body(), format="json")

    # then
    assert response.status_code == 401
    assert snapshot() == before


# --- count and adjust --------------------------------------------------------------------------


def adjust_body(**overrides):
    body = {"sku": "MUG-RED", "warehouse": "MAIN", "location": "A-01-01", "counted": 7}
    body.update(overrides)
    return body


def test_warehouse_staff_count_stock(api_as, warehouse_user, stocked, bin_a):
    # given 10 on record
    client = api_as(warehouse_user)

    # when a count finds 9 (a small difference)
    response = client.post("/api/v1/stock/adjust/", adjust_body(counted=9), format="json")

    # then it is booked at once
    assert response.status_code == 200, response.json()
    assert response.json()["movement"]["kind"] == "count"
    assert response.json()["movement"]["quantity"] == -1
    assert response.json()["stock"]["on_hand"] == 9
    assert response.json()["stock"]["last_counted_at"] is not None
    assert response.json()["count_adjustment"] is None
    assert StockLevel.objects.get(product=stocked, location=bin_a).on_hand == 9


def test_a_large_count_difference_waits_for_approval_with_202(
    api_as, warehouse_user, stocked, bin_a
):
    # given 10 on record
    client = api_as(warehouse_user)
    ledger_before = StockMovement.objects.count()

    # when a count finds 7 (30 % off, above the 10 % allowed)
    response = client.post("/api/v1/stock/adjust/", adjust_body(counted=7), format="json")

    # then nothing is booked: the count waits for a manager
    assert response.status_code == 202, response.json()
    body = response.json()
    assert body["movement"] is None
    assert body["stock"]["on_hand"] == 10
    pending = body["count_adjustment"]
    assert (pending["expected"], pending["counted"], pending["difference"]) == (10, 7, -3)
    assert (pending["status"], pending["counted_by"], pending["location"]) == (
        "pending",
        "wendy.warehouse",
        "A-01-01",
    )
    assert pending["difference_value"] == "-29.70"
    assert StockMovement.objects.count() == ledger_before


def test_count_that_matches_returns_no_movement(api_as, warehouse_user, stocked, bin_a):
    # given
    client = api_as(warehouse_user)
    ledger_before = StockMovement.objects.count()

    # when
    response = client.post("/api/v1/stock/adjust/", adjust_body(counted=10), format="json")

    # then
    assert response.status_code == 200
    assert response.json()["movement"] is None
    assert response.json()["stock"]["on_hand"] == 10
    assert StockMovement.objects.count() == ledger_before


def test_count_below_allocated_is_409_and_changes_nothing(
    api_as, warehouse_user, stocked, bin_a, snapshot
):
    # given
    services.stock_allocate(product=stocked, quantity=4)
    client = api_as(warehouse_user)
    before = snapshot()

    # when
    response = client.post("/api/v1/stock/adjust/", adjust_body(counted=3), format="json")

    # then
    assert response.status_code == 409
    assert response.json()["code"] == "below_allocated"
    assert "4 are promised to orders" in response.json()["errors"]["counted"][0]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("counted", "message"),
    [
        (-1, "Counted quantity cannot be negative."),
        ("x", "Counted quantity must be a whole number."),
    ],
)
def test_bad_count_is_400_and_changes_nothing(
    api_as, warehouse_user, stocked, bin_a, snapshot, counted, message
):
    # given
    client = api_as(warehouse_user)
    before = snapshot()

    # when
    response = client.post("/api/v1/stock/adjust/", adjust_body(counted=counted), format="json")

    # then
    assert response.status_code == 400
    assert response.json()["errors"]["counted"] == [message]
    assert snapshot() == before


def test_manager_adjusts_stock_with_a_reason(api_as, manager_user, stocked, bin_a):
    # given
    client = api_as(manager_user)

    # when
    response = client.post(
        "/api/v1/stock/adjust/",
        adjust_body(counted=8, count=False, reason="Two broken in transit"),
        format="json",
    )

    # then
    assert response.status_code == 200, response.json()
    movement = response.json()["movement"]
    assert (movement["kind"], movement["quantity"]) == ("adjustment", -2)
    assert movement["reason"] == "Two broken in transit"
    assert response.json()["stock"]["last_counted_at"] is None


def test_adjustment_without_reason_is_400_and_changes_nothing(
    api_as, manager_user, stocked, bin_a, snapshot
):
    # given
    client = api_as(manager_user)
    before = snapshot()

    # when
    response = client.post(
        "/api/v1/stock/adjust/", adjust_body(counted=8, count=False), format="json"
    )

    # then
    assert response.status_code == 400
    assert response.json()["errors"]["reason"] == ["Give a reason for the adjustment."]
    assert snapshot() == before


def test_warehouse_staff_cannot_adjust_without_counting(
    api_as, warehouse_user, stocked, bin_a, snapshot
):
    # given
    client = api_as(warehouse_user)
    before = snapshot()

    # when
    response = client.post(
        "/api/v1/stock/adjust/",
        adjust_body(counted=8, count=False, reason="Broken"),
        format="json",
    )

    # then
    assert response.status_code == 403
    assert snapshot() == before


def test_sales_cannot_count_stock(api_as, sales_user, stocked, bin_a, snapshot):
    # given
    client = api_as(sales_user)
    before = snapshot()

    # when
    response = client.post("/api/v1/stock/adjust/", adjust_body(), format="json")

    # then
    assert response.status_code == 403
    assert snapshot() == before


# --- transfer ----------------------------------------------------------------------------------


def transfer_body(**overrides):
    body = {
        "sku": "MUG-RED",
        "warehouse": "MAIN",
        "from_location": "A-01-01",
        "to_location": "A-01-02",
        "quantity": 4,
        "reference": "MOVE-1",
    }
    body.update(overrides)
    return body


def test_warehouse_staff_transfer_stock(api_as, warehouse_user, stocked, bin_a, bin_b):
    # given
    client = api_as(warehouse_user)

    # when
    response = client.post("/api/v1/stock/transfer/", transfer_body(), format="json")

    # then
    assert response.status_code == 200, response.json()
    body = response.json()
    assert [(m["kind"], m["location"], m["quantity"]) for m in body["movements"]] == [
        ("transfer_out", "A-01-01", -4),
        ("transfer_in", "A-01-02", 4),
    ]
    assert (body["from_stock"]["on_hand"], body["to_stock"]["on_hand"]) == (6, 4)
    assert StockLevel.objects.get(product=stocked, location=bin_b).on_hand == 4


def test_transfer_to_the_same_bin_is_400_and_changes_nothing(
    api_as, warehouse_user, stocked, bin_a, snapshot
):
    # given
    client = api_as(warehouse_user)
    before = snapshot()

    # when
    response = client.post(
        "/api/v1/stock/transfer/", transfer_body(to_location="A-01-01"), format="json"
    )

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "same_location"
    assert response.json()["errors"]["to_location"] == [
        "The stock is already in that bin; choose a different bin."
    ]
    assert snapshot() == before


def test_transfer_more_than_available_is_409_and_changes_nothing(
    api_as, warehouse_user, stocked, bin_a, bin_b, snapshot
):
    # given
    services.stock_allocate(product=stocked, quantity=8)
    client = api_as(warehouse_user)
    before = snapshot()

    # when
    response = client.post("/api/v1/stock/transfer/", transfer_body(quantity=3), format="json")

    # then
    assert response.status_code == 409
    assert response.json()["errors"]["quantity"][0].startswith("Only 2 of MUG-RED")
    assert snapshot() == before


def test_transfer_to_unknown_bin_is_404_naming_it(api_as, warehouse_user, stocked, bin_a, snapshot):
    # given
    client = api_as(warehouse_user)
    before = snapshot()

    # when
    response = client.post(
        "/api/v1/stock/transfer/", transfer_body(to_location="Q-9"), format="json"
    )

    # then
    assert response.status_code == 404
    assert response.json()["errors"] == {
        "to_location": ["There is no bin 'Q-9' in warehouse MAIN."]
    }
    assert snapshot() == before


def test_transfer_of_zero_is_400_and_changes_nothing(
    api_as, warehouse_user, stocked, bin_a, bin_b, snapshot
):
    # given
    client = api_as(warehouse_user)
    before = snapshot()

    # when
    response = client.post("/api/v1/stock/transfer/", transfer_body(quantity=0), format="json")

    # then
    assert response.status_code == 400
    assert response.json()["errors"]["quantity"] == ["Quantity must be at least 1."]
    assert snapshot() == before


# --- the stock list ----------------------------------------------------------------------------


def test_stock_list_filters_and_ordering(api_as, sales_user, stocked, bin_a, bin_b):
    # given
    cup = ProductFactory(sku="CUP-GREEN", reorder_point=5)
    services.stock_receive(product=cup, location=bin_b, quantity=2)
    services.stock_receive(product=stocked, location=bin_b, quantity=1)
    client = api_as(sales_user)

    def rows(query):
        response = client.get(f"/api/v1/stock/?{query}")
        assert response.status_code == 200, response.json()
        return [(r["sku"], r["location"], r["available"]) for r in response.json()["results"]]

    # when / then
    assert rows("") == [
        ("MUG-RED", "A-01-01", 10),
        ("CUP-GREEN", "A-01-02", 2),
        ("MUG-RED", "A-01-02", 1),
    ]
    assert rows("sku=mug-red&location=A-01-02") == [("MUG-RED", "A-01-02", 1)]
    assert rows(f"product={cup.pk}") == [("CUP-GREEN", "A-01-02", 2)]
    assert rows("warehouse=main&available_gt=1&ordering=available") == [
        ("CUP-GREEN", "A-01-02", 2),
        ("MUG-RED", "A-01-01", 10),
    ]
    assert rows("low=true") == [("CUP-GREEN", "A-01-02", 2)]
    assert rows("warehouse=WEST") == []


def test_stock_list_bad_filter_value_is_400(api_as, sales_user, stocked):
    # given
    client = api_as(sales_user)

    # when
    response = client.get("/api/v1/stock/?available_gt=lots")

    # then
    assert response.status_code == 400
    assert response.json()["errors"]["available_gt"]


def test_stock_list_costs_the_same_queries_for_5_and_100_rows(api_as, sales_user, warehouse):
    # given
    bins = [LocationFactory(warehouse=warehouse) for _ in range(4)]
    products = ProductFactory.create_batch(25)
    client = api_as(sales_user)

    def receive(indexes):
        for index in indexes:
            product = products[index // len(bins)]
            services.stock_receive(product=product, location=bins[index % len(bins)], quantity=1)

    def queries_for_list():
        with CaptureQueriesContext(connection) as context:
            response = client.get("/api/v1/stock/?page_size=500")
        assert response.status_code == 200
        return len(context.captured_queries), len(response.json()["results"])

    receive(range(5))
    few = queries_for_list()

    # when
    receive(range(5, 100))
    many = queries_for_list()

    # then
    assert few[1] == 5
    assert many[1] == 100
    assert many[0] == few[0]


# --- the ledger --------------------------------------------------------------------------------


def test_movements_list_filters(api_as, warehouse_user, stocked, bin_a, bin_b):
    # given
    services.stock_transfer(
        product=stocked, from_location=bin_a, to_location=bin_b, quantity=2, reference="MOVE-9"
    )
    client = api_as(warehouse_user)

    def kinds(query):
        response = client.get(f"/api/v1/movements/?{query}")
        assert response.status_code == 200, response.json()
        return [(m["kind"], m["location"], m["quantity"]) for m in response.json()["results"]]

    # when / then
    assert kinds("sku=MUG-RED") == [
        ("transfer_in", "A-01-02", 2),
        ("transfer_out", "A-01-01", -2),
        ("receipt", "A-01-01", 10),
    ]
    assert kinds("kind=receipt") == [("receipt", "A-01-01", 10)]
    assert kinds("reference=move-9&location=A-01-02") == [("transfer_in", "A-01-02", 2)]
    assert kinds("warehouse=MAIN&created_after=2000-01-01") != []
    assert kinds("created_before=2000-01-01") == []


def test_movements_are_read_only(api_as, manager_user, stocked, snapshot):
    # given
    client = api_as(manager_user)
    movement = StockMovement.objects.get()
    before = snapshot()

    # when
    posted = client.post("/api/v1/movements/", {"quantity": 5}, format="json")
    deleted = client.delete(f"/api/v1/movements/{movement.pk}/")

    # then
    assert (posted.status_code, deleted.status_code) == (405, 405)
    assert snapshot() == before


def test_sales_cannot_read_the_ledger(api_as, sales_user, stocked):
    # given
    client = api_as(sales_user)

    # when
    response = client.get("/api/v1/movements/")

    # then
    assert response.status_code == 403
