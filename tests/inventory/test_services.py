"""Inventory services: products, warehouses, bins, and every stock movement."""

from decimal import Decimal

import pytest
from django.utils import timezone

from inventory import services
from inventory.models import Location, Product, StockLevel, StockMovement, Supplier, Warehouse
from inventory.selectors import ledger_mismatches
from oms.errors import Conflict, InvalidInput, NotAllowed, NotFound
from tests.factories import LocationFactory, ProductFactory, UserFactory, WarehouseFactory

Kind = StockMovement.Kind

BAD_QUANTITIES = [
    pytest.param(0, id="zero"),
    pytest.param(-1, id="negative"),
    pytest.param("-3", id="negative-text"),
    pytest.param(2.5, id="fraction"),
    pytest.param("2.5", id="fraction-text"),
    pytest.param("ten", id="words"),
    pytest.param("1e3", id="exponent"),
    pytest.param("", id="blank"),
    pytest.param(None, id="none"),
    pytest.param(True, id="bool"),
    pytest.param(Decimal("2.5"), id="decimal"),
    pytest.param(1_000_001, id="huge"),
    pytest.param(10**30, id="enormous"),
    pytest.param("99999999999999999999", id="enormous-text"),
]


def level_of(product, location):
    return StockLevel.objects.get(product=product, location=location)


def product_rows():
    return list(Product.objects.order_by("pk").values())


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


# --- products ---------------------------------------------------------------------------------


def test_product_create_stores_a_clean_product(manager_user):
    # given
    # when
    product = services.product_create(
        user=manager_user,
        sku=" MUG-GREEN ",
        name="Green mug",
        barcode=" 4006381333931 ",
        price=Decimal("12.50"),
        weight_grams=350,
    )
    # then
    product.refresh_from_db()
    assert product.sku == "MUG-GREEN"
    assert product.barcode == "4006381333931"
    assert product.price == Decimal("12.50")
    assert product.is_active


@pytest.mark.parametrize(
    "barcode",
    [
        pytest.param("036000291452", id="upc-a"),
        pytest.param("96385074", id="ean-8"),
        pytest.param("10012345678902", id="gtin-14"),
        pytest.param("ACME-123/X", id="code128"),
    ],
)
def test_product_create_accepts_every_barcode_kind(manager_user, barcode):
    # given
    # when
    product = services.product_create(user=manager_user, sku="NEW-1", name="New", barcode=barcode)
    # then
    product.refresh_from_db()
    assert product.barcode == barcode


@pytest.mark.parametrize("blank", ["", "   ", None])
def test_product_create_stores_a_blank_barcode_as_null(manager_user, blank):
    # given one product already without a barcode
    services.product_create(user=manager_user, sku="NO-CODE-1", name="First", barcode=None)
    # when
    product = services.product_create(
        user=manager_user, sku="NO-CODE-2", name="Next", barcode=blank
    )
    # then
    product.refresh_from_db()
    assert product.barcode is None
    assert Product.objects.filter(barcode__isnull=True).count() == 2


def test_product_create_refuses_a_duplicate_sku_whatever_its_case(product, manager_user, snapshot):
    # given MUG-RED exists
    before = (product_rows(), snapshot())
    # when
    with pytest.raises(Conflict) as caught:
        services.product_create(user=manager_user, sku="mug-red", name="Another red mug")
    # then
    assert caught.value.code == "duplicate"
    assert "sku" in caught.value.errors
    assert (product_rows(), snapshot()) == before


@pytest.mark.parametrize(
    "barcode",
    [
        pytest.param("4006381333931", id="same"),
        pytest.param("04006381333931", id="same-gtin-as-14-digits"),
    ],
)
def test_product_create_refuses_a_barcode_in_use(product, manager_user, snapshot, barcode):
    # given MUG-RED has 4006381333931
    before = (product_rows(), snapshot())
    # when
    with pytest.raises(Conflict) as caught:
        services.product_create(user=manager_user, sku="MUG-X", name="X", barcode=barcode)
    # then
    assert "MUG-RED" in caught.value.errors["barcode"][0]
    assert (product_rows(), snapshot()) == before


