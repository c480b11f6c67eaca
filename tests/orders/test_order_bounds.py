"""An order's bounds: at most 500 lines, SKUs looked up together, priorities and totals that
fit their columns. Each refusal is in words, per field, and writes nothing."""

import pytest
from django.urls import reverse

from oms.errors import InvalidInput
from orders import services
from orders.models import Address, Customer, Order, OrderEvent, OrderLine
from orders.services.base import resolve_lines
from tests.conftest import stock_snapshot
from tests.factories import CustomerFactory, ProductFactory, address_data


def written():
    return (
        sorted(Order.objects.values_list("pk", "version", "priority", "notes", "total")),
        OrderLine.all_objects.count(),
        OrderEvent.objects.count(),
        Customer.objects.count(),
        Address.objects.count(),
        stock_snapshot(),
    )


@pytest.fixture
def customer(db):
    return CustomerFactory(name="Ann Lee", email="ann@example.com")


def create(customer, user, **overrides):
    fields = {
        "customer": customer,
        "user": user,
        "shipping_address": address_data(),
        "lines": [{"sku": "MUG-RED", "quantity": 1}],
        "place": True,
    }
    fields.update(overrides)
    return services.order_create(**fields)


def test_every_sku_is_looked_up_in_one_query_whatever_its_case(stocked, django_assert_num_queries):
    # given
    lines = [{"sku": "mug-red", "quantity": 1}] + [
        {"sku": f"NOPE-{i}", "quantity": 1} for i in range(50)
    ]
    # when
    with django_assert_num_queries(1), pytest.raises(InvalidInput) as refused:
        resolve_lines(lines)
    # then
    assert "lines[0].sku" not in refused.value.errors
    assert refused.value.errors["lines[50].sku"] == ["There is no product with SKU 'NOPE-49'."]
    assert len(refused.value.errors) == 50


def test_a_sku_in_another_case_finds_the_product(stocked):
    # when
    [(product, quantity)] = resolve_lines([{"sku": " mug-Red ", "quantity": "3"}])
    # then
    assert (product.sku, quantity) == ("MUG-RED", 3)


def test_more_than_500_lines_are_refused(customer, stocked, sales_user):
    # given
    before = written()
    lines = [{"sku": "MUG-RED", "quantity": 1}] * 501
    # when
    with pytest.raises(InvalidInput) as refused:
        create(customer, sales_user, lines=lines)
    # then
    assert refused.value.code == "too_many_lines"
    assert refused.value.errors == {
        "lines": ["An order can have at most 500 lines; this one has 501."]
    }
    assert written() == before


def test_the_api_refuses_more_than_500_lines_per_field(api_as, sales_user, stocked):
    # given
    before = written()
    body = {
        "customer": {"email": "ann@example.com", "name": "Ann Lee"},
        "shipping_address": address_data(),
        "lines": [{"sku": "MUG-RED", "quantity": 1}] * 501,
    }
    # when
    response = api_as(sales_user).post("/api/v1/orders/", body, format="json")
    # then
    assert response.status_code == 400
    assert response.json()["errors"] == {"lines": ["An order can have at most 500 lines."]}
    assert written() == before


def test_the_page_refuses_more_than_500_lines_in_words(client, customer, stocked, sales_user):
    # given
    order = create(customer, sales_user)
    client.force_login(sales_user)
    before = written()
    # when
    response = client.post(
        reverse("orders:order_edit_lines", args=[order.pk]),
        {"version": order.version, "line_sku": ["MUG-RED"] * 501, "line_qty": ["1"] * 501},
    )
    # then
    assert response.status_code == 400
    assert "at most 500 lines; this one has 501" in response.context["lines_error"]
    assert written() == before


def test_a_total_past_its_column_is_refused_in_words(api_as, sales_user, db):
    # given: 500 lines of a 9,999,999.99 machine, a million each, would need 18 digits
    ProductFactory(sku="PRESS", price="9999999.99")
    before = written()
    body = {
        "customer": {"email": "ann@example.com", "name": "Ann Lee"},
        "shipping_address": address_data(),
        "lines": [{"sku": "PRESS", "quantity": 1_000_000}] * 2,
    }
    # when
    response = api_as(sales_user).post("/api/v1/orders/", body, format="json")
    # then
    assert response.status_code == 400
    error = response.json()
    assert error["code"] == "total_too_large"
    assert error["errors"]["lines"] == [
        "The order's total would be 19,999,999,980,000.00, more than one order can hold "
        "(9,999,999,999.99). Split it into several orders."
    ]
    assert written() == before


def test_a_shipping_price_past_its_column_is_refused(customer, stocked, sales_user):
    # given
    before = written()
    # when
    with pytest.raises(InvalidInput) as refused:
        create(customer, sales_user, shipping_price="12345678901.00")
    # then
    assert refused.value.errors == {
        "shipping_price": ["Shipping price cannot be more than 9,999,999,999.99."]
    }
    assert written() == before


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"priority": 40000}, "priority", "Priority cannot be more than 100."),
        ({"priority": -101}, "priority", "Priority must be at least -100."),
        ({"priority": "high"}, "priority", "Priority must be a whole number."),
        ({"notes": "x" * 5001}, "notes", "Notes can be at most 5,000 characters."),
        ({"shipping_method": "x" * 51}, "shipping_method", "at most 50 characters"),
        ({"currency": "POUNDS"}, "currency", "three-letter currency code"),
        ({"external_reference": "x" * 101}, "external_reference", "at most 100 characters"),
    ],
)
def test_order_fields_past_their_columns_are_refused(
    customer, stocked, sales_user, fields, field, message
):
    # given
    before = written()
    # when
    with pytest.raises(InvalidInput) as refused:
        create(customer, sales_user, **fields)
    # then
    assert message in refused.value.errors[field][0]
    assert written() == before


def test_an_edit_past_a_column_is_refused(customer, stocked, sales_user):
    # given
    order = create(customer, sales_user)
    before = written()
    # when
    with pytest.raises(InvalidInput) as refused:
        services.order_update(order_id=order.pk, user=sales_user, priority=32768)
    # then
    assert refused.value.errors == {"priority": ["Priority cannot be more than 100."]}
    assert written() == before


def test_an_address_part_past_its_column_is_refused(customer, stocked, sales_user):
    # given
    order = create(customer, sales_user)
    before = written()
    # when
    with pytest.raises(InvalidInput) as refused:
        services.order_update(
            order_id=order.pk,
            user=sales_user,
            shipping_address=address_data(postal_code="X" * 21),
        )
    # then
    assert refused.value.errors == {
        "shipping_address.postal_code": ["This part can be at most 20 characters."]
    }
    assert written() == before


def test_an_unchanged_address_writes_no_new_address(customer, stocked, sales_user):
    # given
    order = create(customer, sales_user)
    before = written()
    # when
    services.order_update(order_id=order.pk, user=sales_user, shipping_address=address_data())
    # then
    assert written() == before
