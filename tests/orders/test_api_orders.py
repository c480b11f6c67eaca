"""The orders REST API: the SPEC section 7 calls, bad input, edits, lists and query budgets."""

from datetime import timedelta

import pytest
from django.utils import timezone

from inventory import services as inventory_services
from orders import services
from orders.models import Address, Customer, Order, OrderEvent, OrderLine, Payment
from tests.conftest import stock_snapshot
from tests.factories import CustomerFactory, ProductFactory, address_data

PASSWORD = "pass-word-123"


def api_snapshot():
    """Return everything an order request could change, to prove that nothing did."""
    return (
        sorted(Order.objects.values_list("pk", "status", "version", "total", "shipping_price")),
        sorted(
            OrderLine.all_objects.values_list(
                "pk", "quantity", "quantity_allocated", "quantity_backordered", "removed_at"
            )
        ),
        Payment.objects.count(),
        OrderEvent.objects.count(),
        Customer.objects.count(),
        Address.objects.count(),
        stock_snapshot(),
    )


def order_body(**overrides) -> dict:
    """Return the SPEC section 7 order body, with changes."""
    body = {
        "channel": "web",
        "external_reference": "WEB-1001",
        "customer": {"email": "ann@example.com", "name": "Ann Lee", "phone": "+44 113 496 0000"},
        "shipping_address": {
            "name": "Ann Lee",
            "line1": "1 High St",
            "line2": "",
            "city": "Leeds",
            "postal_code": "LS1 1AA",
            "country": "GB",
        },
        "ship_policy": "partial",
        "lines": [{"sku": "MUG-RED", "quantity": 2}],
    }
    body.update(overrides)
    return body


@pytest.fixture
def sales_api(api_as, sales_user):
    return api_as(sales_user)


@pytest.fixture
def placed(stocked, sales_user):
    """A placed web order for 2 red mugs (10 in stock), made through the services."""
    customer = CustomerFactory(name="Ann Lee", email="ann@example.com")
    return services.order_create(
        customer=customer,
        user=sales_user,
        channel="web",
        external_reference="WEB-1",
        shipping_address=address_data(),
        lines=[{"sku": "MUG-RED", "quantity": 2}],
        place=True,
    )


# --- SPEC section 7, exactly as written -------------------------------------------------------


