"""Receive scans as services: the scan log they write and the screen read back from it."""

import pytest
from django.test import Client

from inventory import services
from inventory.models import (
    CountSession,
    PurchaseOrderLine,
    PurchaseOrderReceipt,
    StockMovement,
    StockScan,
)
from oms.errors import Conflict, InvalidInput, NotAllowed, NotFound
from tests.factories import LocationFactory, ProductFactory, SupplierFactory
from tests.inventory.test_receive_screen import (
    BIN_A,
    HTMX,
    MUG,
    PAGE_URL,
    SCAN_URL,
    UNDO_URL,
    message_of,
    on_hand,
    scan,
    screen,
    status_of,
)


def everything_else():
    """Return what a refused scan must leave as it was, besides the stock and the log."""
    return (
        sorted(PurchaseOrderLine.objects.values_list("pk", "quantity_received")),
        PurchaseOrderReceipt.objects.count(),
        sorted(CountSession.objects.values_list("pk", "status")),
    )


def log():
    return list(StockScan.objects.order_by("pk"))


@pytest.fixture
def floor(client, warehouse_user):
    client.force_login(warehouse_user)
    return client


@pytest.fixture
def sent(product, warehouse, manager_user):
    """A purchase order sent to Acme for 10 red mugs."""
    supplier = SupplierFactory(code="ACME", name="Acme Mugs")
    draft = services.purchase_order_create(
        supplier=supplier, warehouse=warehouse, lines=[(product, 10)], user=manager_user
    )
    return services.purchase_order_send(purchase_order_id=draft.pk, user=manager_user)


# --- the log ----------------------------------------------------------------------------------


def test_each_scan_is_one_row_holding_the_screen_after_it(warehouse_user, product, bin_a):
    # given
    services.receive_scan(user=warehouse_user, code=BIN_A, reference="DN-7", entry="scan")
    # when
    answer = services.receive_scan(
        user=warehouse_user, code=f"3*{MUG}", reference="DN-7", quantity="1", entry="scan"
    )
    # then
    first, second = log()
    assert (first.action, first.location, first.reference, first.result) == (
        StockScan.Action.BIN,
        bin_a,
        "DN-7",
        StockScan.Result.ACCEPTED,
    )
    assert (second.action, second.product, second.quantity, second.code, second.entry) == (
        StockScan.Action.RECEIVE,
        product,
        3,
        MUG,
        StockScan.Entry.SCAN,
    )
    assert second.data == {"quantity_field": "1", "raw": f"3*{MUG}"}
    assert second.movement == StockMovement.objects.get(kind="receipt")
    assert answer.event == second
    assert answer.message == "Received 3 × Red mug into A-01-01 (now 3)"


def test_a_receipt_against_a_purchase_order_names_it_in_the_log(warehouse_user, sent, bin_a):
    # given
    services.receive_scan(user=warehouse_user, code=BIN_A)
    services.receive_scan(user=warehouse_user, code=sent.number)
    # when
    services.receive_scan(user=warehouse_user, code=f"2*{MUG}")
    # then
    receipt = StockScan.objects.latest("pk")
    assert (receipt.purchase_order, receipt.reference, receipt.quantity) == (sent, sent.number, 2)
    assert receipt.movement.purchase_receipt.line.quantity_received == 2


@pytest.mark.parametrize(
    ("code", "error", "words"),
    [
        ("NO-SUCH-THING", NotFound, "Unknown code NO-SUCH-THING"),
        ("BIN-MAIN-C-01-01", Conflict, "Bin C-01-01 is closed: choose another bin."),
        ("036000291452", Conflict, "Not on PO-"),
    ],
    ids=["unknown-code", "closed-bin", "not-on-the-po"],
)
def test_a_refused_scan_is_logged_as_refused_and_nothing_else_is_written(
    warehouse_user, sent, bin_a, warehouse, snapshot, code, error, words
):
    # given a closed bin, a cup that is not on the purchase order, and the screen on A-01-01
    LocationFactory(warehouse=warehouse, code="C-01-01", is_active=False)
    ProductFactory(sku="CUP", name="Cup", barcode="036000291452")
    services.receive_scan(user=warehouse_user, code=BIN_A)
    services.receive_scan(user=warehouse_user, code=sent.number)
    before, others, rows = snapshot(), everything_else(), log()
    # when
    with pytest.raises(error, match=words):
        services.receive_scan(user=warehouse_user, code=code, quantity="4", entry="scan")
    # then
    assert (snapshot(), everything_else()) == (before, others)
    *old, refused = log()
    assert old == rows
    assert (refused.result, refused.status, refused.code, refused.user) == (
        StockScan.Result.REFUSED,
        "error",
        code,
        warehouse_user,
    )
    assert words in refused.message
    assert (refused.location, refused.reference, refused.movement) == (bin_a, sent.number, None)
    assert refused.quantity_field == "4"  # what was typed stays in the field


