"""Inventory reads: each selector's rows on a small catalogue, and what they cost in queries."""

import pytest

from inventory import selectors, services
from inventory.models import StockLevel
from inventory.selectors import product_find_by_code, product_get_by_sku
from oms.errors import NotFound
from tests.factories import LocationFactory, ProductFactory, SupplierFactory, WarehouseFactory


@pytest.fixture
def east_bin(db):
    """A bin in a second warehouse, EAST, walked after MAIN; one of its codes is also in MAIN."""
    east = WarehouseFactory(code="EAST", name="East depot", priority=200)
    LocationFactory(warehouse=east, code="A-01-01", pick_sequence=5)
    return LocationFactory(warehouse=east, code="E-01-01", pick_sequence=10)


# --- looking products up ----------------------------------------------------------------------


def test_product_get_by_sku_ignores_case_and_spaces(product):
    # given a product MUG-RED
    # when
    found = product_get_by_sku("  mug-red ")
    # then
    assert found == product


def test_product_get_by_sku_refuses_an_unknown_sku(product, snapshot):
    # given
    before = snapshot()
    # when
    with pytest.raises(NotFound) as caught:
        product_get_by_sku("NO-SUCH-SKU")
    # then
    assert caught.value.field == "sku"
    assert "NO-SUCH-SKU" in caught.value.message
    assert snapshot() == before


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("036000291452", id="upc-a"),
        pytest.param("0036000291452", id="upc-a-as-ean-13"),
        pytest.param(" 036000291452\n", id="with-whitespace"),
        pytest.param("cap-upc", id="sku-any-case"),
    ],
)
def test_product_find_by_code_reads_a_barcode_in_any_spelling_or_a_sku(db, code):
    # given
    cap = ProductFactory(sku="CAP-UPC", barcode="036000291452")
    ProductFactory(sku="OTHER")
    # when
    found = product_find_by_code(code)
    # then
    assert found == cap


def test_product_find_by_code_prefers_a_barcode_to_a_sku(db):
    # given a product whose SKU is another product's barcode
    by_barcode = ProductFactory(sku="MUG-RED", barcode="4006381333931")
    ProductFactory(sku="4006381333931", barcode=None)
    # when
    found = product_find_by_code("4006381333931")
    # then
    assert found == by_barcode


@pytest.mark.parametrize("code", ["", "   ", None, "NOPE", "4006381333948"])
def test_product_find_by_code_finds_nothing_for_an_unknown_or_blank_code(product, code):
    # when
    found = product_find_by_code(code)
    # then
    assert found is None


def test_product_find_by_code_finds_a_deactivated_product(product, manager_user):
    # given
    services.product_deactivate(product=product, user=manager_user)
    # when
    found = product_find_by_code("MUG-RED")
    # then
    assert found == product
    assert found.is_active is False


def test_product_find_by_code_adds_stock_totals_when_asked(stocked, bin_b):
    # given 10 in bin A, 5 in bin B, 4 of them promised
    services.stock_receive(product=stocked, location=bin_b, quantity=5)
    services.stock_allocate(product=stocked, quantity=4)
    # when
    found = product_find_by_code(stocked.barcode, with_stock=True)
    # then
    assert (found.total_on_hand, found.total_allocated, found.total_available) == (15, 4, 11)


def test_product_find_by_code_costs_one_query_for_a_barcode_two_for_a_sku(
    product, django_assert_num_queries
):
    # when / then: the supplier comes with the product
    with django_assert_num_queries(1):
        by_barcode = product_find_by_code(product.barcode)
        assert by_barcode.supplier is None
    with django_assert_num_queries(2):
        assert product_find_by_code("MUG-RED", with_stock=True) == product


# --- warehouses and bins ----------------------------------------------------------------------


def test_warehouse_get_ignores_case_and_refuses_an_unknown_code(warehouse):
    # when
    found = selectors.warehouse_get(" main ")
    with pytest.raises(NotFound) as caught:
        selectors.warehouse_get("NOWHERE", field="lines[0].warehouse")
    # then
    assert found == warehouse
    assert caught.value.errors == {"lines[0].warehouse": ["There is no warehouse 'NOWHERE'."]}
    assert caught.value.code == "unknown_warehouse"


def test_location_get_takes_a_code_or_a_barcode_within_the_warehouse(bin_a, east_bin):
    # when
    by_code = selectors.location_get(warehouse=bin_a.warehouse, code="a-01-01")
    by_barcode = selectors.location_get(warehouse=bin_a.warehouse, code="bin-main-a-01-01")
    with pytest.raises(NotFound) as elsewhere:
        selectors.location_get(warehouse=bin_a.warehouse, code=east_bin.barcode)
    # then
    assert by_code == by_barcode == bin_a
    assert elsewhere.value.code == "unknown_location"