def test_spec_order_calls_create_confirm_get_cancel(api_client, sales_user, stocked):
    # given
    token = api_client.post(
        "/api/v1/auth/token/",
        {"username": sales_user.username, "password": PASSWORD},
        format="json",
    ).json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    # when
    created = api_client.post(
        "/api/v1/orders/",
        {
            "channel": "web",
            "external_reference": "WEB-1001",
            "customer": {"email": "ann@example.com", "name": "Ann Lee", "phone": "+44..."},
            "shipping_address": {
                "name": "Ann Lee",
                "line1": "1 High St",
                "line2": "",
                "city": "Leeds",
                "postal_code": "LS1 1AA",
                "country": "GB",
            },
            "ship_policy": "partial",
            "lines": [{"sku": "MUG-RED", "quantity": 2}],
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="7f9c0d1e",
    )
    order_id = created.json()["id"]
    confirmed = api_client.post(
        f"/api/v1/orders/{order_id}/confirm/",
        {"payment": {"method": "card", "amount": "19.80", "reference": "ch_1"}},
        format="json",
    )
    detail = api_client.get(f"/api/v1/orders/{order_id}/")
    cancelled = api_client.post(
        f"/api/v1/orders/{order_id}/cancel/", {"reason": "customer request"}, format="json"
    )

    # then
    assert created.status_code == 201, created.json()
    body = created.json()
    order = Order.objects.get()
    assert body["id"] == order.pk
    assert body["number"] == f"SO-{order.pk:06d}"
    assert body["status"] == "placed"
    assert body["channel"] == "web"
    assert body["external_reference"] == "WEB-1001"
    assert body["customer"]["email"] == "ann@example.com"
    assert body["customer"]["name"] == "Ann Lee"
    assert body["shipping_address"]["city"] == "Leeds"
    assert (body["subtotal"], body["shipping_price"], body["total"]) == ("19.80", "0.00", "19.80")
    assert body["version"] == 1
    assert created["ETag"] == '"1"'
    [line] = body["lines"]
    assert line["sku"] == "MUG-RED"
    assert line["name"] == "Red mug"
    assert (line["unit_price"], line["quantity"], line["line_total"]) == ("9.90", 2, "19.80")
    assert [(e["type"], e["to_status"], e["user"]) for e in body["events"]] == [
        ("created", "draft", "sam.sales"),
        ("status", "placed", "sam.sales"),
    ]

    assert confirmed.status_code == 200, confirmed.json()
    assert confirmed.json()["status"] == "allocated"
    assert confirmed.json()["lines"][0]["quantity_allocated"] == 2
    [payment] = confirmed.json()["payments"]
    assert (payment["method"], payment["amount"], payment["reference"]) == ("card", "19.80", "ch_1")

    assert detail.status_code == 200
    [line] = detail.json()["lines"]
    assert (
        line["quantity"],
        line["quantity_allocated"],
        line["quantity_shipped"],
        line["quantity_returned"],
    ) == (2, 2, 0, 0)
    assert "allocated" in [e["type"] for e in detail.json()["events"]]
    assert detail["ETag"] == f'"{detail.json()["version"]}"'

    assert cancelled.status_code == 200, cancelled.json()
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["events"][-1]["note"] == "customer request"
    assert stock_snapshot()[0][0][3] == 0  # the allocation went back to stock


def test_confirm_without_enough_stock_backorders(sales_api, stocked):
    # given
    order_id = sales_api.post(
        "/api/v1/orders/", order_body(lines=[{"sku": "MUG-RED", "quantity": 12}]), format="json"
    ).json()["id"]
    # when
    response = sales_api.post(f"/api/v1/orders/{order_id}/confirm/", {}, format="json")
    # then
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "backordered"
    [line] = response.json()["lines"]
    assert (line["quantity_allocated"], line["quantity_backordered"]) == (10, 2)


def test_cancel_once_shipped_is_refused_with_409_and_changes_nothing(sales_api, placed):
    # given
    services.order_confirm(order_id=placed.pk, user=None)
    OrderLine.objects.filter(order=placed).update(quantity_shipped=1, quantity_allocated=1)
    before = api_snapshot()
    # when
    response = sales_api.post(
        f"/api/v1/orders/{placed.pk}/cancel/", {"reason": "too late"}, format="json"
    )
    # then
    assert response.status_code == 409
    assert "shipped" in response.json()["detail"]
    assert api_snapshot() == before


def test_create_as_draft_then_place(sales_api, stocked):
    # given
    created = sales_api.post("/api/v1/orders/", order_body(status="draft"), format="json")
    assert created.json()["status"] == "draft"
    # when
    placed = sales_api.post(f"/api/v1/orders/{created.json()['id']}/place/", format="json")
    # then
    assert placed.status_code == 200, placed.json()
    assert placed.json()["status"] == "placed"


def test_existing_customer_is_found_by_email(sales_api, stocked):
    # given
    customer = CustomerFactory(name="Ann Lee", email="Ann@Example.com", is_vip=True)
    # when
    response = sales_api.post("/api/v1/orders/", order_body(), format="json")
    # then
    assert response.status_code == 201
    assert response.json()["customer"] == {
        "id": customer.pk,
        "name": "Ann Lee",
        "email": "Ann@Example.com",
        "phone": customer.phone,
        "is_vip": True,
    }
    assert response.json()["is_vip"] is True
    assert Customer.objects.count() == 1


def test_hold_and_release(sales_api, placed):
    # when
    held = sales_api.post(f"/api/v1/orders/{placed.pk}/hold/", {"reason": "fraud check"})
    released = sales_api.post(f"/api/v1/orders/{placed.pk}/release/", {}, format="json")
    # then
    assert held.status_code == 200 and held.json()["status"] == "on_hold"
    assert released.status_code == 200 and released.json()["status"] == "placed"


# --- bad input: a clear message, nothing changed ------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "field", "message"),
    [
        ([{"sku": "NOPE", "quantity": 1}], "lines[0].sku", "no product with SKU 'NOPE'"),
        ([{"sku": "MUG-RED", "quantity": 0}], "lines[0].quantity", "at least 1"),
        ([{"sku": "MUG-RED", "quantity": -3}], "lines[0].quantity", "at least 1"),
        ([{"sku": "MUG-RED", "quantity": "two"}], "lines[0].quantity", "whole number"),
        ([{"sku": "MUG-RED", "quantity": 1}, {"sku": "X"}], "lines[1].quantity", "required"),
        ([], "lines", "at least one line"),
    ],
)
def test_bad_lines_are_refused_with_400_per_field(sales_api, stocked, lines, field, message):
    # given
    before = api_snapshot()
    # when
    response = sales_api.post("/api/v1/orders/", order_body(lines=lines), format="json")
    # then
    assert response.status_code == 400, response.json()
    assert message in response.json()["errors"][field][0]
    assert api_snapshot() == before


