from django.contrib.auth.models import Group
from django.urls import reverse

from inventory import services
from tests.factories import ProductFactory


def test_login_page_and_login_lands_on_home(client, sales_user):
    # when
    page = client.get(reverse("login"))
    response = client.post(reverse("login"), {"username": "sam.sales", "password": "pass-word-123"})
    # then
    assert page.status_code == 200
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_wrong_password_is_refused_with_a_message(client, sales_user):
    # when
    response = client.post(reverse("login"), {"username": "sam.sales", "password": "nope"})
    # then
    assert response.status_code == 200
    assert "correct username and password" in response.text
    assert "_auth_user_id" not in client.session


def test_logout_ends_the_session(client, sales_user):
    # given
    client.force_login(sales_user)
    # when
    response = client.post(reverse("logout"))
    # then
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_navigation_follows_the_role(client, sales_user, warehouse_user, manager_user):
    # when
    client.force_login(sales_user)
    sales_page = client.get(reverse("home")).text
    client.force_login(warehouse_user)
    warehouse_page = client.get(reverse("home")).text
    client.force_login(manager_user)
    manager_page = client.get(reverse("home")).text
    # then
    receive = reverse("inventory:receive")
    assert receive not in sales_page
    assert receive in warehouse_page and reverse("admin:index") not in warehouse_page
    assert receive in manager_page and reverse("admin:index") in manager_page


def test_home_lists_low_stock(client, manager_user, bin_a):
    # given
    low = ProductFactory(sku="LOW-1", reorder_point=4)
    services.stock_receive(product=low, location=bin_a, quantity=2)
    client.force_login(manager_user)
    # when
    response = client.get(reverse("home"))
    # then
    assert response.context["low_stock_count"] == 1
    assert "LOW-1" in response.text


def test_role_groups_exist_after_migrations(db):
    # then
    groups = {
        g.name: set(g.permissions.values_list("codename", flat=True)) for g in Group.objects.all()
    }
    assert {"Sales", "Warehouse", "Manager"} <= set(groups)
    assert "receive_stock" in groups["Warehouse"]
    assert "receive_stock" not in groups["Sales"]
    assert "adjust_stock" in groups["Manager"]


def test_health_check_answers(client, db):
    # when
    response = client.get(reverse("healthz"))
    # then
    assert response.json() == {"status": "ok"}


def test_admin_refuses_deleting_products(client, admin_user, product):
    # given
    client.force_login(admin_user)
    # when
    response = client.get(reverse("admin:inventory_product_delete", args=[product.pk]))
    # then
    assert response.status_code == 403


def test_admin_creates_a_product_through_the_service(client, admin_user, db):
    # given
    client.force_login(admin_user)
    data = {
        "sku": "NEW-1",
        "name": "New thing",
        "description": "",
        "barcode": "4006381333931",
        "price": "2.50",
        "reorder_point": "0",
        "is_active": "on",
        "weight_grams": "100",
        "length_mm": "0",
        "width_mm": "0",
        "height_mm": "0",
        "stock_levels-TOTAL_FORMS": "0",
        "stock_levels-INITIAL_FORMS": "0",
    }
    # when
    response = client.post(reverse("admin:inventory_product_add"), data)
    # then
    assert response.status_code == 302, response.context["adminform"].form.errors
    from inventory.models import Product

    assert Product.objects.get(sku="NEW-1").barcode == "4006381333931"


def test_admin_refuses_a_bad_check_digit(client, admin_user, db):
    # given
    client.force_login(admin_user)
    data = {
        "sku": "NEW-2",
        "name": "Bad code",
        "barcode": "4006381333932",
        "price": "1",
        "reorder_point": "0",
        "weight_grams": "0",
        "length_mm": "0",
        "width_mm": "0",
        "height_mm": "0",
        "stock_levels-TOTAL_FORMS": "0",
        "stock_levels-INITIAL_FORMS": "0",
    }
    # when
    response = client.post(reverse("admin:inventory_product_add"), data)
    # then
    assert response.status_code == 200
    assert "check digit should be 1" in response.text
    from inventory.models import Product

    assert not Product.objects.filter(sku="NEW-2").exists()