def test_product_create_refuses_the_ean13_spelling_of_a_upc_in_use(manager_user):
    # given a product with the UPC-A 036000291452
    services.product_create(user=manager_user, sku="UPC-1", name="U", barcode="036000291452")
    before = product_rows()
    # when a scanner-style 13-digit spelling of the same code is given to another
    with pytest.raises(Conflict):
        services.product_create(user=manager_user, sku="UPC-2", name="V", barcode="0036000291452")
    # then
    assert product_rows() == before


@pytest.mark.parametrize(
    ("barcode", "expected"),
    [
        pytest.param("4006381333932", "1", id="ean-13"),
        pytest.param("036000291453", "2", id="upc-a"),
        pytest.param("96385070", "4", id="ean-8"),
        pytest.param("10012345678901", "2", id="gtin-14"),
    ],
)
def test_product_create_refuses_a_wrong_check_digit(manager_user, snapshot, barcode, expected):
    # given
    before = (product_rows(), snapshot())
    # when
    with pytest.raises(InvalidInput) as caught:
        services.product_create(user=manager_user, sku="BAD-1", name="Bad", barcode=barcode)
    # then
    assert caught.value.field == "barcode"
    assert caught.value.code == "bad_barcode"
    assert f"should be {expected}" in caught.value.message
    assert (product_rows(), snapshot()) == before


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param({"sku": "", "name": "X"}, "sku", id="blank-sku"),
        pytest.param({"sku": "MUG RED", "name": "X"}, "sku", id="sku-with-space"),
        pytest.param({"sku": "S" * 65, "name": "X"}, "sku", id="sku-too-long"),
        pytest.param({"sku": "S-1", "name": ""}, "name", id="blank-name"),
        pytest.param({"sku": "S-1", "name": "X", "price": Decimal("-1")}, "price", id="price"),
        pytest.param({"sku": "S-1", "name": "X", "price": "cheap"}, "price", id="price-text"),
        pytest.param({"sku": "S-1", "name": "X", "weight_grams": -5}, "weight_grams", id="weight"),
        pytest.param({"sku": "S-1", "name": "X", "barcode": "AB CD"}, "barcode", id="space"),
        pytest.param({"sku": "S-1", "name": "X", "barcode": "A" * 49}, "barcode", id="long"),
    ],
)
def test_product_create_refuses_bad_fields(manager_user, snapshot, fields, field):
    # given
    before = (product_rows(), snapshot())
    # when
    with pytest.raises(InvalidInput) as caught:
        services.product_create(user=manager_user, **fields)
    # then
    assert field in caught.value.errors
    assert (product_rows(), snapshot()) == before


def test_product_create_refuses_an_unknown_field(manager_user):
    # given
    # when
    with pytest.raises(InvalidInput, match="colour"):
        services.product_create(user=manager_user, sku="S-1", name="X", colour="red")
    # then
    assert not Product.objects.exists()


def test_product_update_changes_fields_with_the_same_rules(product, manager_user):
    # given
    # when
    services.product_update(
        product=product, user=manager_user, name="Bright red mug", barcode="036000291452"
    )
    # then
    product.refresh_from_db()
    assert product.name == "Bright red mug"
    assert product.barcode == "036000291452"


def test_product_update_may_keep_its_own_sku_and_barcode(product, manager_user):
    # given
    # when
    services.product_update(
        product=product, user=manager_user, sku="mug-red", barcode="4006381333931"
    )
    # then
    product.refresh_from_db()
    assert product.sku == "mug-red"


def test_product_update_refuses_another_products_sku(product, manager_user, snapshot):
    # given
    other = ProductFactory(sku="MUG-BLUE")
    before = (product_rows(), snapshot())
    # when
    with pytest.raises(Conflict):
        services.product_update(product=other, user=manager_user, sku="Mug-Red")
    # then
    assert (product_rows(), snapshot()) == before


def test_product_update_refuses_a_bad_check_digit(product, manager_user):
    # given
    before = product_rows()
    # when
    with pytest.raises(InvalidInput):
        services.product_update(product=product, user=manager_user, barcode="4006381333930")
    # then
    assert product_rows() == before


def test_product_update_of_a_missing_product_is_not_found(manager_user):
    # given a product that was never saved to the database
    ghost = Product(pk=987654, sku="GHOST", name="Ghost")
    # when
    with pytest.raises(NotFound):
        services.product_update(product=ghost, user=manager_user, name="Still a ghost")
    # then
    assert not Product.objects.filter(pk=987654).exists()


