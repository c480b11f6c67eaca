"""Count scans as services: the tally kept in the database, across reloads, logins and devices."""

import pytest
from django.test import Client

from inventory import services
from inventory.models import CountAdjustment, CountSession, StockScan
from oms.errors import Conflict, InvalidInput, NotFound
from tests.factories import LocationFactory, ProductFactory
from tests.inventory.test_count_screen import (
    BIN_A,
    FINISH_URL,
    HTMX,
    MUG,
    PAGE_URL,
    SCAN_URL,
    counting,
    message_of,
    on_hand,
    scan,
    status_of,
    tally,
)


@pytest.fixture
def mugs(product, bin_a):
    """37 red mugs on record in A-01-01."""
    services.stock_receive(product=product, location=bin_a, quantity=37, reference="PO-1")
    return product


def sessions():
    return sorted(CountSession.objects.values_list("pk", "status", "location_id", "result"))


# --- the tally lives in the database ----------------------------------------------------------


def test_a_tally_survives_a_logout_and_a_new_login(client, warehouse_user, mugs, bin_a):
    # given three mugs counted, then the user logs out (the session is gone)
    client.force_login(warehouse_user)
    scan(client, BIN_A)
    scan(client, f"3*{MUG}")
    client.logout()
    # when the user logs in again
    client.force_login(warehouse_user)
    page = client.get(PAGE_URL).content.decode()
    finished = client.post(FINISH_URL, **HTMX)
    # then the bin and its tally are back, and finishing books them
    assert 'data-current-bin="A-01-01"' in page
    assert "data-items-counted>3<" in page
    assert "Counted 3 × Red mug (3 so far in A-01-01)" in page
    assert status_of(finished) == "warn"
    assert CountAdjustment.objects.get().counted == 3  # 37 down to 3 waits for a manager
    assert on_hand(mugs, bin_a) == 37


def test_two_devices_of_one_person_count_into_one_tally(client, warehouse_user, mugs, bin_a):
    # given the bin and two mugs scanned on one device
    client.force_login(warehouse_user)
    scan(client, BIN_A)
    scan(client, f"2*{MUG}")
    tablet = Client()
    tablet.force_login(warehouse_user)
    # when the tablet scans one more
    response = tablet.post(SCAN_URL, {"code": MUG, "entry": "scan"}, **HTMX)
    # then both screens show one tally of three
    assert message_of(response) == "Counted 1 × Red mug (3 so far in A-01-01)"
    assert "data-items-counted>3<" in client.get(PAGE_URL).content.decode()
    assert tally(warehouse_user) == [[mugs.pk, 2], [mugs.pk, 1]]


def test_each_person_has_a_tally_of_their_own(client, warehouse_user, manager_user, mugs, bin_a):
    # given the warehouse user counting A-01-01
    client.force_login(warehouse_user)
    scan(client, BIN_A)
    scan(client, f"2*{MUG}")
    # when a manager looks at the count screen
    other = Client()
    other.force_login(manager_user)
    page = other.get(PAGE_URL).content.decode()
    # then
    assert "No bin being counted." in page
    assert counting(manager_user) is None


def test_the_log_holds_each_scan_and_the_finish(warehouse_user, mugs, bin_a):
    # given
    services.count_scan(user=warehouse_user, code=BIN_A, entry="scan")
    services.count_scan(user=warehouse_user, code=f"37*{MUG}", entry="scan")
    # when
    answer = services.count_finish(user=warehouse_user)
    # then
    session = CountSession.objects.get()
    started, counted, finished = StockScan.objects.order_by("pk")
    assert session.status == CountSession.Status.FINISHED
    assert (started.action, started.count_session, started.location) == ("bin", session, bin_a)
    assert (counted.action, counted.product, counted.quantity) == ("count", mugs, 37)
    assert (finished.action, finished.location, finished.entry) == ("finish", None, "button")
    assert answer.message == "Bin A-01-01 counted. Everything scanned matches."
    assert session.result["lines"][0]["counted"] == 37


# --- refusals: logged, nothing else written ---------------------------------------------------


@pytest.mark.parametrize(
    ("code", "error", "words"),
    [
        ("NO-SUCH-THING", NotFound, "Unknown code NO-SUCH-THING"),
        ("BIN-MAIN-C-01-01", Conflict, "Finish bin A-01-01 first"),
        (f"0*{MUG}", InvalidInput, "at least 1"),
    ],
    ids=["unknown-code", "another-bin", "bad-quantity"],
)
def test_a_refused_count_scan_is_logged_and_the_tally_is_unchanged(
    warehouse_user, mugs, warehouse, snapshot, code, error, words
):
    # given one mug counted in A-01-01
    LocationFactory(warehouse=warehouse, code="C-01-01")
    services.count_scan(user=warehouse_user, code=BIN_A)
    services.count_scan(user=warehouse_user, code=MUG)
    before, counts, rows = snapshot(), sessions(), list(StockScan.objects.order_by("pk"))
    # when
    with pytest.raises(error, match=words):
        services.count_scan(user=warehouse_user, code=code)
    # then
    assert (snapshot(), sessions()) == (before, counts)
    assert tally(warehouse_user) == [[mugs.pk, 1]]
    *old, refused = StockScan.objects.order_by("pk")
    assert old == rows
    assert (refused.result, refused.count_session) == ("refused", CountSession.objects.get())
    assert words in refused.message


