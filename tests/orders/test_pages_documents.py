"""The invoice page: for sales and managers, at the order's own address."""

import pytest
from django.urls import reverse

from orders import services
from tests.documents.reading import scanned_texts
from tests.factories import CustomerFactory, address_data


@pytest.fixture
def placed(stocked, sales_user):
    return services.order_create(
        customer=CustomerFactory(),
        user=sales_user,
        shipping_address=address_data(),
        lines=[{"sku": "MUG-RED", "quantity": 1}],
        place=True,
    )


def test_invoice_is_for_sales_and_not_for_the_warehouse(client, placed, sales_user, warehouse_user):
    # given
    url = reverse("orders:order_invoice", args=[placed.pk])

    # when
    client.force_login(warehouse_user)
    refused = client.get(url)
    client.force_login(sales_user)
    printed = client.get(url)

    # then
    assert url == f"/orders/{placed.pk}/invoice.pdf"
    assert refused.status_code == 403
    assert printed.status_code == 200
    assert printed["Content-Disposition"] == f'inline; filename="invoice-{placed.number}.pdf"'
    assert scanned_texts(printed.content) == [{placed.number}]


def test_a_missing_order_has_no_invoice(client, sales_user):
    # given
    client.force_login(sales_user)

    # when
    missing = client.get(reverse("orders:order_invoice", args=[999999]))

    # then
    assert missing.status_code == 404


def test_the_former_address_sends_the_browser_to_the_invoice(
    client, placed, sales_user, warehouse_user
):
    # given
    former = f"/fulfillment/orders/{placed.pk}/invoice.pdf"

    # when
    anonymous = client.get(former)
    client.force_login(warehouse_user)
    refused = client.get(former)
    client.force_login(sales_user)
    moved = client.get(former, {"download": "1"})
    saved = client.get(moved["Location"])

    # then
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert refused.status_code == 403
    assert moved.status_code == 301
    assert moved["Location"] == f"/orders/{placed.pk}/invoice.pdf?download=1"
    assert saved["Content-Disposition"] == f'attachment; filename="invoice-{placed.number}.pdf"'
