"""The count screen: a blind count of one bin at a time, finished in one transaction."""

import html
import re

import pytest
from django.urls import reverse

from inventory import services
from inventory.models import CountSession, StockLevel, StockMovement, StockScan
from tests.factories import ProductFactory

HTMX = {"HTTP_HX_REQUEST": "true"}
MUG = "4006381333931"
BIN_A = "BIN-MAIN-A-01-01"
PAGE_URL = reverse("inventory:count")
SCAN_URL = reverse("inventory:count_scan")
FINISH_URL = reverse("inventory:count_finish")
UNDO_URL = reverse("inventory:count_undo")


def status_of(response) -> str:
    match = re.search(r'id="scan-answer"[^>]*data-scan-status="(\w+)"', response.content.decode())
    assert match, "the answer panel is missing"
    return match.group(1)


def message_of(response) -> str:
    match = re.search(r"data-scan-message>(.*?)</p>", response.content.decode(), re.S)
    assert match, "the answer message is missing"
    return html.unescape(match.group(1)).strip()


def scan(client, code, **fields):
    return client.post(SCAN_URL, {"code": code, "entry": "scan", "quantity": "1", **fields}, **HTMX)


def on_hand(product, location) -> int:
    level = StockLevel.objects.filter(product=product, location=location).first()
    return level.on_hand if level else 0


def tally(user) -> list:
    """Return the scans on the user's open count that were not undone, oldest first."""
    return [
        [row.product_id, row.quantity]
        for row in StockScan.objects.filter(
            count_session__user=user,
            count_session__status=CountSession.Status.OPEN,
            action=StockScan.Action.COUNT,
            result=StockScan.Result.ACCEPTED,
            undone_by__isnull=True,
        ).order_by("pk")
    ]


def counting(user):
    """Return the bin the user is counting, or None."""
    session = CountSession.objects.filter(user=user, status=CountSession.Status.OPEN).first()
    return session.location if session else None


def quantity_field(user) -> str:
    """Return what the user's count screen has in its quantity field."""
    return StockScan.objects.filter(user=user, screen="count").latest("pk").quantity_field


@pytest.fixture
def floor(client, warehouse_user):
    client.force_login(warehouse_user)
    return client


@pytest.fixture
def mugs(product, bin_a):
    """37 red mugs on record in A-01-01 (a number that appears nowhere else on the page)."""
    services.stock_receive(product=product, location=bin_a, quantity=37, reference="PO-1")
    return product


@pytest.fixture
def bowls(bin_a):
    """A second product with 4 on record in A-01-01."""
    bowl = ProductFactory(sku="BOWL-BLUE", name="Blue bowl", barcode="96385074")
    services.stock_receive(product=bowl, location=bin_a, quantity=4)
    return bowl


# --- who may use it ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [("get", PAGE_URL), ("post", SCAN_URL), ("post", FINISH_URL), ("post", UNDO_URL)],
)
def test_a_sales_user_is_refused_with_403_and_nothing_changes(
    client, sales_user, mugs, snapshot, method, url
):
    # given
    client.force_login(sales_user)
    before = snapshot()
    # when
    response = getattr(client, method)(url, {"code": BIN_A}, **HTMX)
    # then
    assert response.status_code == 403
    assert snapshot() == before


def test_the_page_has_the_scan_field_finish_and_undo_with_their_keys(floor, db):
    # given / when
    body = floor.get(PAGE_URL).content.decode()
    # then
    assert re.search(r"<input id=\"scan-code\"[^>]*data-scan-input[^>]*autofocus", body, re.S)
    assert 'data-scan-key="F4"' in body and "Finish bin" in body
    assert 'data-scan-key="F2"' in body
    assert "CMD-DONE" in body and "CMD-UNDO" in body
    assert "js/scanner.js" in body and "css/scan.css" in body


# --- scanning a bin and its items -------------------------------------------------------------


def test_scanning_a_bin_starts_a_count_of_it(floor, warehouse_user, mugs, bin_a, snapshot):
    # given
    before = snapshot()
    # when
    response = scan(floor, BIN_A)
    # then
    assert status_of(response) == "ok"
    assert 'data-current-bin="A-01-01"' in response.content.decode()
    assert counting(warehouse_user) == bin_a
    assert snapshot() == before