def test_product_deactivate_keeps_the_product_and_its_history(stocked, manager_user):
    # given
    # when
    services.product_deactivate(product=stocked, user=manager_user)
    # then
    stocked.refresh_from_db()
    assert stocked.is_active is False
    assert StockMovement.objects.filter(product=stocked).count() == 1


# --- warehouses and bins ----------------------------------------------------------------------


def test_warehouse_create_stores_the_code_upper_case(manager_user):
    # given
    # when
    warehouse = services.warehouse_create(code=" east ", name="East", user=manager_user)
    # then
    assert Warehouse.objects.get(pk=warehouse.pk).code == "EAST"


def test_warehouse_create_refuses_a_duplicate_code(warehouse, manager_user):
    # given MAIN exists
    # when
    with pytest.raises(Conflict) as caught:
        services.warehouse_create(code="main", name="Again", user=manager_user)
    # then
    assert caught.value.field == "code"
    assert Warehouse.objects.count() == 1


def test_warehouse_create_refuses_a_blank_code(manager_user):
    # given
    # when
    with pytest.raises(InvalidInput):
        services.warehouse_create(code="  ", name="Nameless", user=manager_user)
    # then
    assert not Warehouse.objects.exists()


def test_location_create_gives_a_default_bin_barcode(warehouse, warehouse_user):
    # given
    # when
    location = services.location_create(
        warehouse=warehouse, code="a-01-01", pick_sequence=10, user=warehouse_user
    )
    # then
    location.refresh_from_db()
    assert location.code == "A-01-01"
    assert location.barcode == "BIN-MAIN-A-01-01"
    assert location.pick_sequence == 10


def test_location_create_takes_a_given_barcode(warehouse, manager_user):
    # given
    # when
    location = services.location_create(
        warehouse=warehouse, code="B-01-01", barcode="loc-77", user=manager_user
    )
    # then
    assert Location.objects.get(pk=location.pk).barcode == "LOC-77"


def test_location_create_refuses_a_duplicate_code_in_the_warehouse(bin_a, manager_user):
    # given A-01-01 in MAIN
    before = Location.objects.count()
    # when
    with pytest.raises(Conflict) as caught:
        services.location_create(warehouse=bin_a.warehouse, code="a-01-01", user=manager_user)
    # then
    assert caught.value.field == "code"
    assert Location.objects.count() == before


def test_location_create_allows_the_same_code_in_another_warehouse(bin_a, manager_user):
    # given A-01-01 in MAIN
    east = WarehouseFactory(code="EAST")
    # when
    location = services.location_create(warehouse=east, code="A-01-01", user=manager_user)
    # then
    assert location.barcode == "BIN-EAST-A-01-01"


def test_location_create_refuses_a_barcode_in_use(bin_a, manager_user):
    # given A-01-01 has BIN-MAIN-A-01-01
    before = Location.objects.count()
    # when
    with pytest.raises(Conflict) as caught:
        services.location_create(
            warehouse=bin_a.warehouse, code="B-01-01", barcode=bin_a.barcode, user=manager_user
        )
    # then
    assert caught.value.field == "barcode"
    assert Location.objects.count() == before


@pytest.mark.parametrize(
    ("code", "pick_sequence", "field"),
    [
        pytest.param("", 0, "code", id="blank-code"),
        pytest.param("A-01-09", -1, "pick_sequence", id="negative-sequence"),
        pytest.param("A-01-09", "first", "pick_sequence", id="text-sequence"),
    ],
)
def test_location_create_refuses_bad_input(warehouse, manager_user, code, pick_sequence, field):
    # given
    # when
    with pytest.raises(InvalidInput) as caught:
        services.location_create(
            warehouse=warehouse, code=code, pick_sequence=pick_sequence, user=manager_user
        )
    # then
    assert caught.value.field == field
    assert not Location.objects.exists()


# --- who may do what --------------------------------------------------------------------------


def _receive(ctx, user):
    services.stock_receive(product=ctx["product"], location=ctx["bin_a"], quantity=1, user=user)


def _count(ctx, user):
    services.stock_adjust(product=ctx["product"], location=ctx["bin_a"], counted=9, user=user)