def test_a_closed_bin_cannot_be_counted_and_nothing_starts(warehouse_user, warehouse, snapshot):
    # given
    LocationFactory(warehouse=warehouse, code="C-01-01", is_active=False)
    before = snapshot()
    # when
    with pytest.raises(Conflict, match="Bin C-01-01 is closed: it cannot be counted"):
        services.count_scan(user=warehouse_user, code="BIN-MAIN-C-01-01")
    # then
    assert snapshot() == before
    assert not CountSession.objects.exists()
    assert StockScan.objects.get().result == StockScan.Result.REFUSED


def test_a_failed_finish_keeps_the_count_open(warehouse_user, mugs, bin_a, snapshot):
    # given 30 of the 37 mugs promised to orders, and only 5 counted
    services.stock_allocate(product=mugs, quantity=30)
    services.count_scan(user=warehouse_user, code=BIN_A)
    services.count_scan(user=warehouse_user, code=f"5*{MUG}")
    before = snapshot()
    # when
    with pytest.raises(Conflict, match=r"Nothing was saved\. Cannot set MUG-RED"):
        services.count_finish(user=warehouse_user)
    # then
    assert snapshot() == before
    assert CountSession.objects.get().status == CountSession.Status.OPEN
    assert tally(warehouse_user) == [[mugs.pk, 5]]


# --- starting over, and putting a result away -------------------------------------------------


def test_a_new_bin_after_an_empty_count_discards_the_empty_one(warehouse_user, bin_a, bin_b):
    # given A-01-01 started, nothing scanned
    services.count_scan(user=warehouse_user, code=BIN_A)
    # when
    services.count_scan(user=warehouse_user, code="BIN-MAIN-A-01-02")
    # then
    assert sorted(CountSession.objects.values_list("location__code", "status")) == [
        ("A-01-01", CountSession.Status.ABANDONED),
        ("A-01-02", CountSession.Status.OPEN),
    ]


def test_cancel_after_finishing_puts_the_result_away(floor_client, warehouse_user, mugs, bowls):
    # given a finished bin whose result lists the bowls as not scanned
    scan(floor_client, BIN_A)
    scan(floor_client, f"37*{MUG}")
    floor_client.post(FINISH_URL, **HTMX)
    # when
    response = scan(floor_client, "CMD-CANCEL")
    zero = floor_client.post(FINISH_URL, {"step": "zero", "zero": [str(bowls.pk)]}, **HTMX)
    # then
    assert message_of(response) == "Nothing to discard: scan a bin label to start counting."
    assert 'name="zero"' not in response.content.decode()
    assert status_of(zero) == "error"
    assert "There is no finished bin to correct" in message_of(zero)
    assert CountSession.objects.get().dismissed_at is not None


@pytest.fixture
def floor_client(client, warehouse_user):
    client.force_login(warehouse_user)
    return client


@pytest.fixture
def bowls(bin_a):
    bowl = ProductFactory(sku="BOWL-BLUE", name="Blue bowl", barcode="96385074")
    services.stock_receive(product=bowl, location=bin_a, quantity=4)
    return bowl


# --- queries stay flat as the log grows -------------------------------------------------------


def test_the_count_page_costs_the_same_queries_however_long_the_log(
    floor_client, warehouse_user, bin_a, bin_b, django_assert_max_num_queries
):
    # given one finished count and one open, measured
    def count_a_bin(code):
        services.count_scan(user=warehouse_user, code=code)
        for _ in range(3):
            services.count_scan(user=warehouse_user, code=ProductFactory().barcode)
        with pytest.raises(NotFound):
            services.count_scan(user=warehouse_user, code="NO-SUCH-THING")

    count_a_bin(BIN_A)
    services.count_finish(user=warehouse_user)
    count_a_bin("BIN-MAIN-A-01-02")
    with django_assert_max_num_queries(10) as small:
        assert floor_client.get(PAGE_URL).status_code == 200
    # when twenty more bins are counted before it
    services.count_scan(user=warehouse_user, code="CMD-CANCEL")
    for _ in range(10):
        count_a_bin(BIN_A)
        services.count_finish(user=warehouse_user)
        count_a_bin("BIN-MAIN-A-01-02")
        services.count_finish(user=warehouse_user)
    count_a_bin("BIN-MAIN-A-01-02")
    # then
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = floor_client.get(PAGE_URL)
    assert "data-items-counted>3<" in page.content.decode()
