"""The API's addresses: every app's ``api_urls`` gathered under /api/v1/."""

from django.urls import reverse

from fulfillment import api_urls as fulfillment_api
from inventory import api_urls as inventory_api
from orders import api_urls as orders_api

RESOURCES = {
    "products",
    "warehouses",
    "locations",
    "stock",
    "movements",
    "purchase-orders",
    "count-adjustments",
    "orders",
    "returns",
    "refunds",
    "customers",
    "shipments",
    "waves",
    "carriers",
}


def test_each_app_registers_its_own_resources():
    # when
    by_app = {
        name: {prefix for prefix, _, _ in module.router.registry}
        for name, module in [
            ("inventory", inventory_api),
            ("orders", orders_api),
            ("fulfillment", fulfillment_api),
        ]
    }
    # then
    assert by_app == {
        "inventory": {
            "products",
            "warehouses",
            "locations",
            "stock",
            "movements",
            "purchase-orders",
            "count-adjustments",
        },
        "orders": {"orders", "customers"},
        "fulfillment": {"shipments", "waves", "carriers"},
    }


def test_the_api_root_lists_every_apps_resources(api_as, manager_user):
    # when
    response = api_as(manager_user).get("/api/v1/")
    # then
    assert response.status_code == 200
    assert set(response.json()) == RESOURCES
    assert response.json()["purchase-orders"].endswith(reverse("purchase-order-list"))


def test_every_apps_other_views_are_served(api_as, manager_user, db):
    # when
    paths = {
        reverse("api-scan-pick"),
        reverse("api-scan-pack"),
        reverse("api-tracking"),
        reverse("purchase-order-drop-shipped", args=[1]),
    }
    # then
    assert paths == {
        "/api/v1/scans/pick/",
        "/api/v1/scans/pack/",
        "/api/v1/tracking/",
        "/api/v1/purchase-orders/1/drop-shipped/",
    }
    for path in paths:
        assert api_as(manager_user).get(path).status_code == 405, path
