"""Inventory's part of the order history: products and the bins their history ships from."""

from decimal import Decimal

from inventory import services as inventory_services
from inventory.models import StockLevel
from inventory.services.history import history_products
from tests.factories import LocationFactory, ProductFactory


def test_history_never_ships_from_the_returns_bin(warehouse, bin_a, product):
    # given the main warehouse's returns bin among its bins, and a product whose
    # only stock row is in it (a returned unit waiting for inspection)
    returns_bin = inventory_services.warehouse_returns_bin(warehouse=warehouse)
    LocationFactory(warehouse=warehouse, code="Z-99", pick_sequence=99)
    StockLevel.objects.create(product=product, location=returns_bin, on_hand=1)
    # when
    bins = history_products(
        catalogue={
            "MUG-RED": ("Red mug", Decimal("9.90")),
            "NEW-1": ("New one", Decimal("1.00")),
            "NEW-2": ("New two", Decimal("2.00")),
            "NEW-3": ("New three", Decimal("3.00")),
        }
    )
    # then every product gets a sellable bin
    assert returns_bin.pk not in {location for _product, location in bins.values()}
    assert bins["MUG-RED"] == (product.pk, bin_a.pk)


def test_history_keeps_a_product_in_the_sellable_bin_it_has_stock_in(warehouse, bin_a, bin_b):
    # given
    lamp = ProductFactory(sku="LAMP")
    inventory_services.stock_receive(product=lamp, location=bin_b, quantity=3)
    # when
    bins = history_products(catalogue={"LAMP": ("Lamp", Decimal("5.00"))})
    # then
    assert bins == {"LAMP": (lamp.pk, bin_b.pk)}