def test_each_product_scan_adds_one_and_expected_stock_stays_hidden(floor, mugs, snapshot):
    # given
    scan(floor, BIN_A)
    before = snapshot()
    # when
    scan(floor, MUG)
    response = scan(floor, MUG)
    # then
    body = response.content.decode()
    assert status_of(response) == "ok"
    assert message_of(response) == "Counted 1 × Red mug (2 so far in A-01-01)"
    assert re.search(
        r'data-tally-sku="MUG-RED">.*?<td class="text-end num fw-semibold">2</td>', body, re.S
    )
    assert "37" not in body  # a blind count: the expected quantity is not shown
    assert "Expected" not in body
    assert snapshot() == before  # nothing is written until the bin is finished


def test_a_typed_quantity_or_prefix_adds_that_many(floor, warehouse_user, mugs):
    # given
    scan(floor, BIN_A)
    # when
    scan(floor, MUG, quantity="12")
    response = scan(floor, f"5*{MUG}")
    # then
    assert message_of(response) == "Counted 5 × Red mug (17 so far in A-01-01)"
    assert quantity_field(warehouse_user) == "1"


def test_a_reload_resumes_the_tally(floor, mugs):
    # given
    scan(floor, BIN_A)
    scan(floor, f"3*{MUG}")
    # when
    page = floor.get(PAGE_URL).content.decode()
    # then
    assert 'data-current-bin="A-01-01"' in page
    assert "data-items-counted>3<" in page
    assert "Red mug" in page


def test_without_javascript_scans_redirect_and_the_page_shows_the_tally(floor, mugs):
    # given plain form posts
    floor.post(SCAN_URL, {"code": BIN_A})
    # when
    response = floor.post(SCAN_URL, {"code": MUG, "quantity": "2"})
    page = floor.get(PAGE_URL)
    # then
    assert response.status_code == 302
    assert response["Location"] == PAGE_URL
    assert message_of(page) == "Counted 2 × Red mug (2 so far in A-01-01)"


# --- refusals ---------------------------------------------------------------------------------


def test_a_product_before_any_bin_is_refused(floor, warehouse_user, mugs, snapshot):
    # given
    before = snapshot()
    # when
    response = scan(floor, MUG)
    # then
    assert status_of(response) == "error"
    assert "scan the bin label first" in message_of(response)
    assert tally(warehouse_user) == []
    assert snapshot() == before


@pytest.mark.parametrize(
    ("code", "quantity", "words"),
    [
        ("NOPE-42", "1", "Unknown code NOPE-42"),
        ("4006381333932", "1", "check digit"),
        (MUG, "0", "at least 1"),
        (MUG, "lots", "whole number"),
        ("CMD-NEW-PARCEL", "1", "not used on the count screen"),
    ],
)
def test_bad_scans_are_refused_and_the_tally_is_unchanged(
    floor, warehouse_user, mugs, snapshot, code, quantity, words
):
    # given one mug counted
    scan(floor, BIN_A)
    scan(floor, MUG)
    before = snapshot()
    # when
    response = scan(floor, code, quantity=quantity)
    # then
    assert status_of(response) == "error"
    assert words in message_of(response)
    assert len(tally(warehouse_user)) == 1
    assert snapshot() == before


def test_another_bin_cannot_be_started_while_a_count_is_open(
    floor, warehouse_user, mugs, bin_a, bin_b
):
    # given
    scan(floor, BIN_A)
    scan(floor, MUG)
    # when
    response = scan(floor, "BIN-MAIN-A-01-02")
    # then
    assert status_of(response) == "error"
    assert message_of(response).startswith("Finish bin A-01-01 first")
    assert counting(warehouse_user) == bin_a


def test_finishing_without_a_bin_is_refused(floor, mugs, snapshot):
    # given
    before = snapshot()
    # when
    response = floor.post(FINISH_URL, **HTMX)
    # then
    assert status_of(response) == "error"
    assert "Scan a bin first" in message_of(response)
    assert snapshot() == before


# --- undo and discard -------------------------------------------------------------------------


