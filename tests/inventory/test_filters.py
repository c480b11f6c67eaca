"""The inventory API's query-string filters: each filter's rows on a small catalogue."""

import datetime

import pytest
from django.utils import timezone

from inventory import selectors, services
from inventory.filters import (
    CountAdjustmentFilter,
    LocationFilter,
    MovementFilter,
    ProductFilter,
    PurchaseOrderFilter,
    StockFilter,
    WarehouseFilter,
)
from inventory.models import CountAdjustment, Location, PurchaseOrder, StockMovement, Warehouse
from tests.factories import LocationFactory, ProductFactory, SupplierFactory, WarehouseFactory


def rows(filterset_class, queryset, **params):
    """Return the rows a filter set keeps for these query parameters (refusing bad input)."""
    filterset = filterset_class(data=params, queryset=queryset)
    assert filterset.is_valid(), filterset.errors
    return list(filterset.qs)


@pytest.fixture
def acme(db):
    return SupplierFactory(code="ACME", name="Acme")


@pytest.fixture
def catalogue(stocked, bin_b, acme, manager_user):
    """MUG-RED: 10 in A-01-01, 4 promised; CAP-UPC from Acme, 2 in A-01-02 (low);
    SOFA drop-ship; OLD deactivated."""
    services.stock_allocate(product=stocked, quantity=4)
    cap = ProductFactory(
        sku="CAP-UPC", name="Blue cap", barcode="036000291452", reorder_point=5, supplier=acme
    )
    services.stock_receive(product=cap, location=bin_b, quantity=2, reference="DEL-7")
    sofa = ProductFactory(sku="SOFA", name="Sofa", is_drop_ship=True, supplier=acme)
    old = ProductFactory(sku="OLD", name="Old mug")
    services.product_deactivate(product=old, user=manager_user)
    return {"mug": stocked, "cap": cap, "sofa": sofa, "old": old}


# --- products ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "skus"),
    [
        ({}, ["CAP-UPC", "MUG-RED", "OLD", "SOFA"]),
        ({"sku": "mug-red"}, ["MUG-RED"]),
        ({"barcode": "0036000291452"}, ["CAP-UPC"]),
        ({"barcode": "036000291452"}, ["CAP-UPC"]),
        ({"active": "false"}, ["OLD"]),
        ({"supplier": "acme"}, ["CAP-UPC", "SOFA"]),
        ({"drop_ship": "true"}, ["SOFA"]),
        ({"low": "true"}, ["CAP-UPC"]),
        ({"low": "false"}, ["MUG-RED", "OLD", "SOFA"]),
        ({"q": "mug"}, ["MUG-RED", "OLD"]),
        ({"q": "4006381333931"}, ["MUG-RED"]),
        ({"q": "blue"}, ["CAP-UPC"]),
    ],
)
def test_product_filters(catalogue, params, skus):
    # when
    found = rows(ProductFilter, selectors.product_list(only_active=None).order_by("sku"), **params)
    # then
    assert [product.sku for product in found] == skus


@pytest.mark.parametrize(
    ("ordering", "skus"),
    [
        ("available", ["SOFA", "OLD", "CAP-UPC", "MUG-RED"]),
        ("-available", ["MUG-RED", "CAP-UPC", "SOFA", "OLD"]),
        ("-on_hand", ["MUG-RED", "CAP-UPC", "SOFA", "OLD"]),
    ],
)
def test_product_ordering_breaks_ties_by_primary_key(catalogue, ordering, skus):
    # when
    found = rows(ProductFilter, selectors.product_list(only_active=None), ordering=ordering)
    # then: SOFA and OLD both have nothing; SOFA was made first
    assert [product.sku for product in found] == skus


# --- warehouses and bins ----------------------------------------------------------------------


def test_warehouse_filters(warehouse):
    # given
    WarehouseFactory(code="EAST", priority=5, is_active=False)
    everything = Warehouse.objects.all()
    # then
    assert [w.code for w in rows(WarehouseFilter, everything, code="east")] == ["EAST"]
    assert [w.code for w in rows(WarehouseFilter, everything, active="true")] == ["MAIN"]
    assert [w.code for w in rows(WarehouseFilter, everything, ordering="priority")] == [
        "EAST",
        "MAIN",
    ]


