"""Bin and product labels: each scans back to the bin's or product's code."""

from decimal import Decimal

from inventory import documents
from inventory.models import Location
from tests.documents.reading import page_sizes, scanned_texts
from tests.factories import ProductFactory


def test_bin_and_product_labels_scan_back(bin_a, bin_b, product):
    # given
    plain = ProductFactory(sku="NO-BARCODE", barcode=None)

    # when
    bins = documents.bin_labels_pdf(Location.objects.filter(pk__in=[bin_a.pk, bin_b.pk]))
    products = documents.product_labels_pdf([product, plain], copies=2)

    # then
    assert scanned_texts(bins) == [{bin_a.barcode}, {bin_b.barcode}]
    assert scanned_texts(products) == [{product.barcode}] * 2 + [{"NO-BARCODE"}] * 2
    assert page_sizes(bins) == [(216.0, 72.0)] * 2  # 3 x 1 in
    assert page_sizes(products) == [(162.0, 90.0)] * 4  # 2.25 x 1.25 in


def test_a_product_label_prints_its_name_and_price_and_a_free_product_no_price(product):
    # given
    free = ProductFactory(sku="FREEBIE", price=Decimal("0.00"))

    # when
    priced = documents.product_label_context(product)
    unpriced = documents.product_label_context(free)

    # then
    assert priced == {
        "name": "Red mug",
        "sku": "MUG-RED",
        "code": "4006381333931",
        "price": "9.90",
    }
    assert unpriced["price"] == ""
