"""Documents built from real shipments, waves and orders, and who may print them."""

import pytest
from django.urls import reverse

from fulfillment import documents, selectors, services
from inventory.models import Location
from tests.documents.conftest import pack_in_parcels
from tests.documents.reading import page_sizes, page_texts, scanned_texts
from tests.factories import LocationFactory, ProductFactory

LABEL_SIZE = (288.0, 432.0)


def test_shipment_label_prints_one_4x6_page_per_parcel_with_scannable_codes(shipped):
    # given
    _, shipment = shipped

    # when
    pdf = documents.shipment_label_pdf(selectors.shipment_get(shipment.pk))

    # then
    order_number = shipment.order.number
    assert page_sizes(pdf) == [LABEL_SIZE, LABEL_SIZE]
    assert scanned_texts(pdf) == [{"RM123456789GB", order_number}] * 2
    texts = page_texts(pdf)
    assert "1 of 2" in texts[0]
    assert "2 of 2" in texts[1]
    assert "Ann Lee" in texts[0]
    assert "Royal Post" in texts[0]


def test_packing_slip_lists_the_shipped_lines_and_its_order_barcode_scans(shipped):
    # given
    _, shipment = shipped

    # when
    pdf = documents.packing_slip_pdf(selectors.shipment_get(shipment.pk))

    # then
    assert scanned_texts(pdf) == [{shipment.order.number}]
    text = page_texts(pdf)[0]
    assert "MUG-RED" in text
    assert "Red mug" in text
    assert shipment.number in text
    assert "Returns" in text


def test_packing_slip_context_counts_what_follows_in_a_later_shipment(shipped):
    # given
    _, shipment = shipped

    # when
    context = documents.packing_slip_context(selectors.shipment_get(shipment.pk))

    # then
    assert context["lines"] == [
        {"sku": "MUG-RED", "name": "Red mug", "ordered": 2, "quantity": 2, "to_follow": 0}
    ]
    assert context["parcel_count"] == 2


def test_pick_list_prints_bins_in_walking_order_with_scannable_bin_and_product_codes(
    make_order, warehouse, receive, warehouse_user, royal_mail
):
    # given: two products in two bins, the later bin first in the table
    late = LocationFactory(warehouse=warehouse, code="B-09-01", pick_sequence=90)
    early = LocationFactory(warehouse=warehouse, code="A-02-01", pick_sequence=20)
    mug = ProductFactory(sku="MUG-RED", name="Red mug", barcode="4006381333931")
    cap = ProductFactory(sku="CAP-UPC", name="Cap", barcode="036000291452")
    receive(mug, late, 5)
    receive(cap, early, 5)
    first = make_order(("MUG-RED", 1), ("CAP-UPC", 2))
    second = make_order(("MUG-RED", 2))
    for order in (first, second):
        services.shipment_create_for_order(order_id=order.pk, user=warehouse_user)
    wave = services.wave_create(user=warehouse_user)

    # when
    context = documents.pick_list_context(wave)
    pdf = documents.pick_list_pdf(wave)

    # then
    assert [stop["bin_code"] for stop in context["stops"]] == ["A-02-01", "B-09-01"]
    assert [part["quantity"] for part in context["stops"][1]["lines"][0]["split"]] == [1, 2]
    codes = set().union(*scanned_texts(pdf, dpi=250))
    assert {early.barcode, late.barcode, "4006381333931", "0036000291452"} <= codes
    assert wave.number in codes


def test_wave_labels_and_slips_are_one_pdf_for_the_whole_wave(
    make_order, stocked, receive, bin_a, warehouse_user, royal_mail, box
):
    # given: two orders in one wave, packed as 2 + 1 parcels
    receive(stocked, bin_a, 10)
    orders = [make_order(("MUG-RED", 2)), make_order(("MUG-RED", 1))]
    for order in orders:
        services.shipment_create_for_order(order_id=order.pk, user=warehouse_user)
    wave = services.wave_create(user=warehouse_user)
    services.pick_scan(user=warehouse_user, code="BIN-MAIN-A-01-01", wave_id=wave.pk)
    services.pick_scan(user=warehouse_user, code="3*4006381333931", wave_id=wave.pk)
    for shipment in wave.shipments.order_by("wave_position"):
        pack_in_parcels(shipment, warehouse_user, box)

    # when
    labels = documents.wave_labels_pdf(wave)
    slips = documents.wave_packing_slips_pdf(wave)

    # then
    assert page_sizes(labels) == [LABEL_SIZE] * 3
    numbers = [order.number for order in orders]
    assert [codes & set(numbers) for codes in scanned_texts(labels)] == [
        {numbers[0]},
        {numbers[0]},
        {numbers[1]},
    ]
    assert scanned_texts(slips) == [{numbers[0]}, {numbers[1]}]


