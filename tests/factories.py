"""factory-boy factories for the whole suite."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from inventory.models import Location, Product, Supplier, Warehouse
from oms.barcodes import gtin_check_digit

User = get_user_model()


def ean13(n: int) -> str:
    """Return a valid EAN-13 built from a running number."""
    body = f"200{n:09d}"
    return body + str(gtin_check_digit(body))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("pass-word-123")
    is_staff = True

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            for name in extracted:
                group, _ = Group.objects.get_or_create(name=name)
                self.groups.add(group)


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier

    code = factory.Sequence(lambda n: f"SUP{n:03d}")
    name = factory.Sequence(lambda n: f"Supplier {n}")
    email = factory.LazyAttribute(lambda s: f"{s.code.lower()}@supplier.example")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name = factory.Sequence(lambda n: f"Product {n}")
    barcode = factory.Sequence(ean13)
    price = "9.90"
    weight_grams = 250
    reorder_point = 0


class WarehouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Warehouse
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"WH{n}")
    name = factory.LazyAttribute(lambda w: f"Warehouse {w.code}")


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    warehouse = factory.SubFactory(WarehouseFactory, code="MAIN", name="Main warehouse")
    code = factory.Sequence(lambda n: f"A-{n // 10:02d}-{n % 10 + 1:02d}")
    pick_sequence = factory.Sequence(lambda n: (n + 1) * 10)
    barcode = factory.LazyAttribute(
        lambda loc: Location.default_barcode(loc.warehouse.code, loc.code)
    )


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "orders.Customer"

    name = factory.Sequence(lambda n: f"Customer {n}")
    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    phone = factory.Sequence(lambda n: f"+44 113 496 {n:04d}")


def address_data(**overrides) -> dict:
    """Return a valid shipping address as the API and services take it."""
    data = {
        "name": "Ann Lee",
        "line1": "1 High St",
        "line2": "",
        "city": "Leeds",
        "postal_code": "LS1 1AA",
        "country": "GB",
    }
    data.update(overrides)
    return data
