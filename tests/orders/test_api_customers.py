"""The customers REST API: search, read with default addresses, create and edit."""

import pytest

from orders.models import Address, Customer
from tests.factories import CustomerFactory, address_data


def customer_rows():
    """Return every customer's fields and the address count, to prove that nothing changed."""
    return (
        list(Customer.objects.order_by("pk").values_list("pk", "name", "email", "phone", "is_vip")),
        Address.objects.count(),
    )


@pytest.fixture
def sales_api(api_as, sales_user):
    return api_as(sales_user)


def _names(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["name"] for row in response.json()["results"]]


def test_list_searches_name_email_and_phone(sales_api):
    # given
    CustomerFactory(name="Ann Lee", email="ann@example.com", phone="+44 113 000 1111")
    CustomerFactory(
        name="Bob Stone", email="bob@shop.example", phone="+44 20 7946 0000", is_vip=True
    )
    # when / then
    assert _names(sales_api.get("/api/v1/customers/")) == ["Ann Lee", "Bob Stone"]
    assert _names(sales_api.get("/api/v1/customers/?q=lee")) == ["Ann Lee"]
    assert _names(sales_api.get("/api/v1/customers/?q=shop.example")) == ["Bob Stone"]
    assert _names(sales_api.get("/api/v1/customers/?q=7946")) == ["Bob Stone"]
    assert _names(sales_api.get("/api/v1/customers/?is_vip=true")) == ["Bob Stone"]


def test_create_with_default_address_then_retrieve(sales_api):
    # when
    created = sales_api.post(
        "/api/v1/customers/",
        {
            "name": "Ann Lee",
            "email": "ann@example.com",
            "phone": "+44 113 000 1111",
            "is_vip": True,
            "default_shipping_address": address_data(),
        },
        format="json",
    )
    detail = sales_api.get(f"/api/v1/customers/{created.json()['id']}/")
    # then
    assert created.status_code == 201, created.json()
    body = detail.json()
    assert (body["name"], body["email"], body["is_vip"]) == ("Ann Lee", "ann@example.com", True)
    assert body["default_shipping_address"]["city"] == "Leeds"
    assert body["default_billing_address"] is None


@pytest.mark.parametrize(
    ("body", "field", "status"),
    [
        ({"email": "new@example.com"}, "name", 400),
        ({"name": "  ", "email": "new@example.com"}, "name", 400),
        ({"name": "Ann", "email": "not-an-email"}, "email", 400),
        ({"name": "Ann", "email": "ANN@example.com"}, "email", 409),
        (
            {"name": "Ann", "default_shipping_address": {"name": "Ann", "country": "GB"}},
            "default_shipping_address.line1",
            400,
        ),
    ],
)
def test_bad_customer_is_refused_and_changes_nothing(sales_api, body, field, status):
    # given
    CustomerFactory(name="Ann Lee", email="ann@example.com")
    before = customer_rows()
    # when
    response = sales_api.post("/api/v1/customers/", body, format="json")
    # then
    assert response.status_code == status, response.json()
    assert field in response.json()["errors"]
    assert customer_rows() == before


def test_patch_changes_only_the_fields_sent(sales_api):
    # given
    customer = CustomerFactory(name="Ann Lee", email="ann@example.com")
    # when
    response = sales_api.patch(
        f"/api/v1/customers/{customer.pk}/", {"is_vip": True, "phone": "+44 1"}, format="json"
    )
    # then
    assert response.status_code == 200, response.json()
    customer.refresh_from_db()
    assert (customer.name, customer.email, customer.phone, customer.is_vip) == (
        "Ann Lee",
        "ann@example.com",
        "+44 1",
        True,
    )


def test_patch_to_another_customers_email_is_409(sales_api):
    # given
    CustomerFactory(name="Ann Lee", email="ann@example.com")
    bob = CustomerFactory(name="Bob", email="bob@example.com")
    before = customer_rows()
    # when
    response = sales_api.patch(
        f"/api/v1/customers/{bob.pk}/", {"email": "Ann@Example.com"}, format="json"
    )
    # then
    assert response.status_code == 409
    assert customer_rows() == before


def test_warehouse_staff_may_read_but_not_write(api_as, warehouse_user):
    # given
    client = api_as(warehouse_user)
    customer = CustomerFactory(name="Ann Lee")
    before = customer_rows()
    # when
    read = client.get(f"/api/v1/customers/{customer.pk}/")
    create = client.post("/api/v1/customers/", {"name": "Eve"}, format="json")
    patch = client.patch(f"/api/v1/customers/{customer.pk}/", {"name": "Eve"}, format="json")
    # then
    assert read.status_code == 200
    assert (create.status_code, patch.status_code) == (403, 403)
    assert customer_rows() == before


def test_missing_customer_is_404(sales_api):
    # when
    response = sales_api.get("/api/v1/customers/424242/")
    patch = sales_api.patch("/api/v1/customers/424242/", {"name": "X"}, format="json")
    # then
    assert response.status_code == 404
    assert patch.status_code == 404
    assert response.json()["detail"] == "That customer does not exist."
