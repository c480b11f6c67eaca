"""Hostile input to the API: ids that cannot be ids, numbers past their columns, odd moments.

Each answer is JSON with a message (400 or 404), never a 500, and nothing is written.
"""

import pytest

from orders.models import Customer, Order, OrderEvent
from tests.conftest import stock_snapshot
from tests.factories import CustomerFactory, address_data

BAD_IDS = ["abc", "1.5", "-1", "0", "\u00b2", "99999999999999999999", "1e3", "1.%0A5"]


def written():
    """Return what a refused request must leave as it was."""
    return (
        sorted(Order.objects.values_list("pk", "status", "version", "priority", "notes")),
        OrderEvent.objects.count(),
        Customer.objects.count(),
        stock_snapshot(),
    )


@pytest.fixture
def manager_api(api_as, manager_user):
    return api_as(manager_user)


@pytest.fixture
def order(stocked, sales_user):
    from orders import services

    return services.order_create(
        customer=CustomerFactory(),
        user=sales_user,
        shipping_address=address_data(),
        lines=[{"sku": "MUG-RED", "quantity": 1}],
        place=True,
    )


DETAIL_CALLS = [
    ("get", "/api/v1/orders/{}/"),
    ("patch", "/api/v1/orders/{}/"),
    ("post", "/api/v1/orders/{}/hold/"),
    ("get", "/api/v1/customers/{}/"),
    ("patch", "/api/v1/customers/{}/"),
    ("get", "/api/v1/products/{}/"),
    ("post", "/api/v1/products/{}/deactivate/"),
    ("get", "/api/v1/purchase-orders/{}/"),
    ("post", "/api/v1/purchase-orders/{}/send/"),
    ("get", "/api/v1/shipments/{}/"),
    ("post", "/api/v1/shipments/{}/cancel/"),
    ("get", "/api/v1/waves/{}/"),
    ("get", "/api/v1/stock/{}/"),
]


@pytest.mark.parametrize(("method", "path"), DETAIL_CALLS)
@pytest.mark.parametrize("bad_id", BAD_IDS)
def test_an_id_that_cannot_be_one_is_404_json_and_changes_nothing(
    manager_api, order, method, path, bad_id
):
    # given
    before = written()
    # when
    response = getattr(manager_api, method)(
        path.format(bad_id), {"notes": "x", "name": "x"}, format="json"
    )
    # then
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"
    assert written() == before


@pytest.mark.parametrize("method", ["get", "post", "patch"])
def test_an_unknown_address_under_the_api_is_404_json(manager_api, method):
    # when
    response = getattr(manager_api, method)("/api/v1/no-such-thing/1/", {}, format="json")
    # then
    assert response.status_code == 404
    assert response.json() == {"detail": "There is nothing at this address.", "code": "not_found"}


def test_a_request_with_too_many_fields_is_400_json(manager_api, order):
    # given
    before = written()
    body = "&".join(f"note{i}=x" for i in range(1500))
    # when
    response = manager_api.generic(
        "POST",
        f"/api/v1/orders/{order.pk}/hold/",
        body,
        content_type="application/x-www-form-urlencoded",
    )
    # then
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"
    assert written() == before


@pytest.mark.parametrize("priority", [32768, -32769, 101, -101, 10**30])
def test_a_priority_past_its_bounds_is_400_naming_the_field(manager_api, order, priority):
    # given
    before = written()
    # when
    response = manager_api.patch(
        f"/api/v1/orders/{order.pk}/", {"priority": priority}, format="json"
    )
    # then
    assert response.status_code == 400
    assert "Priority" in response.json()["errors"]["priority"][0]
    assert written() == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("shipping_price", "10000000000.00", "Shipping price cannot be more than"),
        ("shipping_price", "-1", "Shipping price cannot be less than 0"),
        ("shipping_price", "1.234", "at most two decimals"),
        ("notes", "x" * 5001, "no more than 5000 characters"),
        ("version", 2**40, "Version cannot be more than"),
    ],
)
def test_an_edit_past_a_column_is_400_naming_the_field(manager_api, order, field, value, message):
    # given
    before = written()
    # when
    response = manager_api.patch(f"/api/v1/orders/{order.pk}/", {field: value}, format="json")
    # then
    assert response.status_code == 400
    assert message in response.json()["errors"][field][0]
    assert written() == before


