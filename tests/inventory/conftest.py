"""Fixtures of the inventory tests: a supplier, its products and purchase orders to it."""

import pytest

from inventory import services
from tests.factories import ProductFactory, SupplierFactory


@pytest.fixture
def supplier(db):
    return SupplierFactory(code="ACME", name="Acme Mugs")


@pytest.fixture
def mug(product, supplier):
    """The red mug, bought from Acme, reordered when 2 or fewer are left."""
    product.supplier = supplier
    product.reorder_point = 2
    product.save()
    return product


@pytest.fixture
def bowl(supplier):
    return ProductFactory(sku="BOWL", name="Blue bowl", supplier=supplier)


@pytest.fixture
def draft(mug, bowl, supplier, warehouse, manager_user):
    """A draft for 10 mugs and 4 bowls to the main warehouse."""
    return services.purchase_order_create(
        supplier=supplier,
        warehouse=warehouse,
        lines=[(mug, 10, "3.20"), (bowl, 4)],
        user=manager_user,
    )


@pytest.fixture
def sent(draft, manager_user):
    return services.purchase_order_send(purchase_order_id=draft.pk, user=manager_user)
