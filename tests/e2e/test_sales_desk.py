"""A sales rep takes phone orders with the keyboard only."""

import re

import pytest

from inventory import services as inventory_services
from orders.models import Customer, Order
from tests.e2e.conftest import release_until
from tests.factories import CustomerFactory, ProductFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalogue(stocked, bin_a, shipping_services):
    """Red mug (10), plate (8), bowl with a barcode (5), a lamp with no stock; the services."""
    plate = ProductFactory(sku="PLATE", name="Dinner plate", price="4.25")
    bowl = ProductFactory(sku="BOWL", name="Cereal bowl", price="6.00", barcode="5012345678900")
    ProductFactory(sku="LAMP", name="Desk lamp", price="20.00")
    for product, quantity in [(plate, 8), (bowl, 5)]:
        inventory_services.stock_receive(
            product=product, location=bin_a, quantity=quantity, reference="PO-E2E"
        )
    return stocked


def tab_to(page, selector: str, limit: int = 60) -> None:
    """Press Tab until the element is focused, proving it is reachable by keyboard."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement === document.querySelector(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} cannot be reached with Tab")


def add_line(page, code: str, quantity: int | None = None) -> None:
    """Add a line as a rep does, then wait until the desk has answered it (no longer)."""
    answered = page.get_attribute("[data-desk-form]", "data-lines-answered") or "0"
    page.keyboard.press("Alt+KeyL")
    page.keyboard.type(code)
    if quantity is not None:
        page.keyboard.press("Tab")
        page.keyboard.press("Control+KeyA")
        page.keyboard.type(str(quantity))
    page.keyboard.press("Enter")
    page.wait_for_function(
        "(n) => Number(document.querySelector('[data-desk-form]')"
        ".getAttribute('data-lines-answered') || 0) > n",
        arg=int(answered),
    )


def new_customer_by_keyboard(page, *, name, email, phone) -> None:
    page.keyboard.press("Alt+KeyC")
    page.keyboard.type(name)
    page.wait_for_selector("#customer-option-new[aria-selected='true']")
    page.keyboard.press("ArrowDown")  # the only option: stays on "New customer"
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement.id === 'id_customer-email'")
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(phone)


def address_by_keyboard(page, *, line1, city, postcode) -> None:
    tab_to(page, "#id_shipping_address-line1")
    page.keyboard.type(line1)
    tab_to(page, "#id_shipping_address-city")
    page.keyboard.type(city)
    page.keyboard.press("Tab")
    page.keyboard.type(postcode)


def test_rep_takes_a_phone_order_for_a_new_customer_by_keyboard(
    page_as, sales_user, catalogue, screenshot
):
    # given
    page = page_as(sales_user)
    page.goto("/orders/new/")
    # when the rep types everything, never touching the mouse
    new_customer_by_keyboard(page, name="Zoe Quinn", email="zoe@example.com", phone="0113 496 0555")
    address_by_keyboard(page, line1="4 Mill Lane", city="Leeds", postcode="LS2 7AB")
    add_line(page, "MUG-RED")
    add_line(page, "plate", quantity=2)
    add_line(page, "5012345678900")  # the bowl's barcode, as a scanner types it
    tab_to(page, "#id_shipping_method")
    page.keyboard.press("ArrowDown")  # Collect from the warehouse, 0.00 (cheapest first)
    page.keyboard.press("ArrowDown")  # Royal Post Tracked 48, 3.95
    page.wait_for_function("document.querySelector('[data-total]').textContent.trim() === '28.35'")
    tab_to(page, "#id_payment-method")
    page.keyboard.press("ArrowDown")  # Card
    tab_to(page, "#id_payment-reference")
    page.keyboard.type("ch_555")
    screenshot(page, "desk-1-three-lines")
    page.keyboard.press("Alt+Enter")
    page.wait_for_url(re.compile(r"/orders/\d+/$"))
    screenshot(page, "desk-2-confirmed-order")
    # then
    order = Order.objects.get()
    assert order.status == Order.Status.ALLOCATED
    assert [(line.sku, line.quantity) for line in order.lines.all()] == [
        ("MUG-RED", 1),
        ("PLATE", 2),
        ("BOWL", 1),
    ]
    assert order.customer.name == "Zoe Quinn"
    assert order.customer.email == "zoe@example.com"
    assert order.shipping_address.city == "Leeds"
    assert str(order.total) == "28.35"
    assert order.payments.get().reference == "ch_555"
    assert "Allocated" in page.text_content("main")


def test_an_out_of_stock_line_warns_and_ends_backordered(
    page_as, sales_user, catalogue, screenshot
):
    # given a known customer with a default address
    from orders import services

    services.customer_create(
        name="Ann Lee",
        email="ann@example.com",
        default_shipping_address={
            "name": "Ann Lee",
            "line1": "1 High St",
            "city": "Leeds",
            "country": "GB",
        },
    )
    page = page_as(sales_user)
    page.goto("/orders/new/")
    # when
    page.keyboard.press("Alt+KeyC")
    page.keyboard.type("ann@exa")
    page.wait_for_selector("[data-kind='customer'][aria-selected='true']")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-customer-card]")
    page.wait_for_function("document.activeElement.id === 'add-code'")
    add_line(page, "MUG-RED")
    add_line(page, "LAMP")
    warning = page.locator("tr[data-line='LAMP'] [data-outcome='short']")
    warning.wait_for()
    screenshot(page, "desk-3-out-of-stock-warning")
    # then the warning says what will happen
    assert "Out of stock: all 1 will be backordered" in warning.text_content()
    assert page.input_value("#id_shipping_address-line1") == "1 High St"
    # when confirmed
    page.keyboard.press("Alt+Enter")
    page.wait_for_url(re.compile(r"/orders/\d+/$"))
    screenshot(page, "desk-4-backordered-order")
    # then
    order = Order.objects.get()
    assert order.status == Order.Status.BACKORDERED
    assert order.lines.get(sku="LAMP").quantity_backordered == 1
    assert order.lines.get(sku="MUG-RED").quantity_allocated == 1
    assert "waiting for stock" in page.text_content("main")


def test_a_validation_error_keeps_what_was_typed(page_as, sales_user, catalogue, screenshot):
    # given
    CustomerFactory(name="Someone Else")
    page = page_as(sales_user)
    page.goto("/orders/new/")
    new_customer_by_keyboard(page, name="Yan Ross", email="yan@example.com", phone="07700 900123")
    tab_to(page, "#id_shipping_address-line1")
    page.keyboard.type("7 Dock St")  # no city
    add_line(page, "PLATE", quantity=3)
    tab_to(page, "#id_notes")
    page.keyboard.type("Fragile, call on arrival")
    # when
    page.keyboard.press("Alt+Enter")
    page.wait_for_selector("#desk-errors")
    screenshot(page, "desk-5-validation-error")
    # then the message is beside the field and nothing typed is gone
    assert "Enter the city." in page.text_content("#shipping_address-city-error")
    assert page.input_value("#id_customer-name") == "Yan Ross"
    assert page.input_value("#id_customer-email") == "yan@example.com"
    assert page.input_value("#id_shipping_address-line1") == "7 Dock St"
    assert page.input_value("#id_notes") == "Fragile, call on arrival"
    assert page.input_value("#line-qty-0") == "3"
    assert page.evaluate("document.activeElement.id") == "id_shipping_address-city"
    assert not Order.objects.exists()
    assert not Customer.objects.filter(name="Yan Ross").exists()
    # when the rep fixes the city and confirms
    page.keyboard.type("Hull")
    page.keyboard.press("Alt+Enter")
    page.wait_for_url(re.compile(r"/orders/\d+/$"))
    # then
    assert Order.objects.get().shipping_address.city == "Hull"


def answered(page) -> int:
    return int(page.get_attribute("[data-desk-form]", "data-lines-answered") or "0")


def test_lines_scanned_faster_than_the_desk_answers_are_all_kept(page_as, sales_user, catalogue):
    # given: the desk's answers are held back until every code has been scanned
    page = page_as(sales_user)
    page.goto("/orders/new/")
    held = []
    page.route("**/orders/new/lines/", lambda route: held.append(route))
    page.keyboard.press("Alt+KeyL")

    # when: four codes arrive back to back, as a scanner types them, and a typo
    for code in ["MUG-RED", "5012345678900", "PLATE", "mug-red", "NOPE"]:
        page.keyboard.type(code)
        page.keyboard.press("Enter")
    assert page.input_value("#add-code") == ""
    release_until(page, held, lambda: answered(page) >= 5)

    # then every scan became a line, in order, the typo came back to be fixed
    lines = page.locator("#desk-lines tbody tr[data-line]")
    assert [lines.nth(i).get_attribute("data-line") for i in range(lines.count())] == [
        "MUG-RED",
        "BOWL",
        "PLATE",
    ]
    assert page.input_value("#line-qty-0") == "2"
    assert page.input_value("#add-code") == "NOPE"
    assert page.evaluate("document.activeElement.id") == "add-code"
    assert "NOPE" in page.text_content("#add-line-feedback")


def test_a_refused_line_does_not_overwrite_the_next_code_being_typed(
    page_as, sales_user, catalogue
):
    # given
    page = page_as(sales_user)
    page.goto("/orders/new/")
    held = []
    page.route("**/orders/new/lines/", lambda route: held.append(route))
    page.keyboard.press("Alt+KeyL")
    page.keyboard.type("NOPE")
    page.keyboard.press("Enter")

    # when the rep types the next code before the refusal arrives
    page.keyboard.type("PLA")
    release_until(page, held, lambda: answered(page) >= 1)

    # then what the rep is typing stays, and the refusal is shown beside it
    assert page.input_value("#add-code") == "PLA"
    assert "NOPE" in page.text_content("#add-line-feedback")
