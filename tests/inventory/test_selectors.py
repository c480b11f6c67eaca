"""Inventory reads: each selector's rows on a small catalogue, and what they cost in queries."""

import pytest

from inventory import services
from inventory.selectors import product_find_by_code, product_get_by_sku
from oms.errors import NotFound
from tests.factories import ProductFactory

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
