"""What the inventory service tests share: bad quantities, and rows to compare before and after."""

from decimal import Decimal

import pytest

from inventory.models import Product, PurchaseOrder, PurchaseOrderLine, StockLevel

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


def po_state(po):
    """Return a purchase order's status, version and lines, to prove nothing changed."""
    po = PurchaseOrder.objects.get(pk=po.pk)
    lines = sorted(
        PurchaseOrderLine.objects.filter(purchase_order=po).values_list(
            "product_id", "quantity_ordered", "quantity_received"
        )
    )
    return po.status, po.version, lines


def line_of(po, product) -> PurchaseOrderLine:
    """Return the purchase order's line of this product, as it is now."""
    return PurchaseOrderLine.objects.get(purchase_order=po, product=product)


def on_hand(product, location) -> int:
    """Return what is on hand of the product in the bin, 0 without a stock row."""
    level = StockLevel.objects.filter(product=product, location=location).first()
    return level.on_hand if level else 0
