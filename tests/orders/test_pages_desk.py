"""The phone-order page: partials, saving a draft, placing and confirming, refused input."""

from decimal import Decimal

import pytest
from django.urls import reverse

from orders import services
from orders.models import Address, Customer, Order, OrderEvent, OrderLine, Payment
from tests.conftest import stock_snapshot
from tests.factories import CustomerFactory, ProductFactory, address_data

# The shipping services the desk and the order page offer come from the warehouse's table.
pytestmark = pytest.mark.usefixtures("shipping_services")

NEW = reverse("orders:order_new")
SAVE = reverse("orders:order_new_submit")
LINES = reverse("orders:order_new_lines")
HX = {"HTTP_HX_REQUEST": "true"}


def everything():
    """Return what a refused save must leave untouched: orders, customers, stock."""
    return (
        sorted(Order.objects.values_list("pk", "status", "version")),
        OrderLine.all_objects.count(),
        Payment.objects.count(),
        OrderEvent.objects.count(),
        Customer.objects.count(),
        Address.objects.count(),
        stock_snapshot(),
    )


@pytest.fixture
def as_sales(client, sales_user):
    client.force_login(sales_user)
    return client


def order_post(**overrides):
    """Return a phone-order form as the page posts it: a new customer, one line."""
    data = {
        "customer-search": "",
        "customer-name": "Ann Lee",
        "customer-email": "ann@example.com",
        "customer-phone": "+44 113 496 0000",
        **{f"shipping_address-{k}": v for k, v in address_data().items()},
        "line_sku": ["MUG-RED"],
        "line_qty": ["2"],
        "shipping_method": "standard",
        "shipping_price": "3.95",
        "ship_policy": "partial",
        "notes": "Leave with the neighbour",
        "payment-method": "card",
        "payment-amount": "",
        "payment-reference": "ch_1",
        "action": "confirm",
    }
    data.update(overrides)
    return data


# --- access ------------------------------------------------------------------------------------


def test_new_order_page_needs_login(client, db):
    # when
    response = client.get(NEW)
    # then
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_warehouse_staff_cannot_open_the_new_order_page(client, warehouse_user):
    # given
    client.force_login(warehouse_user)
    # when
    response = client.get(NEW)
    # then
    assert response.status_code == 403


def test_warehouse_staff_cannot_save_a_phone_order(client, warehouse_user, stocked):
    # given
    client.force_login(warehouse_user)
    before = everything()
    # when
    response = client.post(SAVE, order_post())
    # then
    assert response.status_code == 403
    assert everything() == before


def test_new_order_page_shows_the_shortcuts(as_sales):
    # when
    response = as_sales.get(NEW)
    # then
    assert response.status_code == 200
    for key in ["Alt+N", "Alt+C", "Alt+L", "Alt+Enter", "Alt+S"]:
        assert key in response.text


def test_new_order_for_a_customer_prefills_their_address(as_sales, db):
    # given
    customer = services.customer_create(
        name="Bo Diaz", default_shipping_address=address_data(name="Bo Diaz", city="York")
    )
    # when
    response = as_sales.get(NEW, {"customer": customer.pk})
    # then
    assert response.context["customer"] == customer
    assert 'value="York"' in response.text
    assert f'name="customer-id" value="{customer.pk}"' in response.text


def test_new_order_for_an_unknown_customer_is_404(as_sales):
    # when
    response = as_sales.get(NEW, {"customer": 999999})
    # then
    assert response.status_code == 404


# --- search as you type ------------------------------------------------------------------------


def test_customer_search_puts_the_exact_email_first(as_sales, db):
    # given
    CustomerFactory(name="Annabel Smith", email="annabel@example.com")
    CustomerFactory(name="Jo Ann", email="ann@example.com")
    # when
    response = as_sales.get(
        reverse("orders:customer_suggestions"), {"customer-search": "ann@example.com"}
    )
    # then
    assert [c.name for c in response.context["customers"]] == ["Jo Ann"]
    assert "New customer" in response.text


def test_customer_search_by_name_lists_names_starting_with_it_first(as_sales, db):
    # given
    CustomerFactory(name="Jo Annsworth")
    CustomerFactory(name="Ann Lee")
    # when
    response = as_sales.get(reverse("orders:customer_suggestions"), {"customer-search": "ann"})
    # then
    assert [c.name for c in response.context["customers"]] == ["Ann Lee", "Jo Annsworth"]


