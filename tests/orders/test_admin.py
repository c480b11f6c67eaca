from django.urls import reverse

from inventory.models import StockLevel
from orders import services
from orders.models import Order
from tests.factories import CustomerFactory, address_data


def transition_post(order, name):
    """Return the change-form POST the admin's transition button sends."""
    data = {"_fsm_transition_to": name}
    for prefix, rows in [
        ("lines", order.lines.count()),
        ("payments", order.payments.count()),
        ("events", order.events.count()),
    ]:
        data[f"{prefix}-TOTAL_FORMS"] = rows
        data[f"{prefix}-INITIAL_FORMS"] = rows
    return data


def test_admin_confirm_button_runs_the_service(client, admin_user, stocked, bin_a, sales_user):
    # given
    order = services.order_create(
        customer=CustomerFactory(),
        user=sales_user,
        place=True,
        shipping_address=address_data(),
        lines=[{"sku": "MUG-RED", "quantity": 3}],
    )
    client.force_login(admin_user)
    url = reverse("admin:orders_order_change", args=[order.pk])
    # when
    page = client.get(url)
    response = client.post(url, transition_post(order, "confirm"))
    # then
    assert "Confirm and allocate" in page.text
    assert "mark_shipped" not in page.text
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == Order.Status.ALLOCATED
    assert StockLevel.objects.get(location=bin_a).allocated == 3
    assert order.events.filter(to_status="allocated", user=admin_user).exists()


def test_admin_refuses_an_illegal_transition_with_the_reason(
    client, admin_user, stocked, sales_user
):
    # given a draft
    order = services.order_create(
        customer=CustomerFactory(), user=sales_user, lines=[{"sku": "MUG-RED", "quantity": 1}]
    )
    client.force_login(admin_user)
    url = reverse("admin:orders_order_change", args=[order.pk])
    # when
    response = client.post(url, transition_post(order, "confirm"), follow=True)
    # then
    assert "is draft" in response.text
    order.refresh_from_db()
    assert order.status == Order.Status.DRAFT


def test_orders_cannot_be_deleted_in_the_admin(client, admin_user, stocked, sales_user):
    # given
    order = services.order_create(
        customer=CustomerFactory(), user=sales_user, lines=[{"sku": "MUG-RED", "quantity": 1}]
    )
    client.force_login(admin_user)
    # when
    response = client.get(reverse("admin:orders_order_delete", args=[order.pk]))
    # then
    assert response.status_code == 403
