"""The floor's documents built from real shipments and waves: labels, packing slips, pick lists."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from fulfillment import documents, selectors, services
from tests.documents.reading import page_sizes, page_texts, scanned_texts
from tests.factories import LocationFactory, ProductFactory
from tests.fulfillment.conftest import pack_in_parcels

LABEL_SIZE = (288.0, 432.0)


def test_shipment_label_prints_one_4x6_page_per_parcel_with_scannable_codes(shipped_in_parcels):
    # given
    _, shipment = shipped_in_parcels

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


def test_packing_slip_lists_the_shipped_lines_and_its_order_barcode_scans(shipped_in_parcels):
    # given
    _, shipment = shipped_in_parcels

    # when
    pdf = documents.packing_slip_pdf(selectors.shipment_get(shipment.pk))

    # then
    assert scanned_texts(pdf) == [{shipment.order.number}]
    text = page_texts(pdf)[0]
    assert "MUG-RED" in text
    assert "Red mug" in text
    assert shipment.number in text
    assert "Returns" in text


def test_packing_slip_context_counts_what_follows_in_a_later_shipment(shipped_in_parcels):
    # given
    _, shipment = shipped_in_parcels

    # when
    context = documents.packing_slip_context(selectors.shipment_get(shipment.pk))

    # then
    assert context["lines"] == [
        {"sku": "MUG-RED", "name": "Red mug", "ordered": 2, "quantity": 2, "to_follow": 0}
    ]
    assert context["parcel_count"] == 2
    assert context["shipping_address"]["street"] == ["1 High St"]


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


def test_wave_labels_cost_the_same_queries_for_more_shipments(
    make_order, stocked, receive, bin_a, warehouse_user, royal_mail
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
    with CaptureQueriesContext(connection) as one:
        documents.wave_labels_pdf(small)
    with CaptureQueriesContext(connection) as four:
        documents.wave_labels_pdf(large)

    # then
    assert len(four) == len(one)
