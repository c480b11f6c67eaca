"""Stock services: receiving, counting, adjusting with a reason, moving between bins."""

import pytest
from django.utils import timezone

from inventory import services
from inventory.models import Location, StockLevel, StockMovement
from inventory.selectors import ledger_mismatches
from oms.errors import Conflict, InvalidInput
from tests.factories import LocationFactory, ProductFactory, WarehouseFactory
from tests.inventory.helpers import BAD_QUANTITIES, level_of

Kind = StockMovement.Kind


# --- receiving --------------------------------------------------------------------------------


def test_receive_adds_on_hand_and_writes_a_receipt(product, bin_a, warehouse_user):
    # given nothing in the bin
    # when
    movement = services.stock_receive(
        product=product, location=bin_a, quantity=5, user=warehouse_user, reference="PO-1"
    )
    # then
    level = level_of(product, bin_a)
    assert (level.on_hand, level.allocated) == (5, 0)
    assert movement.kind == Kind.RECEIPT
    assert (movement.quantity, movement.on_hand_after) == (5, 5)
    assert movement.user == warehouse_user
    assert movement.reference == "PO-1"
    assert ledger_mismatches() == []


def test_receive_twice_into_the_same_bin_adds_up(stocked, bin_a, manager_user):
    # given 10 on hand
    # when
    movement = services.stock_receive(
        product=stocked, location=bin_a, quantity="7", user=manager_user
    )
    # then
    assert level_of(stocked, bin_a).on_hand == 17
    assert movement.on_hand_after == 17
    assert StockLevel.objects.filter(product=stocked).count() == 1
    assert ledger_mismatches() == []


def test_receive_accepts_the_largest_allowed_quantity(product, bin_a):
    # given
    # when
    services.stock_receive(product=product, location=bin_a, quantity=1_000_000)
    # then
    assert level_of(product, bin_a).on_hand == 1_000_000


@pytest.mark.parametrize("quantity", BAD_QUANTITIES)
def test_receive_refuses_a_bad_quantity(stocked, bin_a, warehouse_user, snapshot, quantity):
    # given
    before = snapshot()
    # when
    with pytest.raises(InvalidInput) as caught:
        services.stock_receive(
            product=stocked, location=bin_a, quantity=quantity, user=warehouse_user
        )
    # then
    assert caught.value.field == "quantity"
    assert snapshot() == before


def test_receive_refuses_a_drop_ship_product(bin_a, warehouse_user, snapshot):
    # given
    product = ProductFactory(is_drop_ship=True)
    before = snapshot()
    # when
    with pytest.raises(Conflict) as caught:
        services.stock_receive(product=product, location=bin_a, quantity=1, user=warehouse_user)
    # then
    assert caught.value.code == "drop_ship"
    assert snapshot() == before


def test_receive_refuses_a_deactivated_product(bin_a, warehouse_user, snapshot):
    # given
    product = ProductFactory(is_active=False)
    before = snapshot()
    # when
    with pytest.raises(Conflict) as caught:
        services.stock_receive(product=product, location=bin_a, quantity=1, user=warehouse_user)
    # then
    assert caught.value.code == "inactive_product"
    assert snapshot() == before


def test_receive_refuses_a_closed_bin(product, warehouse, warehouse_user, snapshot):
    # given
    closed = LocationFactory(warehouse=warehouse, code="Z-99-99", is_active=False)
    before = snapshot()
    # when
    with pytest.raises(Conflict) as caught:
        services.stock_receive(product=product, location=closed, quantity=1, user=warehouse_user)
    # then
    assert caught.value.code == "inactive_location"
    assert caught.value.field == "location"
    assert snapshot() == before


def test_receive_refuses_a_bin_in_a_closed_warehouse(product, warehouse_user, snapshot):
    # given
    shut = WarehouseFactory(code="OLD", is_active=False)
    bin_ = LocationFactory(warehouse=shut, code="A-01-01")
    before = snapshot()
    # when
    with pytest.raises(Conflict) as caught:
        services.stock_receive(product=product, location=bin_, quantity=1, user=warehouse_user)
    # then
    assert caught.value.code == "inactive_warehouse"
    assert snapshot() == before


# --- counting and adjusting -------------------------------------------------------------------


def test_count_sets_on_hand_and_records_the_difference(stocked, bin_a, warehouse_user):
    # given 10 on hand
    # when a count finds 9 (a difference small enough to book at once)
    movement = services.stock_adjust(
        product=stocked, location=bin_a, counted=9, user=warehouse_user
    )
    # then
    level = level_of(stocked, bin_a)
    assert level.on_hand == 9
    assert level.last_counted_at is not None
    assert movement.kind == Kind.COUNT
    assert (movement.quantity, movement.on_hand_after) == (-1, 9)
    assert ledger_mismatches() == []


