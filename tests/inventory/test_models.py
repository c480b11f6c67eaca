"""Inventory models: the append-only ledger and the database's own guards on stock."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from inventory import services
from inventory.models import Location, Product, StockLevel, StockMovement
from tests.factories import LocationFactory, ProductFactory


@pytest.fixture
def movement(stocked):
    return StockMovement.objects.get(product=stocked)


def test_a_saved_movement_cannot_be_changed(movement):
    # given the receipt of 10
    movement.quantity = 99
    # when
    with pytest.raises(ValidationError, match="cannot be changed"):
        movement.save()
    # then
    assert StockMovement.objects.get(pk=movement.pk).quantity == 10


def test_a_movement_cannot_be_deleted(movement):
    # given
    count = StockMovement.objects.count()
    # when
    with pytest.raises(ValidationError, match="cannot be deleted"):
        movement.delete()
    # then
    assert StockMovement.objects.count() == count


def test_a_movement_cannot_be_inserted_again_over_itself(movement):
    # given
    # when
    with pytest.raises(IntegrityError), transaction.atomic():
        movement.save(force_insert=True)
    # then
    assert StockMovement.objects.count() == 1


def test_a_movement_of_zero_is_refused_by_the_database(product, bin_a):
    # given
    # when
    with pytest.raises(IntegrityError), transaction.atomic():
        StockMovement.objects.create(
            product=product, location=bin_a, kind="receipt", quantity=0, on_hand_after=0
        )
    # then
    assert not StockMovement.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"on_hand": -1, "allocated": 0}, id="negative-on-hand"),
        pytest.param({"allocated": -1}, id="negative-allocated"),
        pytest.param({"allocated": 11}, id="allocated-over-on-hand"),
        pytest.param({"allocated": F("on_hand") + 1}, id="allocated-over-on-hand-expression"),
        pytest.param({"on_hand": 3, "allocated": 4}, id="on-hand-under-allocated"),
    ],
)
def test_the_database_refuses_impossible_stock(stocked, bin_a, snapshot, change):
    # given 10 on hand, nothing allocated
    before = snapshot()
    # when a raw update skips the services
    with pytest.raises(IntegrityError), transaction.atomic():
        StockLevel.objects.filter(product=stocked, location=bin_a).update(**change)
    # then
    assert snapshot() == before


def test_the_database_accepts_allocated_equal_to_on_hand(stocked, bin_a):
    # given
    # when
    StockLevel.objects.filter(product=stocked, location=bin_a).update(allocated=10)
    # then
    assert StockLevel.objects.get(product=stocked, location=bin_a).available == 0


def test_one_stock_row_per_product_and_bin(stocked, bin_a, snapshot):
    # given
    before = snapshot()
    # when
    with pytest.raises(IntegrityError), transaction.atomic():
        StockLevel.objects.create(product=stocked, location=bin_a)
    # then
    assert snapshot() == before


def test_bin_codes_are_unique_within_a_warehouse(bin_a):
    # given
    # when
    with pytest.raises(IntegrityError), transaction.atomic():
        Location.objects.create(warehouse=bin_a.warehouse, code=bin_a.code, barcode="OTHER")
    # then
    assert Location.objects.filter(code=bin_a.code).count() == 1


def test_many_products_may_have_no_barcode(db):
    # given
    ProductFactory(barcode=None)
    # when
    ProductFactory(barcode=None)
    # then
    assert Product.objects.filter(barcode__isnull=True).count() == 2


def test_product_clean_turns_a_blank_barcode_into_null(db):
    # given
    product = Product(sku="X-1", name="X", barcode="")
    # when
    product.full_clean()
    # then
    assert product.barcode is None


def test_product_validation_refuses_a_wrong_check_digit(db):
    # given
    product = Product(sku="X-1", name="X", barcode="4006381333932")
    # when
    with pytest.raises(ValidationError) as caught:
        product.full_clean()
    # then
    assert "barcode" in caught.value.message_dict


def test_with_stock_adds_up_every_bin(stocked, bin_b):
    # given 10 in A, 5 in B, 3 promised
    services.stock_receive(product=stocked, location=bin_b, quantity=5)
    services.stock_allocate(product=stocked, quantity=3)
    other = ProductFactory()
    # when
    totals = {p.pk: p for p in Product.objects.with_stock()}
    # then
    mug = totals[stocked.pk]
    assert (mug.total_on_hand, mug.total_allocated, mug.total_available) == (15, 3, 12)
    assert (totals[other.pk].total_on_hand, totals[other.pk].total_available) == (0, 0)


def test_location_default_barcode_names_warehouse_and_bin(warehouse):
    # given
    # when
    location = LocationFactory(warehouse=warehouse, code="B-02-03", barcode="")
    location.full_clean()
    # then
    assert location.barcode == "BIN-MAIN-B-02-03"
    assert Location.default_barcode("east", "a-01-01") == "BIN-EAST-A-01-01"


def test_str_of_stock_and_movement_reads_well(stocked, bin_a):
    # given
    level = StockLevel.objects.get(product=stocked, location=bin_a)
    movement = StockMovement.objects.get(product=stocked)
    # when
    texts = (str(level), str(movement))
    # then
    assert texts == ("MUG-RED @ MAIN/A-01-01: 10 on hand", "Receipt +10 MUG-RED @ MAIN/A-01-01")