def test_inactive_product_is_refused(sales_api, stocked):
    # given
    inventory_services.product_deactivate(product=stocked)
    before = api_snapshot()
    # when
    response = sales_api.post("/api/v1/orders/", order_body(), format="json")
    # then
    assert response.status_code == 400
    assert "no longer sold" in response.json()["errors"]["lines[0].sku"][0]
    assert api_snapshot() == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"channel": "fax"}, "channel"),
        ({"customer": {"email": "not-an-email", "name": "Ann"}}, "customer.email"),
        ({"customer": {"email": "new@example.com"}}, "customer.name"),
        (
            {"shipping_address": {"name": "Ann", "line1": "", "city": "Leeds", "country": "GB"}},
            "shipping_address.line1",
        ),
        ({"shipping_address": None}, "shipping_address"),
        ({"shipping_price": "-1.00"}, "shipping_price"),
        ({"ship_policy": "whenever"}, "ship_policy"),
    ],
)
def test_bad_order_fields_are_refused_with_400(sales_api, stocked, changes, field):
    # given
    before = api_snapshot()
    # when
    response = sales_api.post("/api/v1/orders/", order_body(**changes), format="json")
    # then
    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"]
    assert api_snapshot() == before


def test_duplicate_external_reference_is_409(sales_api, stocked):
    # given
    assert sales_api.post("/api/v1/orders/", order_body(), format="json").status_code == 201
    before = api_snapshot()
    # when
    response = sales_api.post(
        "/api/v1/orders/",
        order_body(customer={"email": "bob@example.com", "name": "Bob"}),
        format="json",
    )
    # then
    assert response.status_code == 409
    assert "WEB-1001 already exists" in response.json()["detail"]
    assert api_snapshot() == before


@pytest.mark.parametrize(
    ("payment", "field", "message"),
    [
        ({"method": "card", "amount": "19.81"}, "payment.amount", "more than"),
        ({"method": "card", "amount": "5.00", "currency": "EUR"}, "payment.currency", "EUR"),
        ({"method": "card", "amount": "0"}, "payment.amount", "more than zero"),
        ({"method": "barter", "amount": "1.00"}, "payment.method", "valid choice"),
        ({"method": "card", "amount": "lots"}, "payment.amount", "amount such as 19.80"),
    ],
)
def test_bad_payment_on_confirm_is_400_and_changes_nothing(
    sales_api, placed, payment, field, message
):
    # given
    before = api_snapshot()
    # when
    response = sales_api.post(
        f"/api/v1/orders/{placed.pk}/confirm/", {"payment": payment}, format="json"
    )
    # then
    assert response.status_code == 400, response.json()
    assert message in response.json()["errors"][field][0]
    assert api_snapshot() == before


