"""The receive screen: scan a bin, scan goods, undo; with htmx and without JavaScript."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inventory import selectors, services
from inventory.models import StockLevel, StockMovement
from oms.errors import Conflict, NotAllowed
from tests.factories import ProductFactory, UserFactory

HTMX = {"HTTP_HX_REQUEST": "true"}
MUG = "4006381333931"
BIN_A = "BIN-MAIN-A-01-01"
SCAN_URL = reverse("inventory:receive_scan")
UNDO_URL = reverse("inventory:receive_undo")
PAGE_URL = reverse("inventory:receive")


def status_of(response) -> str:
    match = re.search(r'id="scan-answer"[^>]*data-scan-status="(\w+)"', response.content.decode())
    assert match, "the answer panel is missing"
    return match.group(1)


def message_of(response) -> str:
    match = re.search(r"data-scan-message>(.*?)</p>", response.content.decode(), re.S)
    assert match, "the answer message is missing"
    return html.unescape(match.group(1)).strip()


def scan(client, code, **fields):
    data = {"code": code, "entry": "scan", "quantity": "1", **fields}
    return client.post(SCAN_URL, data, **HTMX)


def screen(user) -> selectors.ScreenState:
    """Return where the user's receive screen stands, as the scan log says."""
    return selectors.scan_screen_state(user=user, screen="receive")


def on_hand(product, location) -> int:
    level = StockLevel.objects.filter(product=product, location=location).first()
    return level.on_hand if level else 0


@pytest.fixture
def floor(client, warehouse_user):
    """The warehouse user, logged in on the receive screen."""
    client.force_login(warehouse_user)
    return client


# --- who may use it ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [("get", PAGE_URL), ("post", SCAN_URL), ("post", UNDO_URL)],
)
def test_a_sales_user_is_refused_with_403_and_nothing_changes(
    client, sales_user, stocked, bin_a, snapshot, method, url
):
    # given
    client.force_login(sales_user)
    before = snapshot()
    # when
    response = getattr(client, method)(url, {"code": MUG}, **HTMX)
    # then
    assert response.status_code == 403
    assert snapshot() == before


def test_an_anonymous_visitor_is_sent_to_log_in(client, db):
    # given nobody logged in
    # when
    response = client.get(PAGE_URL)
    # then
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_a_manager_may_receive(client, manager_user, product, bin_a):
    # given
    client.force_login(manager_user)
    scan(client, BIN_A)
    # when
    response = scan(client, MUG)
    # then
    assert status_of(response) == "ok"
    assert on_hand(product, bin_a) == 1


def test_the_page_has_one_focused_scan_field_and_shows_the_shortcuts(floor, db):
    # given / when
    response = floor.get(PAGE_URL)
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert re.search(r"<input id=\"scan-code\"[^>]*data-scan-input[^>]*autofocus", body, re.S)
    assert 'hx-post="/inventory/receive/scan/"' in body
    assert "css/scan.css" in body
    assert "js/scanner.js" in body
    assert 'name="entry"' in body
    assert "F2" in body and "CMD-UNDO" in body and "CMD-DONE" in body


def test_getting_a_post_only_url_is_refused(floor, db):
    # given / when
    response = floor.get(SCAN_URL)
    # then
    assert response.status_code == 405


# --- bins and receipts ------------------------------------------------------------------------


def test_scanning_a_bin_label_makes_it_the_current_bin(floor, warehouse_user, bin_a, snapshot):
    # given
    before = snapshot()
    # when
    response = scan(floor, BIN_A)
    # then
    assert status_of(response) == "ok"
    assert 'data-current-bin="A-01-01"' in response.content.decode()
    assert screen(warehouse_user).location == bin_a
    assert snapshot() == before


def test_a_bare_bin_code_also_selects_the_bin(floor, warehouse_user, bin_a, bin_b):
    # given / when
    response = scan(floor, "a-01-02")
    # then
    assert status_of(response) == "ok"
    assert screen(warehouse_user).location == bin_b


def test_scanning_a_product_receives_one_into_the_current_bin(
    floor, warehouse_user, stocked, bin_a
):
    # given 10 red mugs in A-01-01
    scan(floor, BIN_A, reference="PO-000123")
    # when
    response = scan(floor, MUG, reference="PO-000123")
    # then
    assert status_of(response) == "ok"
    assert message_of(response) == "Received 1 × Red mug into A-01-01 (now 11)"
    assert on_hand(stocked, bin_a) == 11
    movement = StockMovement.objects.latest("pk")
    assert (movement.kind, movement.quantity, movement.user, movement.reference) == (
        StockMovement.Kind.RECEIPT,
        1,
        warehouse_user,
        "PO-000123",
    )