def test_customer_search_by_phone_ignores_spaces(as_sales, db):
    # given
    CustomerFactory(name="Cy Moss", phone="+44 113 496 0123")
    CustomerFactory(name="Di Fox", phone="+44 113 496 0999")
    # when
    response = as_sales.get(
        reverse("orders:customer_suggestions"), {"customer-search": "0113 4960123"}
    )
    # then
    assert [c.name for c in response.context["customers"]] == ["Cy Moss"]


def test_choosing_a_customer_prefills_address_out_of_band(as_sales, db):
    # given
    customer = services.customer_create(
        name="Bo Diaz", is_vip=True, default_shipping_address=address_data(city="York")
    )
    # when
    response = as_sales.get(reverse("orders:customer_choose", args=[customer.pk]))
    # then
    assert 'hx-swap-oob="true"' in response.text
    assert 'value="York"' in response.text
    assert 'data-vip="true"' in response.text


def test_new_customer_fields_take_what_was_typed_in_the_search(as_sales):
    # when
    response = as_sales.get(reverse("orders:customer_new"), {"customer-search": "zed@example.com"})
    # then
    assert response.context["customer_form"].initial == {"email": "zed@example.com"}


def test_product_suggestions_show_availability(as_sales, stocked):
    # given
    ProductFactory(sku="MUG-BLUE", name="Blue mug")
    # when
    response = as_sales.get(reverse("orders:product_suggestions"), {"add_code": "mug"})
    # then
    assert [p.sku for p in response.context["products"]] == ["MUG-BLUE", "MUG-RED"]
    assert "10 available" in response.text
    assert "out of stock" in response.text


# --- the lines partial -------------------------------------------------------------------------


def test_adding_a_line_by_sku_shows_availability_and_totals(as_sales, stocked):
    # when
    response = as_sales.post(
        LINES, {"op": "add", "add_code": "mug-red", "add_qty": "3", "shipping_price": "3.95"}, **HX
    )
    # then
    [line] = response.context["lines"]
    assert (line.sku, line.quantity, line.available) == ("MUG-RED", "3", 10)
    assert line.outcome.level == "ok"
    assert response.context["total"] == Decimal("33.65")
    assert 'data-add-status="ok"' in response.text


def test_adding_a_line_by_scanned_barcode(as_sales, stocked):
    # when
    response = as_sales.post(LINES, {"op": "add", "add_code": "4006381333931"}, **HX)
    # then
    assert [line.sku for line in response.context["lines"]] == ["MUG-RED"]


def test_adding_by_a_name_with_one_match_adds_it(as_sales, stocked):
    # when
    response = as_sales.post(LINES, {"op": "add", "add_code": "red mug"}, **HX)
    # then
    assert [line.sku for line in response.context["lines"]] == ["MUG-RED"]


def test_adding_by_a_name_with_several_matches_asks_to_choose(as_sales, stocked):
    # given
    ProductFactory(sku="MUG-BLUE", name="Blue mug")
    # when
    response = as_sales.post(
        LINES, {"op": "add", "add_code": "mug", "line_sku": ["PLATE"], "line_qty": ["1"]}, **HX
    )
    # then
    assert "2 products match 'mug'" in response.context["add_error"]
    assert [line.sku for line in response.context["lines"]] == ["PLATE"]


def test_adding_an_unknown_sku_is_refused_beside_the_field_keeping_the_lines(as_sales, stocked):
    # when
    response = as_sales.post(
        LINES,
        {"op": "add", "add_code": "NOPE-1", "line_sku": ["MUG-RED"], "line_qty": ["2"]},
        **HX,
    )
    # then
    assert (
        response.context["add_error"] == "There is no product with SKU, barcode or name 'NOPE-1'."
    )
    assert 'data-add-status="error"' in response.text
    assert [(line.sku, line.quantity) for line in response.context["lines"]] == [("MUG-RED", "2")]


def test_adding_zero_is_refused(as_sales, stocked):
    # when
    response = as_sales.post(LINES, {"op": "add", "add_code": "MUG-RED", "add_qty": "0"}, **HX)
    # then
    assert response.context["add_error"] == "Quantity must be at least 1."
    assert response.context["lines"] == []