def test_location_filters(bin_a, bin_b):
    # given a closed bin in another warehouse with bin A's code
    east = WarehouseFactory(code="EAST")
    LocationFactory(warehouse=east, code="A-01-01", is_active=False)
    everything = Location.objects.select_related("warehouse")
    # when
    by_code = rows(LocationFilter, everything, code="a-01-01", ordering="warehouse")
    # then
    assert [(loc.warehouse.code, loc.code) for loc in by_code] == [
        ("EAST", "A-01-01"),
        ("MAIN", "A-01-01"),
    ]
    assert rows(LocationFilter, everything, warehouse="main", ordering="-pick_sequence") == [
        bin_b,
        bin_a,
    ]
    assert rows(LocationFilter, everything, barcode="bin-main-a-01-02") == [bin_b]
    assert len(rows(LocationFilter, everything, active="false")) == 1


# --- stock and the ledger ---------------------------------------------------------------------


def stock_rows():
    from django.db.models import F

    return selectors.stock_levels().annotate(available_quantity=F("on_hand") - F("allocated"))


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, [("MUG-RED", "A-01-01"), ("CAP-UPC", "A-01-02")]),
        ({"sku": "cap-upc"}, [("CAP-UPC", "A-01-02")]),
        ({"warehouse": "main", "location": "a-01-01"}, [("MUG-RED", "A-01-01")]),
        ({"available_gt": "5"}, [("MUG-RED", "A-01-01")]),
        ({"available_gt": "6"}, []),
        ({"low": "true"}, [("CAP-UPC", "A-01-02")]),
        ({"low": "false"}, [("MUG-RED", "A-01-01")]),
        ({"ordering": "-on_hand"}, [("MUG-RED", "A-01-01"), ("CAP-UPC", "A-01-02")]),
        ({"ordering": "available"}, [("CAP-UPC", "A-01-02"), ("MUG-RED", "A-01-01")]),
    ],
)
def test_stock_filters(catalogue, params, expected):
    # when
    found = rows(StockFilter, stock_rows(), **params)
    # then
    assert [(row.product.sku, row.location.code) for row in found] == expected


def test_stock_filter_by_product_id(catalogue):
    # when
    found = rows(StockFilter, stock_rows(), product=str(catalogue["cap"].pk))
    # then
    assert [row.product.sku for row in found] == ["CAP-UPC"]


@pytest.mark.parametrize("bad", [{"available_gt": str(2**31)}, {"product": "0"}, {"product": "x"}])
def test_a_stock_filter_outside_its_column_is_refused(catalogue, bad):
    # when
    filterset = StockFilter(data=bad, queryset=stock_rows())
    # then
    assert not filterset.is_valid()


def test_movement_filters(catalogue, bin_a, bin_b, manager_user):
    # given a count in bin A, booked yesterday's receipts aside
    services.stock_adjust(product=catalogue["mug"], location=bin_a, counted=9, user=manager_user)
    ledger = selectors.movements()
    today = timezone.localdate()
    # then
    assert [m.kind for m in rows(MovementFilter, ledger, sku="mug-red")] == ["count", "receipt"]
    assert [m.product.sku for m in rows(MovementFilter, ledger, kind="receipt")] == [
        "CAP-UPC",
        "MUG-RED",
    ]
    assert [m.reference for m in rows(MovementFilter, ledger, reference="del-7")] == ["DEL-7"]
    assert len(rows(MovementFilter, ledger, warehouse="MAIN", location="A-01-02")) == 1
    assert len(rows(MovementFilter, ledger, created_after=today.isoformat())) == 3
    yesterday = (today - datetime.timedelta(days=1)).isoformat()
    assert rows(MovementFilter, ledger, created_before=yesterday) == []
    assert [m.quantity for m in rows(MovementFilter, ledger, ordering="quantity")] == [-1, 2, 10]
    assert StockMovement.objects.count() == 3


# --- purchase orders and counts ---------------------------------------------------------------


