"""Allocation services: promising stock to orders in walking order, releasing, consuming."""

import pytest

from inventory import services
from inventory.models import Location, StockMovement, Warehouse
from inventory.selectors import ledger_mismatches
from oms.errors import Conflict, InvalidInput
from tests.factories import LocationFactory, ProductFactory, WarehouseFactory
from tests.inventory.helpers import BAD_QUANTITIES, level_of

Kind = StockMovement.Kind


# --- allocation -------------------------------------------------------------------------------


@pytest.fixture
def spread(product, warehouse, bin_a, bin_b):
    """The red mug in three bins: EAST (priority 10) has 2, MAIN has 3 in A-01-01 and 3 in A-01-02.

    Rows are created in the opposite of walking order, so primary-key order
    and walking order differ.
    """
    east = WarehouseFactory(code="EAST", name="East", priority=10)
    east_bin = LocationFactory(warehouse=east, code="Z-09-09", pick_sequence=900)
    services.stock_receive(product=product, location=bin_b, quantity=3)
    services.stock_receive(product=product, location=bin_a, quantity=3)
    services.stock_receive(product=product, location=east_bin, quantity=2)
    return {"east": east, "east_bin": east_bin}


def test_allocate_walks_warehouse_priority_then_pick_sequence(product, bin_a, bin_b, spread):
    # given 2 in EAST, 3 in A-01-01 (seq 10), 3 in A-01-02 (seq 20)
    # when
    taken = services.stock_allocate(product=product, quantity=6)
    # then
    assert [(a.location_id, a.quantity) for a in taken] == [
        (spread["east_bin"].pk, 2),
        (bin_a.pk, 3),
        (bin_b.pk, 1),
    ]
    assert level_of(product, bin_b).allocated == 1
    assert services.allocated_total(taken) == 6


def test_allocate_within_one_warehouse_only(product, bin_a, bin_b, warehouse, spread):
    # given
    # when
    taken = services.stock_allocate(product=product, quantity=4, warehouse=warehouse)
    # then
    assert [(a.location_id, a.quantity) for a in taken] == [(bin_a.pk, 3), (bin_b.pk, 1)]
    assert level_of(product, spread["east_bin"]).allocated == 0
    assert services.allocated_total(taken) == 4


def test_allocate_gives_what_there_is_when_short(stocked, bin_a):
    # given 10 on hand
    # when
    taken = services.stock_allocate(product=stocked, quantity=15)
    # then
    assert services.allocated_total(taken) == 10
    level = level_of(stocked, bin_a)
    assert (level.on_hand, level.allocated, level.available) == (10, 10, 0)
    assert services.stock_allocate(product=stocked, quantity=1) == []


def test_allocate_with_no_stock_takes_nothing(product, snapshot):
    # given
    before = snapshot()
    # when
    taken = services.stock_allocate(product=product, quantity=3)
    # then
    assert taken == []
    assert snapshot() == before


def test_allocate_does_not_write_the_ledger(stocked, bin_a):
    # given
    movements = StockMovement.objects.count()
    # when
    services.stock_allocate(product=stocked, quantity=4)
    # then
    assert StockMovement.objects.count() == movements
    assert level_of(stocked, bin_a).on_hand == 10


def test_allocate_skips_closed_bins_and_closed_warehouses(product, bin_a, bin_b, spread):
    # given EAST closed and bin A-01-01 closed
    Warehouse.objects.filter(pk=spread["east"].pk).update(is_active=False)
    Location.objects.filter(pk=bin_a.pk).update(is_active=False)
    # when
    taken = services.stock_allocate(product=product, quantity=8)
    # then only A-01-02's 3 are promised
    assert [(a.location_id, a.quantity) for a in taken] == [(bin_b.pk, 3)]
    assert level_of(product, bin_a).allocated == 0
    assert level_of(product, spread["east_bin"]).allocated == 0


def test_allocate_many_serves_several_products_at_once(stocked, bin_a, bin_b):
    # given 10 red mugs in A, 5 blue mugs in B
    blue = ProductFactory(sku="MUG-BLUE")
    services.stock_receive(product=blue, location=bin_b, quantity=5)
    # when
    result = services.stock_allocate_many(requests=[(stocked, 4), (blue, 2), (stocked, 3)])
    # then same product asked twice is added up
    assert services.allocated_total(result[stocked.pk]) == 7
    assert services.allocated_total(result[blue.pk]) == 2
    assert level_of(stocked, bin_a).allocated == 7
    assert level_of(blue, bin_b).allocated == 2