def test_the_quantity_field_receives_several_and_then_goes_back_to_one(
    floor, warehouse_user, product, bin_a
):
    # given
    scan(floor, BIN_A)
    # when
    response = scan(floor, MUG, quantity="6")
    # then
    assert message_of(response) == "Received 6 × Red mug into A-01-01 (now 6)"
    assert re.search(
        r'id="scan-quantity"[^>]*value="1"[^>]*hx-swap-oob="true"', response.content.decode()
    )
    assert screen(warehouse_user).quantity_field == "1"


def test_a_quantity_typed_before_the_code_is_received(floor, product, bin_a):
    # given
    scan(floor, BIN_A)
    # when
    response = scan(floor, f"4*{MUG}")
    # then
    assert status_of(response) == "ok"
    assert on_hand(product, bin_a) == 4


def test_a_product_found_by_sku_is_received(floor, product, bin_a):
    # given
    scan(floor, BIN_A)
    # when
    response = scan(floor, "mug-red")
    # then
    assert status_of(response) == "ok"
    assert on_hand(product, bin_a) == 1


def test_a_gs1_code_receives_the_product_and_logs_batch_and_expiry(floor, product, bin_a):
    # given a carton label: GTIN-14 of the mug, batch L7, use by 31 Dec 2045
    scan(floor, BIN_A)
    # when
    response = scan(floor, f"]C1010{MUG}10L7\x1d17451231")
    # then
    assert status_of(response) == "ok"
    assert on_hand(product, bin_a) == 1
    assert StockMovement.objects.latest("pk").reason == "batch L7, use by 2045-12-31"


def test_goods_past_their_use_by_date_are_received_in_amber(floor, product, bin_a):
    # given a carton whose use-by date has passed
    scan(floor, BIN_A)
    # when
    response = scan(floor, f"(01)0{MUG}(17)200131")
    # then
    assert status_of(response) == "warn"
    assert "use-by date 31 Jan 2020 has passed" in message_of(response)
    assert on_hand(product, bin_a) == 1


def test_a_typed_code_is_marked_in_the_ledger(floor, product, bin_a):
    # given
    scan(floor, BIN_A)
    # when
    scan(floor, MUG, entry="typed")
    # then
    assert StockMovement.objects.latest("pk").reason == "code typed by hand"


def test_scanning_a_purchase_order_sets_the_reference(floor, product, bin_a):
    # given
    scan(floor, BIN_A)
    # when
    response = scan(floor, "PO-000042")
    scan(floor, MUG, reference="PO-000042")
    # then
    assert status_of(response) == "ok"
    assert re.search(
        r'id="scan-reference"[^>]*value="PO-000042"[^>]*hx-swap-oob', response.content.decode()
    )
    assert StockMovement.objects.latest("pk").reference == "PO-000042"


def test_done_clears_the_bin_and_the_reference(floor, warehouse_user, bin_a):
    # given
    scan(floor, BIN_A, reference="DN-77")
    # when
    response = scan(floor, "CMD-DONE")
    # then
    assert status_of(response) == "ok"
    state = screen(warehouse_user)
    assert (state.location, state.reference) == (None, "")


# --- refusals: red, the reason in words, nothing written --------------------------------------


def test_a_product_before_any_bin_is_refused(floor, stocked, snapshot):
    # given no bin scanned yet
    before = snapshot()
    # when
    response = scan(floor, MUG)
    # then
    assert status_of(response) == "error"
    assert message_of(response) == "No bin yet: scan the bin label first, then Red mug."
    assert snapshot() == before


def test_an_unknown_code_is_refused(floor, stocked, bin_a, snapshot):
    # given
    scan(floor, BIN_A)
    before = snapshot()
    # when
    response = scan(floor, "NO-SUCH-THING")
    # then
    assert status_of(response) == "error"
    assert "Unknown code NO-SUCH-THING" in message_of(response)
    assert snapshot() == before


def test_an_unknown_bin_label_is_refused_and_the_current_bin_is_kept(
    floor, warehouse_user, bin_a, snapshot
):
    # given
    scan(floor, BIN_A)
    before = snapshot()
    # when
    response = scan(floor, "BIN-MAIN-Z-99-99")
    # then
    assert status_of(response) == "error"
    assert "Unknown bin BIN-MAIN-Z-99-99" in message_of(response)
    assert screen(warehouse_user).location == bin_a
    assert snapshot() == before


def test_a_misread_barcode_is_refused(floor, stocked, bin_a, snapshot):
    # given
    scan(floor, BIN_A)
    before = snapshot()
    # when
    response = scan(floor, "4006381333932")
    # then
    assert status_of(response) == "error"
    assert "check digit should be 1" in message_of(response)
    assert snapshot() == before