def test_confirm_twice_is_409_naming_the_state(sales_api, placed):
    # given
    assert sales_api.post(f"/api/v1/orders/{placed.pk}/confirm/").status_code == 200
    before = api_snapshot()
    # when
    response = sales_api.post(f"/api/v1/orders/{placed.pk}/confirm/")
    # then
    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"
    assert "is allocated" in response.json()["detail"]
    assert api_snapshot() == before


@pytest.mark.parametrize("transition", ["confirm", "cancel", "hold"])
def test_warehouse_staff_cannot_run_sales_transitions(api_as, warehouse_user, placed, transition):
    # given
    before = api_snapshot()
    # when
    response = api_as(warehouse_user).post(f"/api/v1/orders/{placed.pk}/{transition}/")
    # then
    assert response.status_code == 403
    assert api_snapshot() == before


def test_warehouse_staff_can_read_but_not_create(api_as, warehouse_user, placed):
    # given
    client = api_as(warehouse_user)
    before = api_snapshot()
    # when
    read = client.get(f"/api/v1/orders/{placed.pk}/")
    create = client.post("/api/v1/orders/", order_body(external_reference="W-9"), format="json")
    # then
    assert read.status_code == 200
    assert create.status_code == 403
    assert api_snapshot() == before


def test_missing_order_is_404_and_anonymous_is_refused(api_client, sales_api, placed):
    # when
    missing = sales_api.post("/api/v1/orders/999999/confirm/")
    anonymous = api_client.__class__().get(f"/api/v1/orders/{placed.pk}/")
    # then
    assert missing.status_code == 404
    assert missing.json()["detail"] == "That order does not exist."
    assert anonymous.status_code in (401, 403)


def test_orders_are_never_deleted_or_replaced(sales_api, placed):
    # when
    delete = sales_api.delete(f"/api/v1/orders/{placed.pk}/")
    put = sales_api.put(f"/api/v1/orders/{placed.pk}/", {}, format="json")
    # then
    assert (delete.status_code, put.status_code) == (405, 405)
    assert Order.objects.filter(pk=placed.pk).exists()


# --- edits: ETag and If-Match ------------------------------------------------------------------


def test_patch_with_current_etag_changes_the_order(sales_api, placed, shipping_services):
    # given
    etag = sales_api.get(f"/api/v1/orders/{placed.pk}/")["ETag"]
    # when
    response = sales_api.patch(
        f"/api/v1/orders/{placed.pk}/",
        {
            "shipping_method": "express",
            "shipping_price": "4.95",
            "notes": "Leave at door",
            "lines": [{"sku": "MUG-RED", "quantity": 3}],
        },
        format="json",
        HTTP_IF_MATCH=etag,
    )
    # then
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["shipping_method"], body["shipping_price"], body["notes"]) == (
        "express",
        "4.95",
        "Leave at door",
    )
    assert body["lines"][0]["quantity"] == 3
    assert body["total"] == "34.65"
    assert body["version"] == placed.version + 1
    assert response["ETag"] == f'"{placed.version + 1}"'
    assert body["events"][-1]["type"] == "updated"