def test_undo_takes_the_last_scan_off_the_tally(floor, warehouse_user, mugs, bowls, snapshot):
    # given a mug then a bowl
    scan(floor, BIN_A)
    scan(floor, MUG)
    scan(floor, "96385074")
    before = snapshot()
    # when
    response = floor.post(UNDO_URL, **HTMX)
    # then
    assert status_of(response) == "ok"
    assert message_of(response) == "Undone: 1 × Blue bowl taken off the count (0 left in A-01-01)."
    assert tally(warehouse_user) == [[mugs.pk, 1]]
    assert snapshot() == before


def test_the_undo_scan_command_undoes_too(floor, warehouse_user, mugs):
    # given
    scan(floor, BIN_A)
    scan(floor, f"2*{MUG}")
    scan(floor, MUG)
    # when
    scan(floor, "CMD-UNDO")
    # then
    assert tally(warehouse_user) == [[mugs.pk, 2]]


def test_undo_with_an_empty_tally_is_refused(floor, mugs):
    # given
    scan(floor, BIN_A)
    # when
    response = floor.post(UNDO_URL, **HTMX)
    # then
    assert status_of(response) == "error"
    assert "Nothing to undo" in message_of(response)


def test_cancel_discards_the_count_and_writes_nothing(floor, warehouse_user, mugs, snapshot):
    # given
    scan(floor, BIN_A)
    scan(floor, MUG)
    before = snapshot()
    # when
    response = scan(floor, "CMD-CANCEL")
    # then
    assert status_of(response) == "warn"
    assert counting(warehouse_user) is None
    assert tally(warehouse_user) == []
    assert snapshot() == before


# --- finishing --------------------------------------------------------------------------------


def test_finishing_writes_the_count_and_shows_the_differences(floor, warehouse_user, mugs, bin_a):
    # given 37 on record, 35 counted
    scan(floor, BIN_A)
    scan(floor, f"30*{MUG}")
    scan(floor, f"5*{MUG}")
    # when
    response = floor.post(FINISH_URL, **HTMX)
    # then
    body = response.content.decode()
    assert status_of(response) == "warn"
    assert message_of(response) == "Bin A-01-01 counted. 1 difference found."
    assert on_hand(mugs, bin_a) == 35
    movement = StockMovement.objects.latest("pk")
    assert (movement.kind, movement.quantity, movement.user) == (
        StockMovement.Kind.COUNT,
        -2,
        warehouse_user,
    )
    row = re.search(r'data-result-sku="MUG-RED">(.*?)</tr>', body, re.S).group(1)
    assert re.findall(r'num[^"]*">(?:<span[^>]*>[^<]*</span> )?([^<]+)</td>', row) == [
        "37",
        "35",
        "-2",
    ]
    assert (counting(warehouse_user), tally(warehouse_user)) == (None, [])


def test_a_matching_count_is_green_and_writes_no_movement(floor, mugs, bin_a):
    # given
    scan(floor, BIN_A)
    scan(floor, f"37*{MUG}")
    ledger = StockMovement.objects.count()
    # when
    response = scan(floor, "CMD-DONE")
    # then
    assert status_of(response) == "ok"
    assert "Everything scanned matches" in message_of(response)
    assert StockMovement.objects.count() == ledger
    assert StockLevel.objects.get(product=mugs, location=bin_a).last_counted_at is not None


def test_finishing_without_javascript_redirects_to_the_result(floor, mugs, bin_a):
    # given
    floor.post(SCAN_URL, {"code": BIN_A})
    floor.post(SCAN_URL, {"code": MUG, "quantity": "40"})
    # when
    response = floor.post(FINISH_URL)
    page = floor.get(PAGE_URL).content.decode()
    # then
    assert response.status_code == 302
    assert on_hand(mugs, bin_a) == 40
    assert 'data-result-sku="MUG-RED"' in page


def test_a_count_below_what_is_allocated_is_refused_and_nothing_is_written(
    floor, warehouse_user, mugs, bowls, bin_a, snapshot
):
    # given 3 of the 4 bowls promised to an order
    services.stock_allocate(product=bowls, quantity=3)
    scan(floor, BIN_A)
    scan(floor, f"30*{MUG}")  # would change the mugs from 37 to 30
    scan(floor, "96385074")  # only 1 bowl found, 3 are promised
    before = snapshot()
    # when
    response = floor.post(FINISH_URL, **HTMX)
    # then
    assert status_of(response) == "error"
    assert message_of(response).startswith(
        "Nothing was saved. Cannot set BOWL-BLUE in MAIN/A-01-01 to 1"
    )
    assert snapshot() == before
    assert on_hand(mugs, bin_a) == 37
    assert len(tally(warehouse_user)) == 2  # the tally is kept to recount or undo


