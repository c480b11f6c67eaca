"""The bin and product label pages: for warehouse staff and managers, at inventory's address."""

from django.urls import reverse

from tests.documents.reading import scanned_texts
from tests.factories import LocationFactory


def test_bin_and_product_label_views_print_what_is_asked(
    client, warehouse_user, sales_user, bin_a, bin_b, product
):
    # given
    client.force_login(warehouse_user)

    # when
    bins = client.get(reverse("inventory:bin_labels"), {"ids": f"{bin_b.pk},{bin_a.pk}"})
    products = client.get(
        reverse("inventory:product_labels"), {"ids": str(product.pk), "copies": "3"}
    )
    client.force_login(sales_user)
    refused = client.get(reverse("inventory:product_labels"), {"ids": str(product.pk)})

    # then
    assert reverse("inventory:bin_labels") == "/inventory/labels/bins.pdf"
    assert scanned_texts(bins.content) == [{bin_b.barcode}, {bin_a.barcode}]
    assert scanned_texts(products.content) == [{product.barcode}] * 3
    assert refused.status_code == 403


def test_every_active_bin_of_a_warehouse_in_walking_order(client, manager_user, warehouse):
    # given
    late = LocationFactory(warehouse=warehouse, code="B-01", pick_sequence=90)
    early = LocationFactory(warehouse=warehouse, code="A-01", pick_sequence=10)
    LocationFactory(warehouse=warehouse, code="C-01", pick_sequence=50, is_active=False)
    client.force_login(manager_user)

    # when
    response = client.get(reverse("inventory:bin_labels"), {"warehouse": "main"})

    # then
    assert scanned_texts(response.content) == [{early.barcode}, {late.barcode}]


def test_nothing_to_label_or_a_bad_id_is_404(client, warehouse_user, product):
    # given
    client.force_login(warehouse_user)

    # when
    no_bins = client.get(reverse("inventory:bin_labels"))
    bad_id = client.get(reverse("inventory:bin_labels"), {"ids": "1,x"})
    no_products = client.get(reverse("inventory:product_labels"), {"ids": "999999"})

    # then
    assert (no_bins.status_code, bad_id.status_code, no_products.status_code) == (404, 404, 404)


def test_the_former_addresses_send_the_browser_to_the_labels(
    client, warehouse_user, sales_user, product
):
    # given
    client.force_login(sales_user)
    refused = client.get("/fulfillment/labels/products.pdf", {"ids": str(product.pk)})
    client.force_login(warehouse_user)

    # when
    products = client.get("/fulfillment/labels/products.pdf", {"ids": str(product.pk)})
    bins = client.get("/fulfillment/labels/bins.pdf")

    # then
    assert refused.status_code == 403
    assert products.status_code == 301
    assert products["Location"] == f"/inventory/labels/products.pdf?ids={product.pk}"
    assert bins["Location"] == "/inventory/labels/bins.pdf"
    assert scanned_texts(client.get(products["Location"]).content) == [{product.barcode}]
