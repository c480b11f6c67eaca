"""Importing marketplace orders in the Online Retail shape, through the order services."""

from decimal import Decimal

from django.urls import reverse

from orders.models import Order
from tests.factories import ProductFactory
from tests.imports.conftest import last_job

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
FILE = HEADER + (
    "536365,85123A,WHITE HANGING HEART,6,2010-12-01 08:26:00,2.55,17850.0,France\n"
    "536365,71053,WHITE METAL LANTERN,2,2010-12-01 08:26:00,3.39,17850.0,France\n"
    "536365,POST,POSTAGE,1,2010-12-01 08:26:00,18.00,17850.0,France\n"
    "536366,71053,WHITE METAL LANTERN,1,2010-12-01 08:28:00,3.39,,Germany\n"
)


def _products():
    ProductFactory(sku="85123A", name="White hanging heart", price="9.99")
    ProductFactory(sku="71053", name="White metal lantern", price="9.99")


def test_preview_lists_orders_to_create_and_creates_none(client, manager_user, upload):
    # given
    _products()
    client.force_login(manager_user)
    # when
    upload("marketplace_orders", FILE)
    # then
    page = client.get(reverse("imports:detail", args=[last_job().pk]) + "?show=new")
    text = page.content.decode()
    assert "536365" in text and "536366" in text and "2 line(s) for Customer 17850" in text
    assert Order.objects.count() == 0


def test_confirm_places_one_order_per_invoice_at_the_file_prices_and_rerun_adds_nothing(
    client, manager_user, preview_and_confirm
):
    # given
    _products()
    client.force_login(manager_user)
    # when
    _, job = preview_and_confirm("marketplace_orders", FILE)
    # then
    orders = {order.external_reference: order for order in Order.objects.all()}
    assert set(orders) == {"536365", "536366"}
    first = orders["536365"]
    assert first.channel == "marketplace" and first.status == "placed"
    assert first.shipping_price == Decimal("18.00")
    assert sorted(first.lines.values_list("sku", "quantity", "unit_price")) == [
        ("71053", 2, Decimal("3.39")),
        ("85123A", 6, Decimal("2.55")),
    ]
    assert first.shipping_address.country == "FR"
    assert orders["536366"].customer.name == "Guest orders (Germany)"
    assert job.params["report"]["totals"]["new"] == 2
    # when the same file comes again
    _, again = preview_and_confirm("marketplace_orders", FILE)
    # then
    assert Order.objects.count() == 2
    assert again.params["report"]["totals"]["skip"] == 2


def test_an_invoice_with_a_bad_line_is_refused_whole_with_line_numbers(
    client, manager_user, preview_and_confirm
):
    # given
    _products()
    client.force_login(manager_user)
    text = HEADER + (
        "536370,85123A,HEART,6,2010-12-01 08:26:00,2.55,12583.0,France\n"
        "536370,NOPE,UNKNOWN,2,2010-12-01 08:26:00,3.39,12583.0,France\n"
        "536371,71053,LANTERN,x,2010-12-01 08:28:00,3.39,,Germany\n"
        "C536372,71053,LANTERN,-1,2010-12-01 08:28:00,3.39,,Germany\n"
        "536373,71053,LANTERN,1,2010-12-01 08:28:00,3.39,,Atlantis\n"
        "536374,71053,LANTERN,1,2010-12-01 08:30:00,3.39,,Germany\n"
    )
    # when
    preview, job = preview_and_confirm("marketplace_orders", text)
    # then
    body = client.get(reverse("imports:detail", args=[preview.pk]) + "?show=rejected")
    body = body.content.decode()
    assert "Line 3: There is no product with SKU &#x27;NOPE&#x27;." in body
    assert "Line 4: Quantity or UnitPrice is not a number." in body
    assert "is a cancellation" in body
    assert "Atlantis" in body
    assert list(Order.objects.values_list("external_reference", flat=True)) == ["536374"]
    rejected = b"".join(job.file.open("rb")).decode("utf-8-sig").strip().splitlines()
    assert [line.split(",")[0] for line in rejected[1:]] == ["2", "3", "4", "5", "6"]


def test_sales_reps_cannot_import_orders(client, sales_user, upload):
    # given
    _products()
    client.force_login(sales_user)
    # when
    response = upload("marketplace_orders", FILE)
    # then
    assert response.status_code == 403
    assert Order.objects.count() == 0