@pytest.mark.parametrize("quantity", BAD_QUANTITIES)
def test_allocate_refuses_a_bad_quantity(stocked, snapshot, quantity):
    # given
    before = snapshot()
    # when
    with pytest.raises(InvalidInput) as caught:
        services.stock_allocate(product=stocked, quantity=quantity)
    # then
    assert caught.value.field == "quantity"
    assert snapshot() == before


def test_allocate_many_refuses_all_when_one_quantity_is_bad(stocked, snapshot):
    # given
    blue = ProductFactory(sku="MUG-BLUE")
    before = snapshot()
    # when
    with pytest.raises(InvalidInput):
        services.stock_allocate_many(requests=[(stocked, 2), (blue, -1)])
    # then
    assert snapshot() == before


# --- release and consume ----------------------------------------------------------------------


def test_release_gives_promised_stock_back(stocked, bin_a):
    # given 6 promised
    services.stock_allocate(product=stocked, quantity=6)
    # when
    level = services.stock_release(product=stocked, location=bin_a, quantity=4)
    # then
    assert (level.on_hand, level.allocated) == (10, 2)
    assert level_of(stocked, bin_a).allocated == 2


def test_release_of_more_than_allocated_is_refused(stocked, bin_a, snapshot):
    # given 2 promised
    services.stock_allocate(product=stocked, quantity=2)
    before = snapshot()
    # when
    with pytest.raises(Conflict) as caught:
        services.stock_release(product=stocked, location=bin_a, quantity=3)
    # then
    assert caught.value.code == "over_release"
    assert snapshot() == before


def test_release_in_a_bin_without_the_product_is_refused(product, bin_b, snapshot):
    # given
    before = snapshot()
    # when
    with pytest.raises(Conflict):
        services.stock_release(product=product, location=bin_b, quantity=1)
    # then
    assert snapshot() == before


@pytest.mark.parametrize("quantity", BAD_QUANTITIES)
def test_release_refuses_a_bad_quantity(stocked, bin_a, snapshot, quantity):
    # given
    services.stock_allocate(product=stocked, quantity=5)
    before = snapshot()
    # when
    with pytest.raises(InvalidInput):
        services.stock_release(product=stocked, location=bin_a, quantity=quantity)
    # then
    assert snapshot() == before


def test_consume_takes_promised_stock_out_for_good(stocked, bin_a, warehouse_user):
    # given 6 promised
    services.stock_allocate(product=stocked, quantity=6)
    # when
    movement = services.stock_consume(
        product=stocked, location=bin_a, quantity=4, user=warehouse_user, reference="SH-1"
    )
    # then
    level = level_of(stocked, bin_a)
    assert (level.on_hand, level.allocated) == (6, 2)
    assert (movement.kind, movement.quantity, movement.on_hand_after) == (Kind.SHIPMENT, -4, 6)
    assert movement.reference == "SH-1"
    assert ledger_mismatches() == []


def test_consume_can_book_a_scrap(stocked, bin_a):
    # given
    services.stock_allocate(product=stocked, quantity=1)
    # when
    movement = services.stock_consume(product=stocked, location=bin_a, quantity=1, kind=Kind.SCRAP)
    # then
    assert movement.kind == Kind.SCRAP
    assert level_of(stocked, bin_a).on_hand == 9


def test_consume_of_stock_not_allocated_is_refused(stocked, bin_a, snapshot):
    # given 10 on hand, 2 promised
    services.stock_allocate(product=stocked, quantity=2)
    before = snapshot()
    # when
    with pytest.raises(Conflict) as caught:
        services.stock_consume(product=stocked, location=bin_a, quantity=3)
    # then
    assert caught.value.code == "not_allocated"
    assert snapshot() == before


@pytest.mark.parametrize("quantity", BAD_QUANTITIES)
def test_consume_refuses_a_bad_quantity(stocked, bin_a, snapshot, quantity):
    # given
    services.stock_allocate(product=stocked, quantity=5)
    before = snapshot()
    # when
    with pytest.raises(InvalidInput):
        services.stock_consume(product=stocked, location=bin_a, quantity=quantity)
    # then
    assert snapshot() == before