def test_an_inactive_product_is_refused(floor, bin_a, snapshot):
    # given
    ProductFactory(sku="OLD-1", name="Old mug", barcode="96385074", is_active=False)
    scan(floor, BIN_A)
    before = snapshot()
    # when
    response = scan(floor, "96385074")
    # then
    assert status_of(response) == "error"
    assert "deactivated" in message_of(response)
    assert snapshot() == before


def test_a_drop_ship_product_is_refused(floor, bin_a, snapshot):
    # given
    ProductFactory(sku="SOFA-1", name="Sofa", barcode="036000291452", is_drop_ship=True)
    scan(floor, BIN_A)
    before = snapshot()
    # when
    response = scan(floor, "036000291452")
    # then
    assert status_of(response) == "error"
    assert "drop-ship" in message_of(response)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("quantity", "message"),
    [("0", "at least 1"), ("-3", "at least 1"), ("two", "whole number"), ("2.5", "whole number")],
)
def test_a_bad_quantity_is_refused_and_kept_on_screen(
    floor, stocked, bin_a, snapshot, quantity, message
):
    # given
    scan(floor, BIN_A)
    before = snapshot()
    # when
    response = scan(floor, MUG, quantity=quantity)
    # then
    assert status_of(response) == "error"
    assert message in message_of(response)
    assert "hx-swap-oob" not in response.content.decode()  # the typed quantity stays
    assert snapshot() == before


def test_a_closed_bin_is_refused(floor, warehouse_user, warehouse, snapshot):
    # given
    from tests.factories import LocationFactory

    LocationFactory(warehouse=warehouse, code="C-01-01", is_active=False)
    before = snapshot()
    # when
    response = scan(floor, "BIN-MAIN-C-01-01")
    # then
    assert status_of(response) == "error"
    assert "closed" in message_of(response)
    assert screen(warehouse_user).location is None
    assert snapshot() == before


@pytest.mark.parametrize(
    ("code", "words"),
    [("CMD-SHORT", "not used on the receive screen"), ("SO-000001", "document number")],
)
def test_scans_that_do_not_belong_here_are_refused(floor, bin_a, snapshot, code, words):
    # given
    scan(floor, BIN_A)
    before = snapshot()
    # when
    response = scan(floor, code)
    # then
    assert status_of(response) == "error"
    assert words in message_of(response)
    assert snapshot() == before


# --- without JavaScript, and after a reload ---------------------------------------------------


def test_without_javascript_a_scan_redirects_and_the_page_shows_the_answer(floor, stocked, bin_a):
    # given a plain form post (no htmx)
    floor.post(SCAN_URL, {"code": BIN_A, "quantity": "1", "reference": "DN-5"})
    # when
    response = floor.post(SCAN_URL, {"code": MUG, "quantity": "2", "reference": "DN-5"})
    page = floor.get(PAGE_URL)
    # then
    assert response.status_code == 302
    assert response["Location"] == PAGE_URL
    assert status_of(page) == "ok"
    assert message_of(page) == "Received 2 × Red mug into A-01-01 (now 12)"
    assert on_hand(stocked, bin_a) == 12


def test_a_reload_resumes_with_the_bin_reference_and_last_scans(floor, product, bin_a):
    # given
    scan(floor, BIN_A, reference="PO-000777")
    scan(floor, MUG, reference="PO-000777")
    # when
    page = floor.get(PAGE_URL).content.decode()
    # then
    assert 'data-current-bin="A-01-01"' in page
    assert re.search(r'id="scan-reference"[^>]*value="PO-000777"', page)
    assert "data-current-reference>PO-000777<" in page
    assert "Red mug" in page


def test_the_last_scans_are_the_users_own(floor, product, bin_a):
    # given another user received into the same bin
    other = UserFactory(username="otto", roles=["Warehouse"])
    other_product = ProductFactory(name="Blue bowl")
    services.stock_receive(product=other_product, location=bin_a, quantity=1, user=other)
    # when
    page = floor.get(PAGE_URL).content.decode()
    # then
    assert "Blue bowl" not in page


def test_the_last_scans_cost_the_same_queries_for_one_or_ten_rows(floor, warehouse_user, bin_a):
    # given
    def page_queries():
        with CaptureQueriesContext(connection) as queries:
            assert floor.get(PAGE_URL).status_code == 200
        return len(queries)

    scan(floor, BIN_A)
    scan(floor, ProductFactory().barcode)
    one = page_queries()
    for _ in range(12):
        scan(floor, ProductFactory().barcode)
    # when
    many = page_queries()
    # then
    assert many == one
    assert many <= 12
    assert floor.get(PAGE_URL).content.decode().count("<tr>") == 1 + 10  # header and 10 rows


