import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inventory import services
from tests.factories import LocationFactory, ProductFactory, SupplierFactory

LIST = reverse("inventory:product_list")


@pytest.fixture
def as_sales(client, sales_user):
    client.force_login(sales_user)
    return client


@pytest.fixture
def as_warehouse(client, warehouse_user):
    client.force_login(warehouse_user)
    return client


def test_product_list_needs_login(client, db):
    # when
    response = client.get(LIST)
    # then
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_product_list_shows_on_hand_allocated_and_available(as_sales, stocked, bin_a):
    # given 10 on hand, 3 promised to orders
    services.stock_allocate(product=stocked, quantity=3)
    # when
    response = as_sales.get(LIST)
    # then
    page = list(response.context["page"])
    assert [(p.sku, p.total_on_hand, p.total_allocated, p.total_available) for p in page] == [
        ("MUG-RED", 10, 3, 7)
    ]
    assert "Red mug" in response.text


def test_search_by_partial_name_lists_matches(as_sales, db):
    # given
    ProductFactory(sku="MUG-RED", name="Red mug")
    ProductFactory(sku="MUG-BLUE", name="Blue mug")
    ProductFactory(sku="PLATE", name="Dinner plate")
    # when
    response = as_sales.get(LIST, {"q": "mug"})
    # then
    assert sorted(p.sku for p in response.context["page"]) == ["MUG-BLUE", "MUG-RED"]


def test_scanning_a_barcode_into_search_opens_the_product(as_sales, product):
    # when a scanner types the EAN-13 into the search box
    response = as_sales.get(LIST, {"q": "4006381333931"})
    # then
    assert response.status_code == 302
    assert response["Location"] == product.get_absolute_url()


def test_a_upc_a_scanned_with_a_leading_zero_finds_the_product(as_sales, db):
    # given a UPC-A product; some scanners send it as EAN-13 with a leading 0
    upc = ProductFactory(sku="CEREAL", barcode="036000291452")
    # when
    response = as_sales.get(LIST, {"q": "0036000291452"})
    # then
    assert response["Location"] == upc.get_absolute_url()


def test_an_exact_sku_opens_the_product_unless_exact_is_off(as_sales, product):
    # when
    opened = as_sales.get(LIST, {"q": "mug-red"})
    listed = as_sales.get(LIST, {"q": "mug-red", "exact": "0"})
    # then
    assert opened.status_code == 302
    assert listed.status_code == 200
    assert [p.sku for p in listed.context["page"]] == ["MUG-RED"]


def test_low_stock_filter_shows_products_at_or_under_reorder_point(as_sales, bin_a):
    # given
    low = ProductFactory(sku="LOW", reorder_point=5)
    ok = ProductFactory(sku="OK", reorder_point=5)
    services.stock_receive(product=low, location=bin_a, quantity=5)
    services.stock_receive(product=ok, location=bin_a, quantity=6)
    # when
    response = as_sales.get(LIST, {"stock": "low"})
    # then
    assert [p.sku for p in response.context["page"]] == ["LOW"]
    assert "low" in response.text


def test_deactivated_products_are_hidden_unless_asked_for(as_sales, db):
    # given
    ProductFactory(sku="OLD", is_active=False)
    ProductFactory(sku="NEW")
    # when
    default = as_sales.get(LIST)
    inactive = as_sales.get(LIST, {"status": "inactive"})
    # then
    assert [p.sku for p in default.context["page"]] == ["NEW"]
    assert [p.sku for p in inactive.context["page"]] == ["OLD"]


def test_supplier_and_sort_filters(as_sales, bin_a):
    # given
    acme = SupplierFactory(name="Acme")
    a = ProductFactory(sku="A", supplier=acme)
    b = ProductFactory(sku="B", supplier=acme)
    ProductFactory(sku="C")
    services.stock_receive(product=a, location=bin_a, quantity=9)
    services.stock_receive(product=b, location=bin_a, quantity=1)
    # when
    response = as_sales.get(LIST, {"supplier": acme.pk, "sort": "available"})
    # then
    assert [p.sku for p in response.context["page"]] == ["B", "A"]


def test_an_invalid_filter_value_is_ignored_not_an_error(as_sales, product):
    # when
    response = as_sales.get(LIST, {"supplier": "not-a-number", "sort": "DROP TABLE"})
    # then
    assert response.status_code == 200


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(LIST, {"status": "all"})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_product_list_costs_the_same_queries_for_5_and_100_rows(as_sales, warehouse):
    # given 5 products in stock in two bins each
    bins = [LocationFactory(warehouse=warehouse) for _ in range(2)]
    supplier = SupplierFactory()

    def add(n):
        for _ in range(n):
            p = ProductFactory(supplier=supplier)
            for location in bins:
                services.stock_receive(product=p, location=location, quantity=3)

    add(5)
    five = _list_queries(as_sales)
    # when there are 100 (a full page of 50 rows)
    add(95)
    hundred_rows_page = _list_queries(as_sales)
    # then
    assert hundred_rows_page == five


def test_product_detail_shows_stock_per_bin_and_history(as_warehouse, stocked, bin_a, bin_b):
    # given
    services.stock_transfer(product=stocked, from_location=bin_a, to_location=bin_b, quantity=4)
    # when
    response = as_warehouse.get(stocked.get_absolute_url())
    # then
    levels = {str(level.location): level.on_hand for level in response.context["levels"]}
    assert levels == {"MAIN/A-01-01": 6, "MAIN/A-01-02": 4}
    kinds = [m.kind for m in response.context["movements"]]
    assert kinds == ["transfer_in", "transfer_out", "receipt"]
    assert "Movement history" in response.text


def test_sales_sees_stock_but_not_the_ledger(as_sales, stocked):
    # when
    response = as_sales.get(stocked.get_absolute_url())
    # then
    assert response.status_code == 200
    assert response.context["movements"] is None
    assert "Movement history" not in response.text


def test_unknown_product_is_404(as_sales, db):
    # when
    response = as_sales.get(reverse("inventory:product_detail", args=[999999]))
    # then
    assert response.status_code == 404


def test_product_detail_queries_do_not_grow_with_bins(as_warehouse, warehouse, product):
    # given
    def queries():
        with CaptureQueriesContext(connection) as ctx:
            as_warehouse.get(product.get_absolute_url())
        return len(ctx.captured_queries)

    services.stock_receive(
        product=product, location=LocationFactory(warehouse=warehouse), quantity=1
    )
    one = queries()
    # when
    for _ in range(20):
        services.stock_receive(
            product=product, location=LocationFactory(warehouse=warehouse), quantity=1
        )
    # then
    assert queries() == one
