"""The receive screen against a purchase order: progress per line, refusals, undo."""

import re

import pytest

from inventory import services
from inventory.models import PurchaseOrder, PurchaseOrderLine, StockMovement
from orders import services as order_services
from orders.models import Order
from tests.factories import CustomerFactory, ProductFactory, SupplierFactory, address_data
from tests.inventory.test_receive_screen import (
    BIN_A,
    HTMX,
    MUG,
    PAGE_URL,
    UNDO_URL,
    message_of,
    on_hand,
    scan,
    screen,
    status_of,
)


@pytest.fixture
def floor(client, warehouse_user):
    client.force_login(warehouse_user)
    return client


@pytest.fixture
def supplier(db):
    return SupplierFactory(code="ACME", name="Acme Mugs")


@pytest.fixture
def draft(product, supplier, warehouse, manager_user):
    """A draft for 10 red mugs and 2 blue bowls."""
    bowl = ProductFactory(sku="BOWL", name="Blue bowl", barcode="96385074")
    return services.purchase_order_create(
        supplier=supplier, warehouse=warehouse, lines=[(product, 10), (bowl, 2)], user=manager_user
    )


@pytest.fixture
def sent(draft, manager_user):
    return services.purchase_order_send(purchase_order_id=draft.pk, user=manager_user)


def received(po, sku) -> int:
    return PurchaseOrderLine.objects.get(purchase_order=po, product__sku=sku).quantity_received


def test_scanning_an_open_po_sets_it_and_shows_its_lines(floor, sent, bin_a):
    # when
    response = scan(floor, sent.number)
    # then
    body = response.content.decode()
    assert status_of(response) == "ok"
    assert message_of(response) == (
        f"Receiving {sent.number} from Acme Mugs (0 of 12 received): scan a bin, then the goods."
    )
    assert re.search(rf'id="scan-reference"[^>]*value="{sent.number}"[^>]*hx-swap-oob', body)
    assert f'data-purchase-order="{sent.number}"' in body
    assert "0 of 10 received" in body and "0 of 2 received" in body


def test_goods_on_the_po_are_received_against_it(floor, sent, product, bin_a):
    # given
    scan(floor, BIN_A)
    scan(floor, sent.number)
    # when 3 mugs are scanned
    response = scan(floor, f"3*{MUG}")
    # then
    assert status_of(response) == "ok"
    assert message_of(response) == (
        f"Received 3 × Red mug into A-01-01 (now 3). {sent.number}: 3 of 10 received."
    )
    assert received(sent, "MUG-RED") == 3
    sent.refresh_from_db()
    assert sent.status == PurchaseOrder.Status.PARTIALLY_RECEIVED
    assert StockMovement.objects.get().reference == sent.number
    assert re.search(
        r"data-po-line=\"MUG-RED\".*?3 of 10 received", response.content.decode(), re.S
    )


def test_a_typed_po_reference_works_like_a_scanned_one(floor, sent, product, bin_a):
    # given
    scan(floor, BIN_A, reference=sent.number.lower())
    # when
    response = scan(floor, MUG, reference=sent.number.lower())
    # then
    assert status_of(response) == "ok"
    assert received(sent, "MUG-RED") == 1


def test_the_last_units_complete_the_line_and_the_order(floor, sent, product, bin_a):
    # given
    scan(floor, BIN_A)
    scan(floor, sent.number)
    scan(floor, "2*96385074")
    # when
    response = scan(floor, f"10*{MUG}")
    # then
    assert "10 of 10 received, line complete" in message_of(response)
    sent.refresh_from_db()
    assert sent.status == PurchaseOrder.Status.RECEIVED


