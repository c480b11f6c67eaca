"""The list exports as admin actions: the selected rows, the same file as the list pages'."""

import csv
import io

import pytest

from inventory.models import Product
from orders.models import Customer, Order
from tests import desk_world
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def _rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    return list(csv.reader(io.StringIO(body)))


@pytest.mark.parametrize(
    "path, model, name",
    [
        ("/admin/orders/order/", Order, "orders"),
        ("/admin/orders/customer/", Customer, "customers"),
        ("/admin/inventory/product/", Product, "products"),
    ],
)
def test_the_selected_rows_export_as_the_list_pages_csv(client, manager_user, path, model, name):
    # given
    desk_world.build()
    ProductFactory.create_batch(3)
    chosen = list(model.objects.order_by("pk").values_list("pk", flat=True)[:2])
    client.force_login(manager_user)

    # when
    response = client.post(
        path, {"action": f"export_{name}_csv", "_selected_action": [str(pk) for pk in chosen]}
    )

    # then: a file with the export's header and exactly the chosen rows
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f'filename="{name}-' in response["Content-Disposition"]
    rows = _rows(response)
    page = _rows(client.get(f"/exports/{name}.csv"))
    assert rows[0] == page[0]
    assert len(rows) == 3
    assert all(row in page[1:] for row in rows[1:])


def test_a_selection_past_the_inline_limit_is_sent_to_the_list_page(client, manager_user, settings):
    settings.OMS_EXPORT_INLINE_MAX = 1
    ProductFactory.create_batch(2)
    client.force_login(manager_user)

    response = client.post(
        "/admin/inventory/product/",
        {
            "action": "export_products_csv",
            "_selected_action": [str(pk) for pk in Product.objects.values_list("pk", flat=True)],
        },
        follow=True,
    )

    assert "export them from the list page" in response.content.decode()
