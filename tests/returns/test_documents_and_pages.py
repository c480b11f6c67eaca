"""Returns' printed documents scan back (zxing-cpp); the list pages cost the same queries at any size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from returns import services
from returns.models import CreditNote
from tests.documents.reading import page_sizes, page_texts, scanned_texts
from tests.returns.conftest import red_line

FOUR_BY_SIX = (288.0, 432.0)  # 4 x 6 in, in PDF points


@pytest.fixture
def authorized(paid_order, sales_user):
    rma = services.return_create(
        order_id=paid_order.pk,
        user=sales_user,
        lines=[{"order_line": red_line(paid_order).pk, "quantity": 2, "reason": "damaged"}],
    )
    return services.return_authorize(
        return_id=rma.pk, user=sales_user, carrier="RM", tracking_number="RR123456785GB"
    )


def test_the_return_label_is_4x6_and_every_barcode_scans_back(client, authorized, sales_user):
    # given
    client.force_login(sales_user)
    # when
    answer = client.get(reverse("returns:return_label", args=[authorized.pk]))
    pdf = b"".join(answer.streaming_content) if answer.streaming else answer.content
    # then
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    assert page_sizes(pdf) == [FOUR_BY_SIX]
    assert scanned_texts(pdf) == [{authorized.number, "RR123456785GB", authorized.order.number}]
    assert "Main warehouse" in page_texts(pdf)[0]


def test_the_rma_slip_carries_the_rma_and_order_barcodes(client, authorized, sales_user):
    client.force_login(sales_user)
    answer = client.get(reverse("returns:return_slip", args=[authorized.pk]))
    pdf = answer.content
    assert answer.status_code == 200
    assert scanned_texts(pdf) == [{authorized.number, authorized.order.number}]
    assert "MUG-RED" in page_texts(pdf)[0]


def test_the_credit_note_barcode_scans_back(
    client, authorized, paid_order, warehouse_user, manager_user, bin_a
):
    # given: the two mugs received, restocked, refunded and paid
    line = authorized.lines.get()
    services.return_receive(
        return_id=authorized.pk, line_id=line.pk, quantity=2, user=warehouse_user
    )
    services.return_dispose(
        return_id=authorized.pk,
        line_id=line.pk,
        kind="restock",
        quantity=2,
        location=bin_a.pk,
        user=warehouse_user,
    )
    refund = services.refund_request(
        order_id=paid_order.pk,
        return_id=authorized.pk,
        lines=[{"return_line": line.pk, "quantity": 2}],
        reason="damaged",
        user=manager_user,
    )
    services.refund_approve(refund_id=refund.pk, user=manager_user)
    services.refund_pay(refund_id=refund.pk, reference="re_1", user=manager_user)
    note = CreditNote.objects.get(refund=refund)
    client.force_login(manager_user)
    # when
    answer = client.get(reverse("returns:credit_note_pdf", args=[note.pk]))
    # then
    assert answer.status_code == 200
    assert scanned_texts(answer.content) == [{note.number}]
    text = page_texts(answer.content)[0]
    assert note.number in text and "19.80" in text and "3.30" in text


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_returns_list_costs_the_same_queries_for_one_row_or_many(
    client, paid_order, sales_user, manager_user, django_assert_max_num_queries
):
    # given: one return, then four more (one per unit shipped, the rest goodwill refunds)
    def open_return(line, reason):
        services.return_create(
            order_id=paid_order.pk,
            user=sales_user,
            lines=[{"order_line": line.pk, "quantity": 1, "reason": reason}],
        )

    client.force_login(manager_user)
    url = reverse("returns:return_list")
    open_return(red_line(paid_order), "damaged")
    one = queries_for(client, url)
    open_return(red_line(paid_order), "defective")
    open_return(paid_order.lines.get(sku="MUG-BLUE"), "wrong_item")
    # when / then
    with django_assert_max_num_queries(one):
        page = client.get(url)
    assert page.text.count("RMA-0000") >= 3
    assert one <= 12


def test_the_refunds_queue_costs_the_same_queries_for_one_row_or_many(
    client, paid_order, manager_user, django_assert_max_num_queries
):
    client.force_login(manager_user)
    url = reverse("returns:refund_list")
    services.refund_request(order_id=paid_order.pk, amount="1.00", reason="a", user=manager_user)
    one = queries_for(client, url)
    for amount in ["2.00", "3.00", "4.00"]:
        refund = services.refund_request(
            order_id=paid_order.pk, amount=amount, reason="b", user=manager_user
        )
    services.refund_approve(refund_id=refund.pk, user=manager_user)
    services.refund_pay(refund_id=refund.pk, reference="re_9", user=manager_user)
    with django_assert_max_num_queries(one):
        page = client.get(url)
    assert page.text.count("RF-0000") >= 4
    assert one <= 14


@pytest.mark.postgres
def test_a_credit_note_numbered_cn_000011_scans_as_itself_alone(
    client, authorized, paid_order, warehouse_user, manager_user, bin_a
):
    # given the next credit note is the eleventh
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence('returns_creditnote', 'id'), 10)")
    # then it reads back as CN-000011 and nothing else
    test_the_credit_note_barcode_scans_back(
        client, authorized, paid_order, warehouse_user, manager_user, bin_a
    )
    assert CreditNote.objects.get().number == "CN-000011"
