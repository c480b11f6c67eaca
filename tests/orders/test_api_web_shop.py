"""The web shop integration: creates orders and reads its own, reads products and stock."""

import pytest

from oms.roles import Role
from orders import services
from orders.models import Order
from tests.factories import CustomerFactory, UserFactory, address_data
from tests.orders.test_api_orders import api_snapshot, order_body


@pytest.fixture
def shop(db):
    return UserFactory(username="web.shop", roles=[Role.WEB_SHOP], is_staff=False)


@pytest.fixture
def shop_api(api_as, shop):
    return api_as(shop)


@pytest.fixture
def phone_order(stocked, sales_user):
    """An order a sales rep took by phone."""
    return services.order_create(
        customer=CustomerFactory(email="phone.customer@example.com"),
        lines=[{"sku": "MUG-RED", "quantity": 1}],
        shipping_address=address_data(),
        user=sales_user,
        place=True,
    )


def test_the_web_shop_creates_an_order_and_reads_only_its_own(shop_api, phone_order):
    # when
    created = shop_api.post("/api/v1/orders/", order_body(), format="json")
    listed = shop_api.get("/api/v1/orders/")
    mine = shop_api.get(f"/api/v1/orders/{created.json()['id']}/")
    theirs = shop_api.get(f"/api/v1/orders/{phone_order.pk}/")
    # then
    assert created.status_code == 201, created.json()
    assert created.json()["status"] == Order.Status.PLACED
    assert [row["id"] for row in listed.json()["results"]] == [created.json()["id"]]
    assert mine.status_code == 200
    assert theirs.status_code == 404
    assert "phone.customer@example.com" not in theirs.text


def test_the_web_shop_reads_products_and_stock(shop_api, stocked):
    # when
    products = shop_api.get("/api/v1/products/")
    stock = shop_api.get("/api/v1/stock/?sku=MUG-RED")
    # then
    assert products.status_code == stock.status_code == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/orders/{id}/confirm/"),
        ("post", "/api/v1/orders/{id}/cancel/"),
        ("patch", "/api/v1/orders/{id}/"),
        ("get", "/api/v1/customers/"),
        ("get", "/api/v1/shipments/"),
        ("post", "/api/v1/stock/receive/"),
        ("post", "/api/v1/tracking/"),
        ("get", "/api/v1/movements/"),
    ],
)
def test_the_web_shop_can_do_nothing_else(shop_api, phone_order, method, path):
    # given
    before = api_snapshot()
    # when
    response = getattr(shop_api, method)(
        path.format(id=phone_order.pk), {"reason": "x"}, format="json"
    )
    # then
    assert response.status_code == 403
    assert "phone.customer@example.com" not in response.text
    assert api_snapshot() == before