@pytest.fixture
def purchase_orders(catalogue, acme, warehouse, manager_user):
    """A draft for caps, a sent order for mugs and caps, and a drop-ship order for a sofa."""
    draft = services.purchase_order_create(
        supplier=acme, warehouse=warehouse, lines=[(catalogue["cap"], 5)], user=manager_user
    )
    sent = services.purchase_order_create(
        supplier=SupplierFactory(code="OTHER"),
        warehouse=warehouse,
        lines=[(catalogue["mug"], 5), (catalogue["cap"], 1)],
        user=manager_user,
    )
    sent = services.purchase_order_send(purchase_order_id=sent.pk, user=manager_user)
    drop = services.purchase_order_drop_ship(
        supplier=acme,
        lines=[(catalogue["sofa"], 1)],
        ship_to="1 High St",
        customer_reference="SO-000001",
    )
    cancelled = services.purchase_order_create(
        supplier=acme, warehouse=warehouse, lines=[(catalogue["mug"], 1)], user=manager_user
    )
    services.purchase_order_cancel(purchase_order_id=cancelled.pk, user=manager_user)
    return {"draft": draft, "sent": sent, "drop": drop, "cancelled": cancelled}


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"status": ["draft", "cancelled"]}, ["draft", "cancelled"]),
        ({"supplier": "other"}, ["sent"]),
        ({"warehouse": "main"}, ["draft", "sent", "cancelled"]),
        ({"sku": "cap-upc"}, ["draft", "sent"]),
        ({"drop_ship": "true"}, ["drop"]),
        ({"open": "true"}, ["draft", "sent", "drop"]),
        ({"open": "false"}, ["cancelled"]),
        ({"customer_reference": "so-000001"}, ["drop"]),
    ],
)
def test_purchase_order_filters(purchase_orders, params, names):
    # given
    name_of = {po.pk: name for name, po in purchase_orders.items()}
    # when
    found = rows(PurchaseOrderFilter, PurchaseOrder.objects.order_by("pk"), **params)
    # then
    assert [name_of[po.pk] for po in found] == names


def test_purchase_order_filter_by_number(purchase_orders):
    # when
    found = rows(
        PurchaseOrderFilter,
        PurchaseOrder.objects.all(),
        number=purchase_orders["sent"].number.lower(),
    )
    # then
    assert found == [purchase_orders["sent"]]


def test_count_adjustment_filters(catalogue, bin_a, bin_b, warehouse_user, manager_user):
    # given two counts too far from the record, one of them rejected
    mug = services.stock_count(
        product=catalogue["mug"], location=bin_a, counted=30, user=warehouse_user
    ).pending
    services.stock_count(product=catalogue["cap"], location=bin_b, counted=9, user=warehouse_user)
    services.count_adjustment_reject(adjustment_id=mug.pk, user=manager_user, note="again")
    everything = CountAdjustment.objects.order_by("pk")
    # then
    assert [c.product.sku for c in rows(CountAdjustmentFilter, everything, status=["pending"])] == [
        "CAP-UPC"
    ]
    assert [c.status for c in rows(CountAdjustmentFilter, everything, sku="mug-red")] == [
        "rejected"
    ]
    assert len(rows(CountAdjustmentFilter, everything, warehouse="main")) == 2
    assert rows(CountAdjustmentFilter, everything, warehouse="east") == []


def test_every_filter_is_part_of_the_one_list_query(purchase_orders, django_assert_num_queries):
    # given
    products = ProductFilter(
        data={"low": "true", "q": "cap", "supplier": "acme", "ordering": "-available"},
        queryset=selectors.product_list(only_active=None),
    )
    stock = StockFilter(data={"low": "false", "available_gt": "1"}, queryset=stock_rows())
    orders = PurchaseOrderFilter(
        data={"sku": "cap-upc", "open": "true", "status": ["draft", "sent"]},
        queryset=PurchaseOrder.objects.all(),
    )
    # when / then
    with django_assert_num_queries(3):
        assert [p.sku for p in products.qs] == ["CAP-UPC"]
        assert [row.product.sku for row in stock.qs] == ["MUG-RED"]
        assert len(orders.qs) == 2
