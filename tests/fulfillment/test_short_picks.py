"""Short picks book the missing units out through the ledger and ask for a count of the bin."""

import pytest
from django.urls import reverse

from fulfillment import services
from inventory import selectors as inventory_selectors
from inventory import services as inventory_services
from inventory.models import StockLevel, StockMovement
from inventory.selectors import ledger_mismatches
from oms.errors import Conflict
from orders.models import LineAllocation, Order

MUG = "4006381333931"
BIN_A = "BIN-MAIN-A-01-01"


def level(location) -> tuple[int, int]:
    row = StockLevel.objects.get(location=location)
    return row.on_hand, row.allocated


def short_after_three(order, warehouse_user):
    """Pick an order's mugs from A-01-01: the picker finds 3 and scans CMD-SHORT."""
    [shipment] = services.shipment_create_for_order(order_id=order.pk, user=warehouse_user)
    wave = services.wave_create(user=warehouse_user, shipment_ids=[shipment.pk])
    services.pick_scan(user=warehouse_user, code=BIN_A, wave_id=wave.pk)
    services.pick_scan(user=warehouse_user, code=f"3*{MUG}", wave_id=wave.pk)
    answer = services.pick_scan(user=warehouse_user, code="CMD-SHORT", wave_id=wave.pk)
    return shipment, answer


def test_a_short_pick_writes_the_missing_units_off_and_asks_for_a_count(
    make_order, product, bin_a, receive, warehouse_user
):
    # given 5 mugs on record in A-01-01, all promised to one order
    receive(product, bin_a, 5)

    order = make_order(("MUG-RED", 5))

    # when the picker finds only 3 of them
    shipment, answer = short_after_three(order, warehouse_user)

    # then the 2 missing are written off: on hand and promised fall together
    assert level(bin_a) == (3, 3)
    short = StockMovement.objects.get(kind=StockMovement.Kind.SHORT_PICK)
    assert (short.quantity, short.on_hand_after, short.reference) == (-2, 3, shipment.number)
    assert short.reason == (
        f"Short pick on {shipment.number}: 2 missing in A-01-01; count bin A-01-01"
    )
    assert short.user == warehouse_user
    assert ledger_mismatches() == []
    # and the bin is listed to be counted, as the picker is told
    assert StockLevel.objects.get(location=bin_a).count_requested_at is not None
    assert [
        (row.location.code, row.product.sku) for row in inventory_selectors.bins_to_count()
    ] == [("A-01-01", "MUG-RED")]
    assert answer.status == "warn"
    assert answer.message == (
        "Short 2 × Red mug in A-01-01: written off. 2 backordered on the order. "
        "Count bin A-01-01: it is on the list of bins to count."
    )
    line = order.lines.get()
    assert (line.quantity_allocated, line.quantity_backordered) == (3, 2)


def test_the_next_waiting_order_is_not_served_from_the_bin_found_short(
    make_order, product, bin_a, receive, warehouse_user, django_capture_on_commit_callbacks
):
    # given 5 mugs on record in A-01-01, all promised to one order; a second order waits for 2
    receive(product, bin_a, 5)
    order = make_order(("MUG-RED", 5))
    waiting = make_order(("MUG-RED", 2))
    assert waiting.status == Order.Status.BACKORDERED

    # when the picker finds only 3 of the first order's 5 (waiting orders are served on commit)
    with django_capture_on_commit_callbacks(execute=True):
        short_after_three(order, warehouse_user)

    # then nothing missing is promised: the waiting order still waits, nothing from A-01-01
    waiting.refresh_from_db()
    assert waiting.status == Order.Status.BACKORDERED
    assert waiting.lines.get().quantity_backordered == 2
    assert not LineAllocation.objects.filter(line__order=waiting, quantity__gt=0).exists()
    assert level(bin_a) == (3, 3)
    assert ledger_mismatches() == []


def test_another_orders_promise_in_the_short_bin_is_kept(
    make_order, stocked, bin_a, warehouse_user
):
    # given 10 mugs in A-01-01: 5 for the order being picked, 5 for another order
    order = make_order(("MUG-RED", 5))
    other = make_order(("MUG-RED", 5))

    # when the picker finds 3 of the first order's 5
    short_after_three(order, warehouse_user)

    # then only the 2 missing are written off; the other order keeps its 5
    assert level(bin_a) == (8, 8)
    assert other.lines.get().quantity_allocated == 5
    assert LineAllocation.objects.get(line__order=other).quantity == 5
    assert order.lines.get().quantity_allocated == 3
    assert ledger_mismatches() == []


def test_units_found_in_another_bin_are_picked_there_and_the_missing_still_written_off(
    make_order, stocked, bin_a, bin_b, receive, product, warehouse_user
):
    # given 10 mugs on record in A-01-01 and 4 in A-01-02
    receive(product, bin_b, 4)

    order = make_order(("MUG-RED", 5))

    # when the picker finds 3 of 5 in A-01-01
    _shipment, answer = short_after_three(order, warehouse_user)

    # then the 2 missing are written off in A-01-01 and promised from A-01-02 instead
    assert level(bin_a) == (8, 3)
    assert level(bin_b) == (4, 2)
    assert "2 found in A-01-02: pick them there." in answer.message
    line = order.lines.get()
    assert (line.quantity_allocated, line.quantity_backordered) == (5, 0)
    assert StockLevel.objects.get(location=bin_b).count_requested_at is None
    assert ledger_mismatches() == []


def test_counting_the_bin_books_found_units_back_and_clears_the_request(
    make_order, product, bin_a, receive, warehouse_user, manager_user
):
    # given a short pick wrote 2 mugs off in A-01-01
    receive(product, bin_a, 5)
    short_after_three(make_order(("MUG-RED", 5)), warehouse_user)

    # when a manager counts the bin and 4 mugs are there after all (3 in the tote, 1 found)
    inventory_services.stock_count_bin(
        location=bin_a, counts=[(product, 4)], user=manager_user, reference="COUNT"
    )

    # then the found one is booked back in, and the bin is off the list
    assert level(bin_a) == (4, 3)
    assert StockLevel.objects.get(location=bin_a).count_requested_at is None
    assert list(inventory_selectors.bins_to_count()) == []
    assert ledger_mismatches() == []


def test_a_short_pick_of_more_than_is_promised_in_the_bin_is_refused_and_changes_nothing(
    stocked, bin_a, warehouse_user, snapshot
):
    # given 10 mugs in A-01-01, none promised
    before = snapshot()
    # when more is booked missing than is promised there
    with pytest.raises(Conflict, match="only 0 are promised there"):
        inventory_services.stock_short_pick(
            product=stocked, location=bin_a, quantity=1, user=warehouse_user
        )
    # then nothing changed
    assert snapshot() == before
    assert StockLevel.objects.get(location=bin_a).count_requested_at is None


def test_the_count_screen_lists_the_bins_to_count_without_their_stock(
    client, make_order, product, bin_a, receive, warehouse_user
):
    # given a short pick in A-01-01 (437 mugs on record: a number no time or date shows)
    receive(product, bin_a, 437)
    short_after_three(make_order(("MUG-RED", 5)), warehouse_user)
    client.force_login(warehouse_user)
    # when the count screen opens
    page = client.get(reverse("inventory:count"))
    # then it lists the bin and product to count, blind (no quantities)
    assert 'data-to-count="A-01-01"' in page.text
    assert "Red mug (MUG-RED)" in page.text
    assert "435" not in page.text and "437" not in page.text
