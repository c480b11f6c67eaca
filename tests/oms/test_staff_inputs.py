"""Hostile input to the staff pages and the scan parser: digits that are not 0-9, ids past
their column. Each is answered in words or with a 404, never a 500, and changes nothing."""

import pytest
from django.urls import reverse

from oms.barcodes import gtin_variants, is_digits, is_valid_gtin
from oms.scanning import ScanError, recognise
from oms.services import id_or_none, parse_id
from orders import services
from orders.models import Order, OrderEvent
from tests.conftest import stock_snapshot
from tests.factories import CustomerFactory, address_data

SUPERSCRIPTS = "\u00b2" * 13  # "²²²…": str.isdigit() says yes, int() says no
ARABIC = "\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0660\u0661\u0662\u0663"
HUGE = "99999999999999999999"


def written():
    return (
        sorted(Order.objects.values_list("pk", "status", "version", "notes")),
        OrderEvent.objects.count(),
        stock_snapshot(),
    )


@pytest.fixture
def as_manager(client, manager_user):
    client.force_login(manager_user)
    return client


@pytest.fixture
def order(stocked, sales_user):
    return services.order_create(
        customer=CustomerFactory(),
        user=sales_user,
        shipping_address=address_data(),
        lines=[{"sku": "MUG-RED", "quantity": 1}],
        place=True,
    )


@pytest.mark.parametrize("text", ["", "\u00b2", ARABIC, "12a", "-1", " 1"])
def test_only_0_to_9_are_digits(text):
    assert not is_digits(text)


def test_digits_are_digits():
    assert is_digits("4006381333931")


@pytest.mark.parametrize("value", ["abc", "1.5", "-1", "0", "\u00b2", HUGE, "", None, True])
def test_an_id_that_cannot_be_one_is_refused(value):
    assert id_or_none(value) is None


def test_an_id_is_a_whole_number_from_1_to_the_column_limit():
    assert parse_id(" 42 ") == 42
    assert parse_id(2**63 - 1) == 2**63 - 1
    assert id_or_none(2**63) is None


@pytest.mark.parametrize("code", [SUPERSCRIPTS, ARABIC])
def test_other_digits_are_no_barcode(code):
    assert not is_valid_gtin(code)
    assert gtin_variants(code) == [code]


@pytest.mark.parametrize(
    "code", [SUPERSCRIPTS, f"(01){SUPERSCRIPTS}X", f"01{SUPERSCRIPTS}X", "(17)\u00b2\u00b2\u00b2"]
)
def test_a_scan_of_other_digits_is_refused_or_read_as_a_code(code):
    # when
    try:
        scan = recognise(code)
    except ScanError as error:
        # then: refused in words
        assert str(error)
    else:
        # then: a product code to look up, not a GTIN
        assert scan.gtin == ""


@pytest.mark.parametrize(
    ("url", "query"),
    [
        ("orders:order_list", {"q": "\u00b2"}),
        ("orders:order_list", {"customer": HUGE}),
        ("inventory:product_list", {"q": SUPERSCRIPTS}),
        ("orders:order_new", {"customer": "\u00b2"}),
    ],
)
def test_a_search_or_filter_of_odd_digits_answers(as_manager, order, url, query):
    # when
    response = as_manager.get(reverse(url), query)
    # then
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/v1/products/", {"barcode": SUPERSCRIPTS}),
        ("/api/v1/products/", {"q": SUPERSCRIPTS}),
        ("/api/v1/orders/", {"q": "\u00b2"}),
    ],
)
def test_an_api_search_of_odd_digits_answers(api_as, manager_user, order, path, query):
    # when
    response = api_as(manager_user).get(path, query)
    # then
    assert response.status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/orders/99999999999999999999/",
        "/orders/customers/99999999999999999999/",
        "/fulfillment/shipments/99999999999999999999/",
        "/fulfillment/waves/99999999999999999999/",
        "/inventory/products/99999999999999999999/",
        "/inventory/labels/bins.pdf?ids=99999999999999999999",
        "/inventory/labels/products.pdf?ids=%C2%B2",
    ],
)
def test_an_id_past_its_column_is_404(as_manager, url):
    # when
    response = as_manager.get(url)
    # then
    assert response.status_code == 404


def test_a_stale_version_of_odd_digits_is_no_version(as_manager, order):
    # given
    before = written()
    # when
    response = as_manager.post(
        reverse("orders:order_action", args=[order.pk, "hold"]),
        {"version": "\u00b2", "hold-reason": "Check"},
    )
    # then
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == Order.Status.ON_HOLD
    assert written() != before


def test_removing_a_desk_line_of_odd_digits_removes_nothing(client, sales_user, stocked):
    # given
    client.force_login(sales_user)
    # when
    response = client.post(
        reverse("orders:order_new_lines"),
        {"line_sku": ["MUG-RED"], "line_qty": ["2"], "remove": "\u00b2"},
        HTTP_HX_REQUEST="true",
    )
    # then
    assert response.status_code == 200
    assert "MUG-RED" in response.content.decode()


def test_a_count_zero_of_odd_digits_books_nothing(client, warehouse_user, stocked, bin_a):
    # given
    client.force_login(warehouse_user)
    htmx = {"HTTP_HX_REQUEST": "true"}
    client.post(reverse("inventory:count_scan"), {"code": bin_a.barcode, "entry": "scan"}, **htmx)
    client.post(reverse("inventory:count_finish"), **htmx)
    before = stock_snapshot()
    # when
    response = client.post(
        reverse("inventory:count_finish"), {"step": "zero", "zero": ["\u00b2", HUGE]}, **htmx
    )
    # then
    assert response.status_code == 200
    assert stock_snapshot() == before