def test_count_that_matches_writes_no_movement_but_stamps_the_bin(
    stocked, bin_a, warehouse_user, snapshot
):
    # given
    before = snapshot()
    started = timezone.now()
    # when
    movement = services.stock_adjust(
        product=stocked, location=bin_a, counted=10, user=warehouse_user
    )
    # then
    assert movement is None
    assert snapshot() == before
    assert level_of(stocked, bin_a).last_counted_at >= started


def test_count_of_a_bin_never_stocked_creates_the_row(product, bin_b, manager_user):
    # given no stock row for bin B
    # when a manager counts 4 there
    movement = services.stock_adjust(product=product, location=bin_b, counted=4, user=manager_user)
    # then
    assert level_of(product, bin_b).on_hand == 4
    assert movement.quantity == 4
    assert ledger_mismatches() == []


def test_count_to_zero_empties_the_bin(stocked, bin_a, manager_user):
    # given
    # when a manager counts the bin empty
    services.stock_adjust(product=stocked, location=bin_a, counted=0, user=manager_user)
    # then
    assert level_of(stocked, bin_a).on_hand == 0
    assert ledger_mismatches() == []


def test_count_below_what_is_allocated_is_refused(stocked, bin_a, warehouse_user, snapshot):
    # given 6 of the 10 promised to orders
    services.stock_allocate(product=stocked, quantity=6)
    before = snapshot()
    # when
    with pytest.raises(Conflict) as caught:
        services.stock_adjust(product=stocked, location=bin_a, counted=5, user=warehouse_user)
    # then
    assert caught.value.code == "below_allocated"
    assert caught.value.field == "counted"
    assert "6" in caught.value.message
    assert snapshot() == before
    assert level_of(stocked, bin_a).last_counted_at is None


def test_count_equal_to_what_is_allocated_is_accepted(stocked, bin_a, manager_user):
    # given
    services.stock_allocate(product=stocked, quantity=6)
    # when
    services.stock_adjust(product=stocked, location=bin_a, counted=6, user=manager_user)
    # then
    level = level_of(stocked, bin_a)
    assert (level.on_hand, level.allocated, level.available) == (6, 6, 0)


@pytest.mark.parametrize(
    "counted",
    [
        pytest.param(-1, id="negative"),
        pytest.param(1.5, id="fraction"),
        pytest.param("lots", id="words"),
        pytest.param(False, id="bool"),
        pytest.param(None, id="none"),
        pytest.param(1_000_001, id="huge"),
    ],
)
def test_count_refuses_a_bad_number(stocked, bin_a, warehouse_user, snapshot, counted):
    # given
    before = snapshot()
    # when
    with pytest.raises(InvalidInput) as caught:
        services.stock_adjust(product=stocked, location=bin_a, counted=counted, user=warehouse_user)
    # then
    assert caught.value.field == "counted"
    assert snapshot() == before


def test_count_refuses_a_closed_bin(stocked, bin_a, warehouse_user, snapshot):
    # given
    Location.objects.filter(pk=bin_a.pk).update(is_active=False)
    bin_a.refresh_from_db()
    before = snapshot()
    # when
    with pytest.raises(Conflict) as caught:
        services.stock_adjust(product=stocked, location=bin_a, counted=3, user=warehouse_user)
    # then
    assert caught.value.code == "inactive_location"
    assert snapshot() == before


def test_count_refuses_stock_for_a_drop_ship_product(bin_a, warehouse_user, snapshot):
    # given
    product = ProductFactory(is_drop_ship=True)
    before = snapshot()
    # when
    with pytest.raises(Conflict) as caught:
        services.stock_adjust(product=product, location=bin_a, counted=2, user=warehouse_user)
    # then
    assert caught.value.code == "drop_ship"
    assert snapshot() == before


def test_count_of_a_deactivated_product_can_clear_its_bin(stocked, bin_a, manager_user):
    # given a product stopped with 10 still on the shelf
    services.product_deactivate(product=stocked, user=manager_user)
    stocked.refresh_from_db()
    # when
    services.stock_adjust(product=stocked, location=bin_a, counted=0, user=manager_user)
    # then
    assert level_of(stocked, bin_a).on_hand == 0
    assert ledger_mismatches() == []


def test_adjustment_with_a_reason_is_recorded_as_such(stocked, bin_a, manager_user):
    # given
    # when
    movement = services.stock_adjust(
        product=stocked,
        location=bin_a,
        counted=8,
        user=manager_user,
        reason="Two broken in transit",
        is_count=False,
    )
    # then
    assert movement.kind == Kind.ADJUSTMENT
    assert movement.quantity == -2
    assert movement.reason == "Two broken in transit"
    level = level_of(stocked, bin_a)
    assert level.on_hand == 8
    assert level.last_counted_at is None
    assert ledger_mismatches() == []


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_adjustment_without_a_reason_is_refused(stocked, bin_a, manager_user, snapshot, reason):
    # given
    before = snapshot()
    # when
    with pytest.raises(InvalidInput) as caught:
        services.stock_adjust(
            product=stocked,
            location=bin_a,
            counted=8,
            user=manager_user,
            reason=reason,
            is_count=False,
        )
    # then
    assert caught.value.field == "reason"
    assert snapshot() == before


