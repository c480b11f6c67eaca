"""Customer pages: the list with search, and one customer's addresses and orders."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders import services
from tests.factories import CustomerFactory, address_data

LIST = reverse("orders:customer_list")


@pytest.fixture
def as_sales(client, sales_user):
    client.force_login(sales_user)
    return client


def test_customer_list_needs_login(client, db):
    # when
    response = client.get(LIST)
    # then
    assert response.status_code == 302


@pytest.mark.parametrize("search", ["ann", "ANN@EXAMPLE", "496 0001"])
def test_search_by_name_email_or_phone(as_sales, search):
    # given
    ann = CustomerFactory(name="Ann Lee", email="ann@example.com", phone="+44 113 496 0001")
    CustomerFactory(name="Bo Diaz", email="bo@example.com", phone="+1 555 0100")
    # when
    response = as_sales.get(LIST, {"q": search})
    # then
    assert list(response.context["page"]) == [ann]


def test_vip_filter(as_sales):
    # given
    vip = CustomerFactory(is_vip=True)
    CustomerFactory()
    # when
    response = as_sales.get(LIST, {"vip": "yes"})
    # then
    assert list(response.context["page"]) == [vip]


def test_the_list_costs_the_same_queries_for_5_or_60_customers(as_sales, stocked):
    # given
    def grow(n):
        for _ in range(n):
            customer = CustomerFactory()
            services.order_create(customer=customer, lines=[{"sku": "MUG-RED", "quantity": 1}])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert as_sales.get(LIST).status_code == 200
        return len(captured)

    grow(5)
    few = queries()
    grow(55)
    # when
    many = queries()
    # then
    assert many == few


def test_customer_page_shows_addresses_and_order_history(as_sales, stocked, sales_user):
    # given
    customer = services.customer_create(
        name="Ann Lee",
        email="ann@example.com",
        default_shipping_address=address_data(city="York"),
    )
    orders = [
        services.order_create(
            customer=customer,
            user=sales_user,
            shipping_address=address_data(city="Leeds"),
            lines=[{"sku": "MUG-RED", "quantity": 1}],
        )
        for _ in range(2)
    ]
    # when
    response = as_sales.get(customer.get_absolute_url())
    # then
    assert response.status_code == 200
    assert {a.city for a in response.context["addresses"]} == {"York", "Leeds"}
    assert [o.pk for o in response.context["page"]] == [orders[1].pk, orders[0].pk]
    assert "Default shipping" in response.text
    assert f"?customer={customer.pk}" in response.text


def test_unknown_customer_is_404(as_sales):
    # when
    response = as_sales.get(reverse("orders:customer_detail", args=[999999]))
    # then
    assert response.status_code == 404


def test_nav_links_for_sales(as_sales):
    # when
    response = as_sales.get(reverse("home"))
    # then
    for url in ["orders:order_new", "orders:order_list", "orders:customer_list"]:
        assert f'href="{reverse(url)}"' in response.text


def test_warehouse_sees_orders_but_not_new_order_in_the_nav(client, warehouse_user):
    # given
    client.force_login(warehouse_user)
    # when
    response = client.get(reverse("home"))
    # then
    assert f'href="{reverse("orders:order_list")}"' in response.text
    assert f'href="{reverse("orders:order_new")}"' not in response.text