def test_patch_with_stale_etag_is_412_and_changes_nothing(sales_api, sales_user, placed):
    # given
    etag = sales_api.get(f"/api/v1/orders/{placed.pk}/")["ETag"]
    services.order_update(order_id=placed.pk, user=sales_user, notes="Phoned: ring twice")
    before = api_snapshot()
    # when
    response = sales_api.patch(
        f"/api/v1/orders/{placed.pk}/",
        {"notes": "Leave at door"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    # then
    assert response.status_code == 412
    assert "was changed while you were editing it" in response.json()["detail"]
    assert "sam.sales" in response.json()["detail"]
    assert api_snapshot() == before
    assert Order.objects.get(pk=placed.pk).notes == "Phoned: ring twice"


def test_patch_with_stale_version_in_body_is_412(sales_api, placed):
    # given
    before = api_snapshot()
    # when
    response = sales_api.patch(
        f"/api/v1/orders/{placed.pk}/",
        {"notes": "x", "version": placed.version - 1},
        format="json",
    )
    # then
    assert response.status_code == 412
    assert api_snapshot() == before


def test_patch_without_if_match_is_last_write_wins(sales_api, sales_user, placed):
    # given
    services.order_update(order_id=placed.pk, user=sales_user, notes="first")
    # when
    response = sales_api.patch(f"/api/v1/orders/{placed.pk}/", {"notes": "second"}, format="json")
    # then
    assert response.status_code == 200
    assert Order.objects.get(pk=placed.pk).notes == "second"


def test_patch_lines_after_allocation_is_409(sales_api, placed):
    # given
    services.order_confirm(order_id=placed.pk, user=None)
    before = api_snapshot()
    # when
    response = sales_api.patch(
        f"/api/v1/orders/{placed.pk}/",
        {"lines": [{"sku": "MUG-RED", "quantity": 5}]},
        format="json",
    )
    # then
    assert response.status_code == 409
    assert "is allocated" in response.json()["detail"]
    assert api_snapshot() == before


def test_patch_with_malformed_if_match_is_400(sales_api, placed):
    # given
    before = api_snapshot()
    # when
    response = sales_api.patch(
        f"/api/v1/orders/{placed.pk}/", {"notes": "x"}, format="json", HTTP_IF_MATCH='"abc"'
    )
    # then
    assert response.status_code == 400
    assert "If-Match" in response.json()["errors"]
    assert api_snapshot() == before


# --- lists and filters -------------------------------------------------------------------------


def _make_order(*, customer, sales_user, reference, sku="MUG-RED", quantity=1, **kwargs):
    return services.order_create(
        customer=customer,
        user=sales_user,
        channel=kwargs.pop("channel", "web"),
        external_reference=reference,
        shipping_address=address_data(),
        lines=[{"sku": sku, "quantity": quantity}],
        place=True,
        **kwargs,
    )


def _numbers(response) -> set[str]:
    assert response.status_code == 200, response.json()
    return {row["external_reference"] for row in response.json()["results"]}


def test_list_filters(sales_api, sales_user, stocked):
    # given
    ann = CustomerFactory(name="Ann Lee", email="ann@example.com")
    bob = CustomerFactory(name="Bob Stone", email="bob@example.com", is_vip=True)
    _make_order(customer=ann, sales_user=sales_user, reference="A-1")
    _make_order(customer=ann, sales_user=sales_user, reference="A-2", channel="marketplace")
    _make_order(customer=bob, sales_user=sales_user, reference="B-1")
    big = _make_order(customer=bob, sales_user=sales_user, reference="B-2", quantity=20)
    services.order_confirm(order_id=big.pk, user=None)  # backordered: 10 in stock
    Order.objects.filter(external_reference="A-1").update(
        placed_at=timezone.now() - timedelta(days=10)
    )
    since = (timezone.now() - timedelta(days=1)).isoformat()

    # when / then
    assert _numbers(sales_api.get("/api/v1/orders/")) == {"A-1", "A-2", "B-1", "B-2"}
    assert _numbers(sales_api.get("/api/v1/orders/?status=backordered&status=placed")) == {
        "A-1",
        "A-2",
        "B-1",
        "B-2",
    }
    assert _numbers(sales_api.get("/api/v1/orders/?status=backordered")) == {"B-2"}
    assert _numbers(sales_api.get("/api/v1/orders/?channel=marketplace")) == {"A-2"}
    assert _numbers(sales_api.get(f"/api/v1/orders/?customer={bob.pk}")) == {"B-1", "B-2"}
    assert _numbers(sales_api.get("/api/v1/orders/?customer=ANN@example.com")) == {"A-1", "A-2"}
    assert _numbers(sales_api.get("/api/v1/orders/?q=stone")) == {"B-1", "B-2"}
    assert _numbers(sales_api.get(f"/api/v1/orders/?q={big.number}")) == {"B-2"}
    assert _numbers(sales_api.get("/api/v1/orders/?q=a-2")) == {"A-2"}
    assert _numbers(sales_api.get("/api/v1/orders/?is_vip=true")) == {"B-1", "B-2"}
    assert _numbers(sales_api.get("/api/v1/orders/?has_backorder=true")) == {"B-2"}
    assert _numbers(sales_api.get("/api/v1/orders/?has_backorder=false")) == {"A-1", "A-2", "B-1"}
    assert _numbers(sales_api.get("/api/v1/orders/", {"placed_after": since})) == {
        "A-2",
        "B-1",
        "B-2",
    }
    assert _numbers(sales_api.get("/api/v1/orders/", {"placed_before": since})) == {"A-1"}
    bad = sales_api.get("/api/v1/orders/?status=lost")
    assert bad.status_code == 400
    assert "status" in bad.json()["errors"]


def test_list_is_paginated(sales_api, sales_user, stocked):
    # given
    customer = CustomerFactory()
    for n in range(3):
        _make_order(customer=customer, sales_user=sales_user, reference=f"P-{n}")
    # when
    first = sales_api.get("/api/v1/orders/?page_size=2")
    second = sales_api.get(first.json()["next"])
    # then
    assert first.json()["count"] == 3
    assert len(first.json()["results"]) == 2
    assert len(second.json()["results"]) == 1


# --- query budgets ------------------------------------------------------------------------------


def _orders_with_lines(count: int, *, lines: int, user) -> list[Order]:
    products = [ProductFactory() for _ in range(lines)]
    customer = CustomerFactory()
    orders = []
    for n in range(count):
        order = services.order_create(
            customer=customer,
            user=user,
            external_reference=f"Q-{products[0].sku}-{n}",
            shipping_address=address_data(),
            lines=[{"sku": p.sku, "quantity": 1} for p in products],
            place=True,
        )
        services.order_confirm(
            order_id=order.pk, user=user, payment={"method": "card", "amount": "1.00"}
        )
        orders.append(order)
    return orders


def _count_queries(django_assert_max_num_queries, call) -> int:
    with django_assert_max_num_queries(1000) as captured:
        response = call()
    assert response.status_code == 200
    return len(captured)


def test_list_costs_the_same_queries_for_5_and_100_orders(
    sales_api, sales_user, django_assert_max_num_queries
):
    # given
    _orders_with_lines(5, lines=2, user=sales_user)
    few = _count_queries(
        django_assert_max_num_queries, lambda: sales_api.get("/api/v1/orders/?page_size=500")
    )
    _orders_with_lines(95, lines=2, user=sales_user)
    # when
    many = _count_queries(
        django_assert_max_num_queries, lambda: sales_api.get("/api/v1/orders/?page_size=500")
    )
    # then
    assert len(sales_api.get("/api/v1/orders/?page_size=500").json()["results"]) == 100
    assert many == few


def test_detail_costs_the_same_queries_for_1_and_50_lines(
    sales_api, sales_user, django_assert_max_num_queries
):
    # given
    [small] = _orders_with_lines(1, lines=1, user=sales_user)
    [large] = _orders_with_lines(1, lines=50, user=sales_user)
    # when
    one = _count_queries(
        django_assert_max_num_queries, lambda: sales_api.get(f"/api/v1/orders/{small.pk}/")
    )
    fifty = _count_queries(
        django_assert_max_num_queries, lambda: sales_api.get(f"/api/v1/orders/{large.pk}/")
    )
    # then
    assert len(sales_api.get(f"/api/v1/orders/{large.pk}/").json()["lines"]) == 50
    assert one == fifty


def _create_and_confirm(client, *, lines: int, reference: str) -> tuple[dict, dict]:
    body = order_body(
        external_reference=reference,
        lines=[{"sku": f"BUDGET-{n}", "quantity": 2} for n in range(lines)],
    )
    created = client.post("/api/v1/orders/", body, format="json")
    assert created.status_code == 201, created.json()
    confirmed = client.post(
        f"/api/v1/orders/{created.json()['id']}/confirm/",
        {"payment": {"method": "card", "amount": "1.00"}},
        format="json",
    )
    assert confirmed.status_code == 200, confirmed.json()
    return created.json(), confirmed.json()


@pytest.fixture
def budget_stock(bin_a, bin_b):
    """Thirty products, each with stock in two bins."""
    for n in range(30):
        product = ProductFactory(sku=f"BUDGET-{n}", price="1.00")
        inventory_services.stock_receive(product=product, location=bin_a, quantity=1)
        inventory_services.stock_receive(product=product, location=bin_b, quantity=100)


# Per request: token and user (1), the user's permissions (1), and under the test's own
# transaction a savepoint pair (2). Services called by services share one transaction;
# lines, allocations and events are written in bulk, and the answer is built from what
# the service loaded (confirm reads the timeline once), so 30 lines cost what 3 do.
# Confirming writes its emails to the outbox in the same transaction: one INSERT for all of
# them (30 before the outbox). Creating reads the tax rates that apply, once for every
# line (31 before taxes).
BUDGET_3_LINES = 32
BUDGET_EXTRA_FOR_30_LINES = 2


def test_create_and_confirm_statement_budget(
    api_as, sales_user, budget_stock, django_assert_max_num_queries
):
    # given
    client = api_as(sales_user)
    # when
    with django_assert_max_num_queries(BUDGET_3_LINES) as three:
        _, confirmed = _create_and_confirm(client, lines=3, reference="BUDGET-3")
    with django_assert_max_num_queries(len(three) + BUDGET_EXTRA_FOR_30_LINES):
        _, confirmed_30 = _create_and_confirm(client, lines=30, reference="BUDGET-30")
    # then
    assert confirmed["status"] == "allocated"
    assert [line["quantity_allocated"] for line in confirmed["lines"]] == [2, 2, 2]
    assert confirmed_30["status"] == "allocated"
    assert all(line["quantity_allocated"] == 2 for line in confirmed_30["lines"])


# --- schema ------------------------------------------------------------------------------------


def test_schema_documents_orders_customers_and_headers(api_as, manager_user):
    # when
    response = api_as(manager_user).get("/api/schema/?format=json")
    # then
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    for path in [
        "/api/v1/orders/",
        "/api/v1/orders/{id}/",
        "/api/v1/orders/{id}/place/",
        "/api/v1/orders/{id}/confirm/",
        "/api/v1/orders/{id}/cancel/",
        "/api/v1/orders/{id}/hold/",
        "/api/v1/orders/{id}/release/",
        "/api/v1/customers/",
        "/api/v1/customers/{id}/",
    ]:
        assert path in paths, path
    create_params = {p["name"] for p in paths["/api/v1/orders/"]["post"]["parameters"]}
    assert "Idempotency-Key" in create_params
    patch_params = {p["name"] for p in paths["/api/v1/orders/{id}/"]["patch"]["parameters"]}
    assert "If-Match" in patch_params
    assert "412" in paths["/api/v1/orders/{id}/"]["patch"]["responses"]
    list_params = {p["name"] for p in paths["/api/v1/orders/"]["get"]["parameters"]}
    assert {"status", "channel", "customer", "q", "placed_after", "has_backorder"} <= list_params
