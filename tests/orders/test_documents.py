"""The invoice built from a real order: its totals, payments and a scannable order number."""

from decimal import Decimal

import pytest

from orders import documents, services
from orders.selectors import order_detail
from tests.documents.reading import page_texts, scanned_texts
from tests.factories import CustomerFactory, address_data


@pytest.fixture
def placed(stocked, sales_user):
    """A placed order for 2 red mugs at 9.90, shipped to Ann Lee in Leeds."""
    return services.order_create(
        customer=CustomerFactory(name="Ann Lee", email="ann@example.com"),
        user=sales_user,
        shipping_address=address_data(),
        lines=[{"sku": "MUG-RED", "quantity": 2}],
        place=True,
    )


def test_invoice_prints_the_order_totals_and_payment_status(placed):
    # given
    order = order_detail(placed.pk)

    # when
    context = documents.invoice_context(order)
    pdf = documents.invoice_pdf(order)

    # then
    assert context["total"] == placed.total
    assert context["subtotal"] == placed.subtotal == Decimal("19.80")
    assert context["payment_status_label"] == "Unpaid"
    assert context["billing_address"]["city"] == "Leeds"  # the shipping address stands in
    assert scanned_texts(pdf) == [{placed.number}]
    text = page_texts(pdf)[0]
    assert f"INV-{placed.number}" in text
    assert str(placed.total) in text


def test_a_captured_payment_of_the_whole_total_reads_paid(placed, sales_user):
    # given
    services.order_confirm(
        order_id=placed.pk,
        user=sales_user,
        payment={"method": "card", "amount": str(placed.total), "reference": "ch_1"},
    )

    # when
    context = documents.invoice_context(order_detail(placed.pk))

    # then
    assert (context["payment_status"], context["paid"], context["balance"]) == (
        "paid",
        placed.total,
        Decimal("0.00"),
    )
    assert [payment["reference"] for payment in context["payments"]] == ["ch_1"]


def test_address_context_prints_the_street_without_blank_lines(db):
    # given
    from orders.models import Address

    address = Address(**address_data(line2="", company="Lee & Co"))

    # when
    printed = documents.address_context(address)

    # then
    assert printed["street"] == ["1 High St"]
    assert (printed["company"], printed["postal_code"]) == ("Lee & Co", "LS1 1AA")
    assert documents.address_context(None) is None