def test_a_refusal_by_a_service_below_is_logged_with_its_words(warehouse_user, bin_a, snapshot):
    # given a drop-ship product, which is never stocked
    ProductFactory(sku="SOFA", barcode="036000291452", is_drop_ship=True)
    services.receive_scan(user=warehouse_user, code=BIN_A)
    before = snapshot()
    # when
    with pytest.raises(Conflict, match="drop-ship") as refused:
        services.receive_scan(user=warehouse_user, code="036000291452")
    # then
    assert snapshot() == before
    assert refused.value.scan_event == StockScan.objects.latest("pk")
    assert refused.value.scan_event.message == refused.value.message


def test_an_unreadable_code_is_refused_and_logged_as_scanned(warehouse_user, bin_a, snapshot):
    # given
    services.receive_scan(user=warehouse_user, code=BIN_A)
    before = snapshot()
    # when
    with pytest.raises(InvalidInput, match="check digit"):
        services.receive_scan(user=warehouse_user, code="4006381333932")
    # then
    assert snapshot() == before
    assert StockScan.objects.latest("pk").code == "4006381333932"


@pytest.mark.parametrize("service", ["receive_scan", "count_scan"])
def test_a_long_typed_quantity_is_judged_whole_and_kept_bounded(
    warehouse_user, product, bin_a, snapshot, service
):
    # given the bin scanned, and a quantity whose first 20 characters alone would read as 5
    getattr(services, service)(user=warehouse_user, code=BIN_A)
    typed = "5" + " " * 25 + "x"
    before, rows = snapshot(), StockScan.objects.count()
    # when
    with pytest.raises(InvalidInput, match="whole number"):
        getattr(services, service)(user=warehouse_user, code=MUG, quantity=typed)
    # then
    assert snapshot() == before
    refused = StockScan.objects.latest("pk")
    assert StockScan.objects.count() == rows + 1
    assert (refused.result, refused.quantity_field) == ("refused", typed[:20])


def test_someone_without_the_receive_role_is_refused_and_logged(sales_user, bin_a, snapshot):
    # given
    before = snapshot()
    # when
    with pytest.raises(NotAllowed, match="Only warehouse staff and managers receive stock"):
        services.receive_scan(user=sales_user, code=BIN_A)
    # then
    assert snapshot() == before
    assert StockScan.objects.get().result == StockScan.Result.REFUSED


# --- resume: a reload, a new login, another device --------------------------------------------


def test_a_new_login_resumes_the_bin_the_reference_and_the_last_answer(
    client, warehouse_user, stocked, bin_a
):
    # given a receipt, then the user logs out (the session is gone)
    client.force_login(warehouse_user)
    scan(client, BIN_A, reference="DN-77")
    scan(client, f"2*{MUG}", reference="DN-77")
    client.logout()
    # when the user logs in again
    client.force_login(warehouse_user)
    page = client.get(PAGE_URL)
    # then
    body = page.content.decode()
    assert 'data-current-bin="A-01-01"' in body
    assert "data-current-reference>DN-77<" in body
    assert status_of(page) == "ok"
    assert message_of(page) == "Received 2 × Red mug into A-01-01 (now 12)"


def test_a_refusal_is_the_last_answer_after_a_reload(floor, bin_a):
    # given
    scan(floor, BIN_A)
    scan(floor, "NO-SUCH-THING")
    # when
    page = floor.get(PAGE_URL)
    # then
    assert status_of(page) == "error"
    assert "Unknown code NO-SUCH-THING" in message_of(page)
    assert "Scanned: <code>NO-SUCH-THING</code>" in page.content.decode()