@pytest.mark.parametrize(
    ("code", "in_main", "expected"),
    [
        pytest.param("BIN-MAIN-A-01-01", False, "bin_a", id="barcode"),
        pytest.param("a-01-01", True, "bin_a", id="code-in-the-warehouse"),
        pytest.param("A-01-01", False, None, id="code-in-two-warehouses"),
        pytest.param("A-01-02", False, "bin_b", id="code-in-one-warehouse"),
        pytest.param("B-99-99", True, None, id="unknown"),
        pytest.param("  ", False, None, id="blank"),
    ],
)
def test_location_find_by_code_reads_a_scan(
    request, bin_a, bin_b, east_bin, code, in_main, expected
):
    # when
    found = selectors.location_find_by_code(code, warehouse=bin_a.warehouse if in_main else None)
    # then
    assert found == (request.getfixturevalue(expected) if expected else None)


def test_bins_by_id_and_a_warehouses_bins_in_walking_order(
    warehouse, bin_a, bin_b, east_bin, django_assert_num_queries
):
    # given a closed bin walked first
    LocationFactory(warehouse=warehouse, code="A-00-01", pick_sequence=1, is_active=False)
    # when
    with django_assert_num_queries(1):
        by_id = selectors.locations_by_ids([bin_b.pk, east_bin.pk, 999999])
        assert {pk: loc.warehouse.code for pk, loc in by_id.items()} == {
            bin_b.pk: "MAIN",
            east_bin.pk: "EAST",
        }
    with django_assert_num_queries(1):
        walk = selectors.warehouse_bins("main", limit=10)
        assert [(loc.code, loc.warehouse.code) for loc in walk] == [
            ("A-01-01", "MAIN"),
            ("A-01-02", "MAIN"),
        ]
    # then
    assert selectors.warehouse_bins("MAIN", limit=1) == [bin_a]


def test_supplier_get_ignores_case_and_refuses_an_unknown_code(db):
    # given
    acme = SupplierFactory(code="ACME")
    # when
    found = selectors.supplier_get("acme")
    with pytest.raises(NotFound) as caught:
        selectors.supplier_get("WHO")
    # then
    assert found == acme
    assert caught.value.code == "unknown_supplier"


# --- products and stock -----------------------------------------------------------------------


@pytest.fixture
def catalogue(stocked, bin_b, east_bin, manager_user):
    """MUG-RED: 10 in A-01-01 and 5 in EAST, 3 promised; CAP-UPC low; OLD deactivated."""
    services.stock_receive(product=stocked, location=east_bin, quantity=5)
    services.stock_allocate(product=stocked, quantity=3)
    cap = ProductFactory(sku="CAP-UPC", name="Blue cap", barcode="036000291452", reorder_point=5)
    services.stock_receive(product=cap, location=bin_b, quantity=2)
    old = ProductFactory(sku="OLD", name="Old mug")
    services.product_deactivate(product=old, user=manager_user)
    return {"mug": stocked, "cap": cap, "old": old}


@pytest.mark.parametrize(
    ("search", "only_active", "skus"),
    [
        ("", True, ["CAP-UPC", "MUG-RED"]),
        ("", False, ["OLD"]),
        ("", None, ["CAP-UPC", "MUG-RED", "OLD"]),
        ("mug", None, ["MUG-RED", "OLD"]),
        ("0036000291452", True, ["CAP-UPC"]),
        ("blue", True, ["CAP-UPC"]),
    ],
)
def test_product_list_searches_sku_name_and_barcode(catalogue, search, only_active, skus):
    # when
    rows = selectors.product_list(search=search, only_active=only_active).order_by("sku")
    # then
    assert [product.sku for product in rows] == skus


def test_product_list_sums_stock_over_every_bin_in_one_query(catalogue, django_assert_num_queries):
    # when
    with django_assert_num_queries(1):
        rows = {p.sku: p for p in selectors.product_list(only_active=None)}
        totals = {
            sku: (p.total_on_hand, p.total_allocated, p.total_available) for sku, p in rows.items()
        }
        suppliers = [p.supplier for p in rows.values()]
    # then
    assert totals == {"MUG-RED": (15, 3, 12), "CAP-UPC": (2, 0, 2), "OLD": (0, 0, 0)}
    assert suppliers == [None, None, None]


def test_low_stock_products_are_active_stocked_and_at_or_under_their_reorder_point(catalogue):
    # given a drop-ship product with a reorder point and nothing in stock
    ProductFactory(sku="SOFA", is_drop_ship=True, reorder_point=5)
    # when
    low = selectors.low_stock_products()
    # then
    assert [product.sku for product in low] == ["CAP-UPC"]


def test_stock_levels_walk_the_warehouses_in_priority_then_pick_order(catalogue, bin_a, bin_b):
    # when
    rows = list(selectors.stock_levels())
    mug_rows = list(selectors.stock_levels(product=catalogue["mug"]))
    # then
    assert [(row.product.sku, str(row.location.code)) for row in rows] == [
        ("MUG-RED", "A-01-01"),
        ("CAP-UPC", "A-01-02"),
        ("MUG-RED", "E-01-01"),
    ]
    assert [row.on_hand for row in mug_rows] == [10, 5]