# --- undo -------------------------------------------------------------------------------------


def test_undo_reverses_the_last_receipt_in_the_ledger(floor, warehouse_user, stocked, bin_a):
    # given
    scan(floor, BIN_A, reference="PO-9")
    scan(floor, f"3*{MUG}", reference="PO-9")
    # when
    response = floor.post(UNDO_URL, **HTMX)
    # then
    assert status_of(response) == "ok"
    assert message_of(response) == "Undone: 3 × Red mug taken back out of A-01-01 (now 10)."
    assert on_hand(stocked, bin_a) == 10
    undo = StockMovement.objects.latest("pk")
    assert (undo.kind, undo.quantity, undo.reference, undo.user) == (
        StockMovement.Kind.ADJUSTMENT,
        -3,
        "UNDO PO-9",
        warehouse_user,
    )
    assert "Undone" in response.content.decode()


def test_undo_twice_walks_back_two_receipts(floor, product, bin_a, bin_b):
    # given one mug into A-01-01, then two into A-01-02
    scan(floor, BIN_A)
    scan(floor, MUG)
    scan(floor, "BIN-MAIN-A-01-02")
    scan(floor, f"2*{MUG}")
    # when
    floor.post(UNDO_URL, **HTMX)
    response = floor.post(UNDO_URL, **HTMX)
    # then
    assert status_of(response) == "ok"
    assert (on_hand(product, bin_a), on_hand(product, bin_b)) == (0, 0)


def test_the_undo_scan_command_undoes_too(floor, product, bin_a):
    # given
    scan(floor, BIN_A)
    scan(floor, MUG)
    # when
    response = scan(floor, "CMD-UNDO")
    # then
    assert status_of(response) == "ok"
    assert on_hand(product, bin_a) == 0


def test_undo_without_javascript_redirects(floor, product, bin_a):
    # given
    scan(floor, BIN_A)
    scan(floor, MUG)
    # when
    response = floor.post(UNDO_URL)
    # then
    assert response.status_code == 302
    assert on_hand(product, bin_a) == 0
    assert "Undone" in message_of(floor.get(PAGE_URL))


def test_undo_with_nothing_to_undo_is_refused(floor, stocked, snapshot):
    # given only a receipt by someone else (the fixture's system receipt)
    before = snapshot()
    # when
    response = floor.post(UNDO_URL, **HTMX)
    # then
    assert status_of(response) == "error"
    assert "Nothing to undo" in message_of(response)
    assert snapshot() == before


def test_undo_is_refused_when_the_goods_are_promised_to_orders(floor, product, bin_a, snapshot):
    # given 5 received and all 5 allocated to an order
    scan(floor, BIN_A)
    scan(floor, f"5*{MUG}")
    services.stock_allocate(product=product, quantity=5)
    before = snapshot()
    # when
    response = floor.post(UNDO_URL, **HTMX)
    # then
    assert status_of(response) == "error"
    assert "Cannot undo the receipt of Red mug (5): only 0 still free in A-01-01" in message_of(
        response
    )
    assert snapshot() == before


def test_a_receipt_cannot_be_undone_twice(warehouse_user, product, bin_a, snapshot):
    # given
    receipt = services.stock_receive(
        product=product, location=bin_a, quantity=2, user=warehouse_user, reference="PO-1"
    )
    services.stock_receipt_undo(movement=receipt, user=warehouse_user)
    before = snapshot()
    # when / then
    with pytest.raises(Conflict, match="already undone"):
        services.stock_receipt_undo(movement=receipt, user=warehouse_user)
    assert snapshot() == before


def test_someone_elses_receipt_cannot_be_undone_by_warehouse_staff(
    warehouse_user, product, bin_a, snapshot
):
    # given
    other = UserFactory(username="otto", roles=["Warehouse"])
    receipt = services.stock_receive(product=product, location=bin_a, quantity=2, user=other)
    before = snapshot()
    # when / then
    with pytest.raises(NotAllowed):
        services.stock_receipt_undo(movement=receipt, user=warehouse_user)
    assert snapshot() == before


def test_only_a_receipt_can_be_undone(warehouse_user, stocked, bin_a, snapshot):
    # given a count movement
    counted = services.stock_adjust(
        product=stocked, location=bin_a, counted=9, user=warehouse_user, is_count=True
    )
    before = snapshot()
    # when / then
    with pytest.raises(Conflict, match="Only a receipt"):
        services.stock_receipt_undo(movement=counted, user=warehouse_user)
    assert snapshot() == before