def test_adding_the_same_product_again_raises_its_quantity(as_sales, stocked):
    # when
    response = as_sales.post(
        LINES,
        {
            "op": "add",
            "add_code": "MUG-RED",
            "add_qty": "2",
            "line_sku": ["MUG-RED"],
            "line_qty": ["3"],
        },
        **HX,
    )
    # then
    assert [(line.sku, line.quantity) for line in response.context["lines"]] == [("MUG-RED", "5")]


def test_a_short_line_warns_with_what_will_happen_per_ship_policy(as_sales, stocked):
    # given 10 in stock, 12 wanted
    lines = {"line_sku": ["MUG-RED"], "line_qty": ["12"]}
    # when
    partial = as_sales.post(LINES, {**lines, "ship_policy": "partial"}, **HX)
    complete = as_sales.post(LINES, {**lines, "ship_policy": "complete"}, **HX)
    # then
    assert "Only 10 available: 2 will be backordered; partial shipment" in partial.text
    assert "ship complete, so the whole order waits" in complete.text


def test_an_out_of_stock_line_says_all_will_be_backordered(as_sales, product):
    # when
    response = as_sales.post(LINES, {"op": "add", "add_code": "MUG-RED", "add_qty": "2"}, **HX)
    # then
    assert "Out of stock: all 2 will be backordered" in response.text


def test_a_zero_quantity_line_is_marked_beside_it(as_sales, stocked):
    # when
    response = as_sales.post(LINES, {"line_sku": ["MUG-RED"], "line_qty": ["0"]}, **HX)
    # then
    [line] = response.context["lines"]
    assert line.error_quantity == "Quantity must be at least 1."


def test_removing_a_line(as_sales, stocked):
    # given
    ProductFactory(sku="PLATE")
    # when
    response = as_sales.post(
        LINES, {"line_sku": ["MUG-RED", "PLATE"], "line_qty": ["1", "2"], "remove": "0"}, **HX
    )
    # then
    assert [line.sku for line in response.context["lines"]] == ["PLATE"]


# --- saving ------------------------------------------------------------------------------------


def test_place_and_confirm_creates_customer_order_and_payment_in_one_step(as_sales, stocked):
    # when
    response = as_sales.post(SAVE, order_post(), **HX)
    # then
    order = Order.objects.get()
    assert response.status_code == 204
    assert response["HX-Redirect"] == order.get_absolute_url()
    assert order.status == Order.Status.ALLOCATED
    assert order.customer.email == "ann@example.com"
    assert order.customer.default_shipping_address.city == "Leeds"
    assert order.shipping_address.line1 == "1 High St"
    assert (order.shipping_method, order.total) == ("standard", Decimal("23.75"))
    assert order.notes == "Leave with the neighbour"
    payment = order.payments.get()
    assert (payment.method, payment.amount, payment.reference) == ("card", order.total, "ch_1")


def test_save_as_draft_keeps_the_order_a_draft_without_payment(as_sales, stocked):
    # when
    response = as_sales.post(SAVE, order_post(action="draft"))
    # then
    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == order.get_absolute_url()
    assert order.status == Order.Status.DRAFT
    assert not order.payments.exists()


def test_an_existing_customer_is_used_and_the_vip_flag_kept(as_sales, stocked):
    # given
    customer = CustomerFactory(name="Bo Diaz", is_vip=True)
    data = order_post(**{"customer-id": str(customer.pk), "is_vip": "on"})
    # when
    as_sales.post(SAVE, data)
    # then
    order = Order.objects.get()
    assert order.customer == customer
    assert order.is_vip is True
    assert Customer.objects.count() == 1


def test_an_out_of_stock_line_ends_backordered(as_sales, stocked):
    # given
    ProductFactory(sku="LAMP", name="Lamp", price="20.00")
    data = order_post(line_sku=["MUG-RED", "LAMP"], line_qty=["1", "2"])
    # when
    as_sales.post(SAVE, data)
    # then
    order = Order.objects.get()
    assert order.status == Order.Status.BACKORDERED
    assert order.lines.get(sku="LAMP").quantity_backordered == 2


