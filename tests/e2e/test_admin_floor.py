"""The admin drives the floor: a new carrier and service, an order with it, its label printed."""

import re

import pytest

from fulfillment import services as fulfillment_services
from fulfillment.models import Carrier, Shipment, ShippingMethod
from orders.models import Order
from tests.documents.reading import page_texts, scanned_texts
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.test_sales_desk import add_line, address_by_keyboard, new_customer_by_keyboard

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_manager_adds_a_service_a_rep_sells_it_the_warehouse_prints_its_label(
    page_as, manager_user, sales_user, warehouse_user, stocked, screenshot
):
    # given a manager in the admin
    admin = page_as(manager_user)
    admin.goto("/admin/fulfillment/carrier/add/")
    admin.fill("#id_code", "EVRI")
    admin.fill("#id_name", "Evri")
    admin.fill("#id_tracking_url_template", "https://www.evri.com/track/parcel/{tracking}")
    screenshot(admin, "admin-floor-1-new-carrier")
    admin.click("input[name=_save]")
    admin.wait_for_url(re.compile(r"/admin/fulfillment/carrier/$"))
    admin.goto("/admin/fulfillment/shippingmethod/add/")
    admin.select_option("#id_carrier", label="Evri")
    admin.fill("#id_code", "evri-48")
    admin.fill("#id_name", "48 hour")
    admin.fill("#id_price", "2.99")
    admin.click("input[name=_save]")
    admin.wait_for_url(re.compile(r"/admin/fulfillment/shippingmethod/$"))
    screenshot(admin, "admin-floor-2-services")
    assert ShippingMethod.objects.get(code="evri-48").carrier == Carrier.objects.get(code="EVRI")

    # when a rep takes a phone order with that service
    desk = page_as(sales_user)
    desk.goto("/orders/new/")
    new_customer_by_keyboard(desk, name="Ivy Hart", email="ivy@example.com", phone="0113 496 0777")
    address_by_keyboard(desk, line1="9 Canal Wharf", city="Leeds", postcode="LS11 5PS")
    add_line(desk, "MUG-RED")
    desk.select_option("#id_shipping_method", "evri-48")
    assert desk.input_value("#id_shipping_price") == "2.99"
    desk.select_option("#id_payment-method", "card")
    screenshot(desk, "admin-floor-3-desk-with-evri")
    desk.keyboard.press("Alt+Enter")
    desk.wait_for_url(re.compile(r"/orders/\d+/$"))
    order = Order.objects.get()
    assert (order.shipping_method, str(order.shipping_price)) == ("evri-48", "2.99")
    [shipment] = fulfillment_services.shipment_create_for_order(
        order_id=order.pk, user=warehouse_user
    )

    # and the warehouse prints its label from the admin action
    floor = page_as(warehouse_user)
    floor.goto(f"/admin/fulfillment/shipment/?carrier__id__exact={shipment.carrier_id}")
    floor.check(f"input[name=_selected_action][value='{shipment.pk}']")
    floor.select_option("select[name=action]", "print_labels")
    screenshot(floor, "admin-floor-4-shipments-print-labels")
    printed = {}

    def keep_the_pdf(route):
        # The browser shows a PDF in its viewer; keep the bytes the server sent.
        response = route.fetch()
        printed.update(type=response.headers["content-type"], body=response.body())
        route.fulfill(response=response)

    floor.route(re.compile(r".*/admin/fulfillment/shipment/.*"), keep_the_pdf)
    with floor.expect_response(lambda r: r.request.method == "POST"):
        floor.evaluate("document.querySelector('#changelist-form').submit()")
    pdf = printed["body"]

    # then the label is the shipment's, with the new carrier and an order barcode that scans
    assert printed["type"] == "application/pdf"
    assert Shipment.objects.get().carrier.code == "EVRI"
    [text] = page_texts(pdf)
    assert "Evri" in text and "48 hour" in text and shipment.number in text
    assert order.number in scanned_texts(pdf)[0]
    (ARTIFACTS / "admin-floor-5-label.pdf").write_bytes(pdf)