# --- transfers --------------------------------------------------------------------------------


def test_transfer_moves_free_stock_with_two_ledger_rows(stocked, bin_a, bin_b, warehouse_user):
    # given 10 in bin A
    # when
    out, into = services.stock_transfer(
        product=stocked, from_location=bin_a, to_location=bin_b, quantity=4, user=warehouse_user
    )
    # then
    assert level_of(stocked, bin_a).on_hand == 6
    assert level_of(stocked, bin_b).on_hand == 4
    assert (out.kind, out.quantity, out.on_hand_after) == (Kind.TRANSFER_OUT, -4, 6)
    assert (into.kind, into.quantity, into.on_hand_after) == (Kind.TRANSFER_IN, 4, 4)
    assert out.reference == into.reference == "MAIN/A-01-01 -> MAIN/A-01-02"
    assert ledger_mismatches() == []


def test_transfer_everything_free_empties_the_source(stocked, bin_a, bin_b, warehouse_user):
    # given
    # when
    services.stock_transfer(
        product=stocked, from_location=bin_a, to_location=bin_b, quantity=10, user=warehouse_user
    )
    # then
    assert level_of(stocked, bin_a).on_hand == 0
    assert level_of(stocked, bin_b).on_hand == 10


def test_transfer_into_the_same_bin_is_refused(stocked, bin_a, warehouse_user, snapshot):
    # given
    before = snapshot()
    # when
    with pytest.raises(InvalidInput) as caught:
        services.stock_transfer(
            product=stocked, from_location=bin_a, to_location=bin_a, quantity=1, user=warehouse_user
        )
    # then
    assert caught.value.code == "same_location"
    assert snapshot() == before


def test_transfer_of_more_than_available_is_refused(
    stocked, bin_a, bin_b, warehouse_user, snapshot
):
    # given 10 in bin A
    before = snapshot()
    # when
    with pytest.raises(Conflict) as caught:
        services.stock_transfer(
            product=stocked,
            from_location=bin_a,
            to_location=bin_b,
            quantity=11,
            user=warehouse_user,
        )
    # then
    assert caught.value.code == "insufficient_stock"
    assert snapshot() == before


def test_transfer_cannot_move_allocated_stock(stocked, bin_a, bin_b, warehouse_user, snapshot):
    # given 8 of the 10 promised to orders
    services.stock_allocate(product=stocked, quantity=8)
    before = snapshot()
    # when
    with pytest.raises(Conflict) as caught:
        services.stock_transfer(
            product=stocked, from_location=bin_a, to_location=bin_b, quantity=3, user=warehouse_user
        )
    # then
    assert "Only 2" in caught.value.message
    assert snapshot() == before


def test_transfer_moves_the_free_part_beside_allocated_stock(stocked, bin_a, bin_b, warehouse_user):
    # given 8 of the 10 promised to orders
    services.stock_allocate(product=stocked, quantity=8)
    # when
    services.stock_transfer(
        product=stocked, from_location=bin_a, to_location=bin_b, quantity=2, user=warehouse_user
    )
    # then
    source = level_of(stocked, bin_a)
    assert (source.on_hand, source.allocated) == (8, 8)
    assert level_of(stocked, bin_b).on_hand == 2


def test_transfer_from_a_bin_without_the_product_is_refused(
    product, bin_a, bin_b, warehouse_user, snapshot
):
    # given
    before = snapshot()
    # when
    with pytest.raises(Conflict) as caught:
        services.stock_transfer(
            product=product, from_location=bin_a, to_location=bin_b, quantity=1, user=warehouse_user
        )
    # then
    assert caught.value.field == "from_location"
    assert snapshot() == before


def test_transfer_into_a_closed_bin_is_refused(stocked, bin_a, warehouse, warehouse_user, snapshot):
    # given
    closed = LocationFactory(warehouse=warehouse, code="Z-99-99", is_active=False)
    before = snapshot()
    # when
    with pytest.raises(Conflict) as caught:
        services.stock_transfer(
            product=stocked,
            from_location=bin_a,
            to_location=closed,
            quantity=1,
            user=warehouse_user,
        )
    # then
    assert caught.value.code == "inactive_location"
    assert snapshot() == before


@pytest.mark.parametrize("quantity", BAD_QUANTITIES)
def test_transfer_refuses_a_bad_quantity(stocked, bin_a, bin_b, warehouse_user, snapshot, quantity):
    # given
    before = snapshot()
    # when
    with pytest.raises(InvalidInput) as caught:
        services.stock_transfer(
            product=stocked,
            from_location=bin_a,
            to_location=bin_b,
            quantity=quantity,
            user=warehouse_user,
        )
    # then
    assert caught.value.field == "quantity"
    assert snapshot() == before