def test_products_not_scanned_are_listed_with_an_unticked_zero_box(floor, mugs, bowls, bin_a):
    # given only the mugs scanned
    scan(floor, BIN_A)
    scan(floor, f"37*{MUG}")
    # when
    response = floor.post(FINISH_URL, **HTMX)
    # then
    body = response.content.decode()
    assert status_of(response) == "warn"
    assert "1 product with stock here was not scanned" in message_of(response)
    box = re.search(r'<input[^>]*name="zero"[^>]*>', body).group(0)
    assert f'value="{bowls.pk}"' in box
    assert "checked" not in box
    assert "Count as zero" in body
    assert on_hand(bowls, bin_a) == 4  # untouched unless ticked


def test_ticked_products_are_counted_as_zero(client, manager_user, mugs, bowls, bin_a):
    # given a manager (whose counts are booked at once) finished the bin without the bowls
    client.force_login(manager_user)
    scan(client, BIN_A)
    scan(client, f"37*{MUG}")
    client.post(FINISH_URL, **HTMX)
    # when
    response = client.post(FINISH_URL, {"step": "zero", "zero": [str(bowls.pk)]}, **HTMX)
    # then
    assert status_of(response) == "warn"
    assert message_of(response) == "Counted as zero in A-01-01: Blue bowl (was 4)."
    assert on_hand(bowls, bin_a) == 0
    movement = StockMovement.objects.latest("pk")
    assert (movement.kind, movement.quantity, movement.user) == (
        StockMovement.Kind.COUNT,
        -4,
        manager_user,
    )
    assert 'name="zero"' not in response.content.decode()


def test_nothing_ticked_changes_nothing(floor, mugs, bowls, snapshot):
    # given
    scan(floor, BIN_A)
    scan(floor, f"37*{MUG}")
    floor.post(FINISH_URL, **HTMX)
    before = snapshot()
    # when
    response = floor.post(FINISH_URL, {"step": "zero"}, **HTMX)
    # then
    assert status_of(response) == "info"
    assert snapshot() == before


def test_only_products_listed_as_not_scanned_can_be_zeroed(floor, mugs, bowls, snapshot):
    # given the bin finished without the bowls
    scan(floor, BIN_A)
    scan(floor, f"37*{MUG}")
    floor.post(FINISH_URL, **HTMX)
    before = snapshot()
    # when the mugs (which were counted) are sent as zero
    response = floor.post(FINISH_URL, {"step": "zero", "zero": [str(mugs.pk), "x"]}, **HTMX)
    # then
    assert status_of(response) == "info"
    assert snapshot() == before


def test_zeroing_stock_promised_to_orders_is_refused(floor, mugs, bowls, bin_a, snapshot):
    # given 2 bowls promised, and the bowls not scanned
    services.stock_allocate(product=bowls, quantity=2)
    scan(floor, BIN_A)
    scan(floor, f"37*{MUG}")
    floor.post(FINISH_URL, **HTMX)
    before = snapshot()
    # when
    response = floor.post(FINISH_URL, {"step": "zero", "zero": [str(bowls.pk)]}, **HTMX)
    # then
    assert status_of(response) == "error"
    assert "2 are promised to orders" in message_of(response)
    assert snapshot() == before


def test_an_empty_bin_can_be_finished(floor, bin_b, snapshot):
    # given a bin with nothing in it
    scan(floor, "BIN-MAIN-A-01-02")
    before = snapshot()
    # when
    response = floor.post(FINISH_URL, **HTMX)
    # then
    assert status_of(response) == "info"
    assert "nothing counted, none expected" in message_of(response)
    assert snapshot() == before


def test_the_count_page_costs_the_same_queries_for_one_or_many_products(
    floor, bin_a, django_assert_max_num_queries
):
    # given a tally of twelve different products
    products = [ProductFactory() for _ in range(12)]
    scan(floor, BIN_A)
    for product in products:
        scan(floor, product.barcode)
    # when / then
    with django_assert_max_num_queries(10):
        floor.get(PAGE_URL)