def test_invoice_prints_the_order_totals_and_payment_status(make_order, stocked):
    # given
    order = make_order(("MUG-RED", 2))

    # when
    from orders.apis import orders_with_details

    context = documents.invoice_context(orders_with_details().get(pk=order.pk))
    pdf = documents.invoice_pdf(orders_with_details().get(pk=order.pk))

    # then
    assert context["total"] == order.total
    assert context["subtotal"] == order.subtotal
    assert context["payment_status_label"] == "Unpaid"
    assert scanned_texts(pdf) == [{order.number}]
    text = page_texts(pdf)[0]
    assert f"INV-{order.number}" in text
    assert str(order.total) in text


def test_bin_and_product_labels_scan_back(bin_a, bin_b, product):
    # given
    plain = ProductFactory(sku="NO-BARCODE", barcode=None)

    # when
    bins = documents.bin_labels_pdf(Location.objects.filter(pk__in=[bin_a.pk, bin_b.pk]))
    products = documents.product_labels_pdf([product, plain], copies=2)

    # then
    assert scanned_texts(bins) == [{bin_a.barcode}, {bin_b.barcode}]
    assert scanned_texts(products) == [{product.barcode}] * 2 + [{"NO-BARCODE"}] * 2


# --- views -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["shipment_label", "shipment_packing_slip"])
def test_warehouse_prints_shipment_documents_inline_and_sales_is_refused(
    client, shipped, warehouse_user, sales_user, name
):
    # given
    _, shipment = shipped
    url = reverse(f"fulfillment:{name}", args=[shipment.pk])

    # when
    client.force_login(sales_user)
    refused = client.get(url)
    client.force_login(warehouse_user)
    printed = client.get(url)
    saved = client.get(url, {"download": "1"})

    # then
    assert refused.status_code == 403
    assert printed.status_code == 200
    assert printed["Content-Type"] == "application/pdf"
    assert printed["Content-Disposition"].startswith("inline;")
    assert saved["Content-Disposition"].startswith("attachment;")
    assert printed.content.startswith(b"%PDF")


@pytest.mark.parametrize("name", ["wave_pick_list", "wave_labels", "wave_packing_slips"])
def test_wave_documents_for_managers_not_for_sales(client, shipped, manager_user, sales_user, name):
    # given
    wave, _ = shipped
    url = reverse(f"fulfillment:{name}", args=[wave.pk])

    # when
    client.force_login(sales_user)
    refused = client.get(url)
    client.force_login(manager_user)
    printed = client.get(url)

    # then
    assert refused.status_code == 403
    assert printed.status_code == 200
    assert printed.content.startswith(b"%PDF")


def test_invoice_is_for_sales_and_not_for_the_warehouse(
    client, make_order, stocked, sales_user, warehouse_user
):
    # given
    order = make_order(("MUG-RED", 1))
    url = reverse("fulfillment:order_invoice", args=[order.pk])

    # when
    client.force_login(warehouse_user)
    refused = client.get(url)
    client.force_login(sales_user)
    printed = client.get(url)

    # then
    assert refused.status_code == 403
    assert printed.status_code == 200
    assert printed["Content-Disposition"] == f'inline; filename="invoice-{order.number}.pdf"'


def test_documents_need_a_login_and_an_existing_object(client, warehouse_user):
    # when
    anonymous = client.get(reverse("fulfillment:shipment_label", args=[1]))
    client.force_login(warehouse_user)
    missing = client.get(reverse("fulfillment:shipment_label", args=[999999]))
    no_bins = client.get(reverse("fulfillment:bin_labels"))

    # then
    assert anonymous.status_code == 302
    assert missing.status_code == 404
    assert no_bins.status_code == 404


def test_bin_and_product_label_views_print_what_is_asked(
    client, warehouse_user, sales_user, bin_a, bin_b, product
):
    # given
    client.force_login(warehouse_user)

    # when
    bins = client.get(reverse("fulfillment:bin_labels"), {"ids": f"{bin_b.pk},{bin_a.pk}"})
    products = client.get(
        reverse("fulfillment:product_labels"), {"ids": str(product.pk), "copies": "3"}
    )
    client.force_login(sales_user)
    refused = client.get(reverse("fulfillment:product_labels"), {"ids": str(product.pk)})

    # then
    assert scanned_texts(bins.content) == [{bin_b.barcode}, {bin_a.barcode}]
    assert scanned_texts(products.content) == [{product.barcode}] * 3
    assert refused.status_code == 403


def test_wave_labels_cost_the_same_queries_for_more_shipments(
    make_order, stocked, receive, bin_a, warehouse_user, royal_mail, django_assert_num_queries
):
    # given
    receive(stocked, bin_a, 20)

    def wave_of(count):
        for _ in range(count):
            order = make_order(("MUG-RED", 1))
            services.shipment_create_for_order(order_id=order.pk, user=warehouse_user)
        return services.wave_create(user=warehouse_user)

    small, large = wave_of(1), wave_of(4)

    # when
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        documents.wave_labels_pdf(small)
    with CaptureQueriesContext(connection) as four:
        documents.wave_labels_pdf(large)

    # then
    assert len(four) == len(one)
