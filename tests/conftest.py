import pytest
from django.db import connection
from rest_framework.test import APIClient

from inventory import services as inventory_services
from inventory.models import StockLevel, StockMovement
from oms.roles import Role
from tests import ownership
from tests.factories import LocationFactory, ProductFactory, UserFactory, WarehouseFactory


@pytest.fixture(autouse=True, scope="session")
def one_owner_per_table():
    """Fail any test whose code makes one app write another app's rows (tests/ownership.py)."""
    ownership.install()
    yield
    ownership.uninstall()


def pytest_collection_modifyitems(config, items):
    """Skip PostgreSQL-only tests when the suite runs on SQLite."""
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def sales_user(db):
    return UserFactory(username="sam.sales", roles=[Role.SALES])


@pytest.fixture
def warehouse_user(db):
    return UserFactory(username="wendy.warehouse", roles=[Role.WAREHOUSE])


@pytest.fixture
def manager_user(db):
    return UserFactory(username="maya.manager", roles=[Role.MANAGER])


@pytest.fixture
def admin_user(db):
    return UserFactory(username="root", is_superuser=True)


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def api_as(api_client):
    """Return a function that authenticates the API client as a user (by token)."""
    from oms.tokens import token_create

    def login(user):
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {token_create(user=user).key}")
        return api_client

    return login


@pytest.fixture
def warehouse(db):
    return WarehouseFactory(code="MAIN", name="Main warehouse")


@pytest.fixture
def bin_a(warehouse):
    return LocationFactory(warehouse=warehouse, code="A-01-01", pick_sequence=10)


@pytest.fixture
def bin_b(warehouse):
    return LocationFactory(warehouse=warehouse, code="A-01-02", pick_sequence=20)


@pytest.fixture
def product(db):
    return ProductFactory(sku="MUG-RED", name="Red mug", barcode="4006381333931", price="9.90")


@pytest.fixture
def stocked(product, bin_a):
    """The red mug with 10 on hand in bin A-01-01."""
    inventory_services.stock_receive(
        product=product, location=bin_a, quantity=10, reference="PO-TEST"
    )
    return product


def stock_snapshot():
    """Return every stock row and the ledger size, to prove that nothing changed."""
    return (
        sorted(StockLevel.objects.values_list("product_id", "location_id", "on_hand", "allocated")),
        StockMovement.objects.count(),
    )


@pytest.fixture
def snapshot():
    return stock_snapshot


@pytest.fixture
def shipping_services(db):
    """The demo carriers and their services (standard, rm-24, express, courier, collect)."""
    from fulfillment.demo import load_fulfillment_demo

    load_fulfillment_demo()