def test_product_detail_brings_its_stock_rows_in_two_queries(catalogue, django_assert_num_queries):
    # when
    with django_assert_num_queries(2):
        product = selectors.product_detail(catalogue["mug"].pk)
        bins = [
            (level.location.warehouse.code, level.on_hand) for level in product.stock_levels.all()
        ]
    with pytest.raises(NotFound):
        selectors.product_detail(999999)
    # then
    assert bins == [("MAIN", 10), ("EAST", 5)]
    assert product.total_available == 12


def test_products_by_ids_in_one_query(catalogue, django_assert_num_queries):
    # when
    with django_assert_num_queries(1):
        found = selectors.products_by_ids([catalogue["cap"].pk, 999999])
    # then
    assert found == {catalogue["cap"].pk: catalogue["cap"]}


def test_stock_in_bin_lists_what_is_on_hand_by_sku(catalogue, bin_a, bin_b, manager_user):
    # given a product counted out of bin A
    empty = ProductFactory(sku="AAA-EMPTY")
    services.stock_receive(product=empty, location=bin_a, quantity=1)
    services.stock_adjust(product=empty, location=bin_a, counted=0, user=manager_user)
    # when
    rows = selectors.stock_in_bin(bin_a)
    # then
    assert [(row.product.sku, row.on_hand) for row in rows] == [("MUG-RED", 10)]


def test_bins_to_count_lists_the_bins_a_short_pick_asked_to_count(catalogue, bin_a):
    # given a short pick of one promised mug in bin A
    services.stock_short_pick(product=catalogue["mug"], location=bin_a, quantity=1)
    # when
    rows = list(selectors.bins_to_count())
    # then
    assert [(row.product.sku, row.location.code) for row in rows] == [("MUG-RED", "A-01-01")]


# --- the ledger -------------------------------------------------------------------------------


def test_movements_are_newest_first_and_per_product(catalogue, django_assert_num_queries):
    # when
    with django_assert_num_queries(1):
        everything = [(m.kind, m.product.sku, m.location.code) for m in selectors.movements()]
    mug = list(selectors.movements(product=catalogue["mug"]))
    # then
    assert everything == [
        ("receipt", "CAP-UPC", "A-01-02"),
        ("receipt", "MUG-RED", "E-01-01"),
        ("receipt", "MUG-RED", "A-01-01"),
    ]
    assert [m.quantity for m in mug] == [5, 10]


def test_ledger_mismatches_name_the_bin_whose_on_hand_differs(catalogue, bin_a):
    # given a stock row changed behind the ledger's back
    StockLevel.objects.filter(product=catalogue["mug"], location=bin_a).update(
        on_hand=11, allocated=3
    )
    # when
    wrong = selectors.ledger_mismatches()
    # then
    assert wrong == [{"sku": "MUG-RED", "location": str(bin_a), "on_hand": 11, "ledger": 10}]


# --- counts and purchase orders ---------------------------------------------------------------


def test_count_adjustments_carry_the_stock_now_oldest_first(
    catalogue, bin_a, bin_b, warehouse_user, settings, django_assert_num_queries
):
    # given two counts too far from the record, then stock moved in bin A
    settings.OMS_COUNT_APPROVAL_SHARE = 0.10
    services.stock_count(product=catalogue["mug"], location=bin_a, counted=20, user=warehouse_user)
    services.stock_count(product=catalogue["cap"], location=bin_b, counted=9, user=warehouse_user)
    services.stock_receive(product=catalogue["mug"], location=bin_a, quantity=1)
    # when
    with django_assert_num_queries(1):
        rows = [
            (
                row.product.sku,
                row.location.warehouse.code,
                row.counted,
                row.on_hand_now,
                row.counted_by,
            )
            for row in selectors.count_adjustments()
        ]
    # then
    assert rows == [
        ("MUG-RED", "MAIN", 20, 11, warehouse_user),
        ("CAP-UPC", "MAIN", 9, 2, warehouse_user),
    ]


def test_purchase_orders_come_with_their_lines_in_constant_queries(
    catalogue, warehouse, manager_user, django_assert_num_queries
):
    # given two purchase orders of two lines each
    supplier = SupplierFactory(code="ACME")
    for _ in range(2):
        services.purchase_order_create(
            supplier=supplier,
            warehouse=warehouse,
            lines=[(catalogue["mug"], 5), (catalogue["cap"], 2)],
            user=manager_user,
        )
    # when
    with django_assert_num_queries(2):
        rows = [
            (po.supplier.code, po.warehouse.code, [line.product.sku for line in po.lines.all()])
            for po in selectors.purchase_orders().order_by("pk")
        ]
    # then
    assert rows == [("ACME", "MAIN", ["MUG-RED", "CAP-UPC"])] * 2


def test_purchase_order_by_number_ignores_case_and_blanks(catalogue, warehouse, manager_user):
    # given
    po = services.purchase_order_create(
        supplier=SupplierFactory(),
        warehouse=warehouse,
        lines=[(catalogue["mug"], 1)],
        user=manager_user,
    )
    # when / then
    assert selectors.purchase_order_by_number(po.number.lower()) == po
    assert selectors.purchase_order_by_number("  ") is None
    assert selectors.purchase_order_by_number("PO-999999") is None