def test_a_product_not_on_the_po_is_refused(floor, sent, bin_a, snapshot):
    # given
    ProductFactory(sku="CUP", name="Cup", barcode="036000291452")
    scan(floor, BIN_A)
    scan(floor, sent.number)
    before = snapshot()
    # when
    response = scan(floor, "036000291452")
    # then
    assert status_of(response) == "error"
    assert message_of(response) == (
        f"Not on {sent.number}: Cup (CUP). Put it aside and tell the office."
    )
    assert snapshot() == before


def test_more_than_ordered_is_refused(floor, sent, product, bin_a, snapshot):
    # given
    scan(floor, BIN_A)
    scan(floor, sent.number)
    scan(floor, f"8*{MUG}")
    before = snapshot()
    # when
    response = scan(floor, f"3*{MUG}")
    # then
    assert status_of(response) == "error"
    assert "expects only 2 more of MUG-RED Red mug (10 ordered, 8 received)" in message_of(response)
    assert received(sent, "MUG-RED") == 8
    assert snapshot() == before


@pytest.mark.parametrize(
    ("state", "words"),
    [("draft", "is draft: it has not been sent"), ("cancelled", "is cancelled: nothing more")],
)
def test_a_po_that_cannot_be_received_is_refused_when_scanned(
    floor, warehouse_user, draft, manager_user, bin_a, state, words
):
    # given
    if state == "cancelled":
        services.purchase_order_cancel(purchase_order_id=draft.pk, user=manager_user)
    # when
    response = scan(floor, draft.number)
    # then
    assert status_of(response) == "error"
    assert words in message_of(response)
    assert screen(warehouse_user).reference == ""


def test_goods_against_a_typed_draft_po_are_refused(floor, draft, bin_a, snapshot):
    # given
    scan(floor, BIN_A, reference=draft.number)
    before = snapshot()
    # when
    response = scan(floor, MUG, reference=draft.number)
    # then
    assert status_of(response) == "error"
    assert "Send it to the supplier first" in message_of(response)
    assert snapshot() == before


def test_a_drop_ship_po_is_refused_when_scanned(floor, supplier, bin_a):
    # given
    sofa = ProductFactory(sku="SOFA", is_drop_ship=True, supplier=supplier)
    po = services.purchase_order_drop_ship(
        supplier=supplier, lines=[(sofa, 1)], ship_to="1 High St", customer_reference="SO-1"
    )
    # when
    response = scan(floor, po.number)
    # then
    assert status_of(response) == "error"
    assert "drop-ship" in message_of(response)


def test_undo_of_a_po_receipt_takes_it_off_the_po(floor, sent, product, bin_a):
    # given
    scan(floor, BIN_A)
    scan(floor, sent.number)
    scan(floor, f"4*{MUG}")
    # when
    response = floor.post(UNDO_URL, **HTMX)
    # then
    assert status_of(response) == "ok"
    assert received(sent, "MUG-RED") == 0
    assert on_hand(product, bin_a) == 0
    assert "0 of 10 received" in response.content.decode()


def test_the_page_shows_the_po_progress_after_a_reload(floor, sent, product, bin_a):
    # given
    scan(floor, BIN_A)
    scan(floor, sent.number)
    scan(floor, f"2*{MUG}")
    # when
    page = floor.get(PAGE_URL).content.decode()
    # then
    assert "2 of 10 received" in page and "0 of 2 received" in page


def test_receiving_on_the_screen_serves_a_waiting_order(
    floor, sent, product, bin_a, sales_user, django_capture_on_commit_callbacks
):
    # given an order waiting for 2 mugs
    order = order_services.order_create(
        customer=CustomerFactory(),
        user=sales_user,
        shipping_address=address_data(),
        lines=[{"sku": "MUG-RED", "quantity": 2}],
        place=True,
    )
    order = order_services.order_confirm(order_id=order.pk, user=sales_user)
    assert order.status == Order.Status.BACKORDERED
    scan(floor, BIN_A)
    scan(floor, sent.number)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        scan(floor, f"2*{MUG}")
    # then
    order.refresh_from_db()
    assert order.status == Order.Status.ALLOCATED