def test_another_device_of_the_same_user_carries_on_where_the_first_left(
    floor, warehouse_user, product, bin_a
):
    # given the bin scanned on one device
    scan(floor, BIN_A, reference="DN-5")
    tablet = Client()
    tablet.force_login(warehouse_user)
    # when the goods are scanned on the other
    response = tablet.post(SCAN_URL, {"code": MUG, "quantity": "1", "entry": "scan"}, **HTMX)
    # then
    assert message_of(response) == "Received 1 × Red mug into A-01-01 (now 1)"
    assert StockMovement.objects.get().reference == "DN-5"
    assert 'data-current-bin="A-01-01"' in floor.get(PAGE_URL).content.decode()


def test_undo_after_a_new_login_takes_back_the_last_receipt(client, warehouse_user, stocked, bin_a):
    # given three mugs received, then a new login
    client.force_login(warehouse_user)
    scan(client, BIN_A)
    scan(client, f"3*{MUG}")
    client.logout()
    client.force_login(warehouse_user)
    # when
    response = client.post(UNDO_URL, **HTMX)
    # then
    assert status_of(response) == "ok"
    assert message_of(response) == "Undone: 3 × Red mug taken back out of A-01-01 (now 10)."
    assert on_hand(stocked, bin_a) == 10
    undo = StockScan.objects.latest("pk")
    receipt = StockScan.objects.get(action=StockScan.Action.RECEIVE)
    assert (undo.action, undo.undoes, undo.quantity, undo.entry) == (
        StockScan.Action.UNDO,
        receipt,
        -3,
        StockScan.Entry.BUTTON,
    )
    assert undo.movement.quantity == -3
    assert screen(warehouse_user).location == bin_a  # the undo leaves the screen on its bin


def test_undo_skips_receipts_already_taken_back(floor, warehouse_user, product, bin_a):
    # given two receipts, the second one undone
    scan(floor, BIN_A)
    scan(floor, MUG)
    scan(floor, f"2*{MUG}")
    floor.post(UNDO_URL, **HTMX)
    # when
    response = floor.post(UNDO_URL, **HTMX)
    # then
    assert message_of(response) == "Undone: 1 × Red mug taken back out of A-01-01 (now 0)."
    assert on_hand(product, bin_a) == 0


def test_a_receipt_outside_the_screen_is_not_the_screens_to_undo(
    floor, warehouse_user, product, bin_a, snapshot
):
    # given a receipt booked through the API by the same user
    services.stock_receive(product=product, location=bin_a, quantity=2, user=warehouse_user)
    before = snapshot()
    # when
    response = floor.post(UNDO_URL, **HTMX)
    # then
    assert status_of(response) == "error"
    assert "Nothing to undo" in message_of(response)
    assert snapshot() == before


# --- queries stay flat as the log grows -------------------------------------------------------


def grow_log(user, bin_code: str, scans: int) -> None:
    """Add receipts of new products, refusals and bin scans to the user's receive log."""
    for _ in range(scans):
        services.receive_scan(user=user, code=bin_code, reference="DN-1")
        services.receive_scan(user=user, code=ProductFactory().barcode)
        with pytest.raises(NotFound):
            services.receive_scan(user=user, code="NO-SUCH-THING")


def test_the_receive_page_costs_the_same_queries_however_long_the_log(
    floor, warehouse_user, sent, bin_a, django_assert_max_num_queries
):
    # given a screen against a purchase order with a short log, measured
    grow_log(warehouse_user, BIN_A, 1)
    services.receive_scan(user=warehouse_user, code=sent.number)
    services.receive_scan(user=warehouse_user, code=MUG)
    with django_assert_max_num_queries(12) as small:
        assert floor.get(PAGE_URL).status_code == 200
    # when the log grows tenfold (receipts, refusals and bins)
    grow_log(warehouse_user, BIN_A, 15)
    services.receive_scan(user=warehouse_user, code=sent.number)
    # then
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = floor.get(PAGE_URL)
    assert f'data-purchase-order="{sent.number}"' in page.content.decode()


def test_a_receive_scan_costs_the_same_queries_however_long_the_log(
    floor, warehouse_user, product, bin_a, django_assert_max_num_queries
):
    # given
    scan(floor, BIN_A)
    grow_log(warehouse_user, BIN_A, 1)
    with django_assert_max_num_queries(40) as small:
        scan(floor, MUG)
    # when
    grow_log(warehouse_user, BIN_A, 15)
    # then
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert status_of(scan(floor, MUG)) == "ok"