def test_a_refused_save_keeps_everything_typed_and_says_why_beside_the_field(as_sales, stocked):
    # given an address without a city
    data = order_post(**{"shipping_address-city": ""}, notes="Ring twice")
    before = everything()
    # when
    response = as_sales.post(SAVE, data)
    # then
    assert response.status_code == 400
    assert everything() == before
    assert response.context["address_form"].errors == {"city": ["Enter the city."]}
    assert 'value="Ann Lee"' in response.text
    assert 'value="ann@example.com"' in response.text
    assert "Ring twice" in response.text
    assert 'name="line_sku" value="MUG-RED"' in response.text
    assert 'value="ch_1"' in response.text


def test_a_refused_htmx_save_answers_the_form_to_swap(as_sales, stocked):
    # given
    before = everything()
    # when
    response = as_sales.post(SAVE, order_post(**{"customer-name": ""}), **HX)
    # then
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#desk"
    assert response.context["customer_form"].errors == {"name": ["Enter the customer's name."]}
    assert everything() == before


def test_saving_with_an_unknown_sku_marks_the_line(as_sales, stocked):
    # given
    before = everything()
    # when
    response = as_sales.post(SAVE, order_post(line_sku=["MUG-RED", "NOPE"], line_qty=["1", "1"]))
    # then
    assert response.status_code == 400
    assert response.context["lines"][1].error_sku == "There is no product with SKU 'NOPE'."
    assert everything() == before


def test_saving_a_zero_quantity_is_refused(as_sales, stocked):
    # given
    before = everything()
    # when
    response = as_sales.post(SAVE, order_post(line_qty=["0"]))
    # then
    assert response.status_code == 400
    assert response.context["lines"][0].error_quantity == "Quantity must be at least 1."
    assert everything() == before


def test_saving_without_lines_is_refused(as_sales, stocked):
    # given
    before = everything()
    # when
    response = as_sales.post(SAVE, order_post(line_sku=[], line_qty=[]))
    # then
    assert response.status_code == 400
    assert response.context["lines_error"] == "An order needs at least one line."
    assert everything() == before


def test_saving_without_a_customer_asks_for_one(as_sales, stocked):
    # given
    data = order_post(**{"customer-name": "", "customer-email": "", "customer-phone": ""})
    before = everything()
    # when
    response = as_sales.post(SAVE, data)
    # then
    assert response.status_code == 400
    assert (
        response.context["customer_error"] == "Find the customer, or enter a new customer's name."
    )
    assert everything() == before


def test_a_new_customer_with_a_known_email_is_refused_beside_the_email(as_sales, stocked):
    # given
    CustomerFactory(email="ann@example.com")
    before = everything()
    # when
    response = as_sales.post(SAVE, order_post())
    # then
    assert response.status_code == 409
    assert response.context["customer_form"].errors == {
        "email": ["A customer with email ann@example.com already exists."]
    }
    assert everything() == before


def test_an_overpayment_is_refused_beside_the_amount(as_sales, stocked):
    # given
    before = everything()
    # when
    response = as_sales.post(SAVE, order_post(**{"payment-amount": "500"}))
    # then
    assert response.status_code == 400
    assert "more than the" in response.context["payment_form"].errors["amount"][0]
    assert everything() == before


def test_a_bad_shipping_price_is_refused_beside_it(as_sales, stocked):
    # given
    before = everything()
    # when
    response = as_sales.post(SAVE, order_post(shipping_price="abc"))
    # then
    assert response.status_code == 400
    assert response.context["options_form"].errors == {
        "shipping_price": ["Shipping price must be an amount such as 19.80."]
    }
    assert 'value="abc"' in response.text
    assert everything() == before


def test_the_desk_shows_the_tax_as_lines_are_added(as_sales, stocked):
    # when 3 mugs at 9.90 with shipping 3.95, prices including 20 % VAT
    response = as_sales.post(
        LINES, {"op": "add", "add_code": "mug-red", "add_qty": "3", "shipping_price": "3.95"}, **HX
    )

    # then: 29.70 includes 4.95; 3.95 includes 0.66
    assert response.context["tax_total"] == Decimal("5.61")
    assert "data-tax-included>5.61<" in response.text
    assert "Of which tax" in response.text


def test_the_desk_shows_no_tax_for_an_export(as_sales, stocked):
    response = as_sales.post(
        LINES,
        {"op": "add", "add_code": "mug-red", "add_qty": "1", "shipping_address-country": "US"},
        **HX,
    )

    assert response.context["tax_total"] == Decimal("0.00")
    assert "Export: no tax" in response.text