@pytest.mark.parametrize(
    "moment",
    [
        "2024-01-01T00:00:00-20:37",  # an offset PostgreSQL refuses
        "0001-01-01T00:00:00+05:00",  # before year 1 in UTC
        "9999-12-31T23:59:59-05:00",  # after year 9999 in UTC
    ],
)
@pytest.mark.parametrize("name", ["created_after", "placed_before"])
def test_a_moment_the_database_cannot_compare_is_400(manager_api, order, name, moment):
    # when
    response = manager_api.get("/api/v1/orders/", {name: moment})
    # then
    assert response.status_code == 400
    assert name in response.json()["errors"]


def test_a_real_time_zone_filters_as_before(manager_api, order):
    # when
    response = manager_api.get("/api/v1/orders/", {"created_after": "2000-01-01T00:00:00+14:00"})
    # then
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [order.pk]


@pytest.mark.parametrize("customer", ["\u00b2", "99999999999999999999", "nobody"])
def test_a_customer_filter_that_names_nobody_finds_nothing(manager_api, order, customer):
    # when
    response = manager_api.get("/api/v1/orders/", {"customer": customer})
    # then
    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/v1/shipments/", {"order": "99999999999999999999"}),
        ("/api/v1/shipments/", {"wave": "1.5"}),
        ("/api/v1/stock/", {"product": "-3"}),
        ("/api/v1/stock/", {"available_gt": str(2**40)}),
        ("/api/v1/movements/", {"product": "\u00b2"}),
    ],
)
def test_a_number_filter_past_its_column_is_400(manager_api, path, query):
    # when
    response = manager_api.get(path, query)
    # then
    assert response.status_code == 400
    assert set(response.json()["errors"]) == set(query)


@pytest.mark.parametrize("if_match", ['"\u00b2"', '"99999999999"', '"abc"'])
def test_an_if_match_that_is_not_a_version_is_400(manager_api, order, if_match):
    # given
    before = written()
    # when
    response = manager_api.patch(
        f"/api/v1/orders/{order.pk}/", {"notes": "x"}, format="json", HTTP_IF_MATCH=if_match
    )
    # then
    assert response.status_code == 400
    assert response.json()["code"] == "bad_if_match"
    assert written() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"order": 0}, "order"),
        ({"order": 2**63}, "order"),
        ({"order": "abc"}, "order"),
    ],
)
def test_an_id_in_a_body_that_cannot_be_one_is_400(manager_api, body, field):
    # when
    response = manager_api.post("/api/v1/shipments/", body, format="json")
    # then
    assert response.status_code == 400
    assert field in response.json()["errors"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"min_priority": 40000}, "min_priority"),
        ({"max_orders": 1001}, "max_orders"),
        ({"shipments": [2**63]}, "shipments[0]"),
    ],
)
def test_a_wave_filter_past_its_bounds_is_400(manager_api, body, field):
    # when
    response = manager_api.post("/api/v1/waves/", body, format="json")
    # then
    assert response.status_code == 400
    assert field in response.json()["errors"]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/stock/receive/", {"quantity": 10**7}, "quantity"),
        ("/api/v1/stock/adjust/", {"counted": 2**31}, "counted"),
        ("/api/v1/locations/", {"pick_sequence": 2**31}, "pick_sequence"),
        ("/api/v1/warehouses/", {"priority": 40000}, "priority"),
        ("/api/v1/products/", {"price": "99999999999.00"}, "price"),
        ("/api/v1/products/", {"weight_grams": 2**31}, "weight_grams"),
    ],
)
def test_inventory_numbers_past_their_columns_are_400(manager_api, path, body, field):
    # when
    response = manager_api.post(path, body, format="json")
    # then
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_the_schema_states_the_bounds(manager_api):
    # when
    schema = manager_api.get("/api/schema/", {"format": "json"}).json()
    # then
    components = schema["components"]["schemas"]
    order_create = components["OrderCreateRequest"]["properties"]
    assert order_create["priority"]["maximum"] == 100
    assert order_create["lines"]["maxItems"] == 500
    assert order_create["lines"]["items"]["$ref"].endswith("/LineInputRequest")
    assert components["LineInputRequest"]["properties"]["quantity"]["maximum"] == 1_000_000
    patch = schema["paths"]["/api/v1/orders/{id}/"]["patch"]["responses"]
    assert {"400", "401", "403", "404", "409", "412", "415"} <= set(patch)
    listing = schema["paths"]["/api/v1/orders/"]["get"]["responses"]
    assert {"200", "400", "401", "403", "404"} <= set(listing)