def _adjust(ctx, user):
    services.stock_adjust(
        product=ctx["product"],
        location=ctx["bin_a"],
        counted=3,
        user=user,
        reason="Found damaged",
        is_count=False,
    )


def _transfer(ctx, user):
    services.stock_transfer(
        product=ctx["product"],
        from_location=ctx["bin_a"],
        to_location=ctx["bin_b"],
        quantity=1,
        user=user,
    )


def _product_create(ctx, user):
    services.product_create(user=user, sku="ROLE-1", name="Role test")


def _product_update(ctx, user):
    services.product_update(product=ctx["product"], user=user, name="Renamed")


def _product_deactivate(ctx, user):
    services.product_deactivate(product=ctx["product"], user=user)


def _supplier_create(ctx, user):
    services.supplier_create(code="acme", name="Acme", user=user)


def _warehouse_create(ctx, user):
    services.warehouse_create(code="EAST", name="East", user=user)


def _location_create(ctx, user):
    services.location_create(warehouse=ctx["warehouse"], code="C-01-01", user=user)


ACTIONS = {
    "receive": (_receive, {"warehouse", "manager"}),
    "count": (_count, {"warehouse", "manager"}),
    "adjust": (_adjust, {"manager"}),
    "transfer": (_transfer, {"warehouse", "manager"}),
    "product_create": (_product_create, {"manager"}),
    "product_update": (_product_update, {"manager"}),
    "product_deactivate": (_product_deactivate, {"manager"}),
    "supplier_create": (_supplier_create, {"manager"}),
    "warehouse_create": (_warehouse_create, {"manager"}),
    "location_create": (_location_create, {"warehouse", "manager"}),
}
ROLES = ["sales", "warehouse", "manager", "nobody"]


def everything(ctx):
    """Return every row the actions above could touch, to prove a refusal changed nothing."""
    return (
        product_rows(),
        list(Warehouse.objects.order_by("pk").values_list("code", "name")),
        list(Location.objects.order_by("pk").values_list("code", "barcode")),
        list(Supplier.objects.order_by("pk").values_list("code", "name")),
        sorted(StockLevel.objects.values_list("product_id", "location_id", "on_hand", "allocated")),
        StockMovement.objects.count(),
    )


@pytest.fixture
def role_user(request, db):
    """Return a user for the role named by the test's parameter; "nobody" holds no role."""
    name = request.param
    if name == "nobody":
        return UserFactory(username="no.role")
    return request.getfixturevalue(f"{name}_user")


@pytest.fixture
def ctx(stocked, warehouse, bin_a, bin_b):
    return {"product": stocked, "warehouse": warehouse, "bin_a": bin_a, "bin_b": bin_b}


@pytest.mark.parametrize(
    ("action", "role_user"),
    [
        pytest.param(action, role, id=f"{role}-cannot-{action}")
        for action, (_, allowed) in ACTIONS.items()
        for role in ROLES
        if role not in allowed
    ],
    indirect=["role_user"],
)
def test_roles_without_the_permission_are_refused(ctx, action, role_user):
    # given
    run, _ = ACTIONS[action]
    before = everything(ctx)
    # when
    with pytest.raises(NotAllowed):
        run(ctx, role_user)
    # then
    assert everything(ctx) == before


@pytest.mark.parametrize(
    ("action", "role_user"),
    [
        pytest.param(action, role, id=f"{role}-can-{action}")
        for action, (_, allowed) in ACTIONS.items()
        for role in sorted(allowed)
    ],
    indirect=["role_user"],
)
def test_roles_with_the_permission_are_served(ctx, action, role_user):
    # given
    run, _ = ACTIONS[action]
    before = everything(ctx)
    # when
    run(ctx, role_user)
    # then
    assert everything(ctx) != before
    assert ledger_mismatches() == []


def test_an_inactive_user_is_refused_even_with_a_role(ctx):
    # given
    user = UserFactory(username="gone", roles=["Warehouse"], is_active=False)
    before = everything(ctx)
    # when
    with pytest.raises(NotAllowed):
        _receive(ctx, user)
    # then
    assert everything(ctx) == before


def test_a_superuser_may_do_everything(ctx, admin_user):
    # given
    # when
    for run, _ in ACTIONS.values():
        run(ctx, admin_user)
    # then
    assert Warehouse.objects.filter(code="EAST").exists()
    assert ledger_mismatches() == []
