"""Catalogue services: products, warehouses and bins, with the rules every screen shares."""

from decimal import Decimal

import pytest

from inventory import services
from inventory.models import Location, Product, StockMovement, Warehouse
from oms.errors import Conflict, InvalidInput, NotFound
from tests.factories import ProductFactory, WarehouseFactory
from tests.inventory.helpers import product_rows

Kind = StockMovement.Kind


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
