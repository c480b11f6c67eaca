"""Every staff page checks the role before it loads anything; a refusal shows nothing."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from oms.access import Access
from oms.roles import Role
from orders import services
from tests.factories import CustomerFactory, UserFactory, address_data

# Pages that need no role: each with the reason.
OPEN_PAGES = {
    "login": "the login page",
    "logout": "logging out",
    "healthz": "the load balancer's health check; shows nothing",
    "track:lookup": "the customer's order lookup: number plus email or postcode, rate limited",
    "track:page": "the customer's status page, opened by a secret link, rate limited",
    "track:page_any": "any other address under /track/: the plain answer of a wrong link",
    "track_return_request": "a customer asking for a return, through their secret link",
    "favicon": "the site's icon, which browsers fetch before anyone logs in",
}


def walk(resolver=None, prefix="", namespace=""):
    """Yield (route, name, callback) for every URL pattern of the project."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}{pattern.namespace}:"
            yield from walk(pattern, route, inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else ""
            yield route, name, pattern.callback


def page_patterns():
    """Yield the project's own pages: not the admin (its own checks), not the API (DRF's)."""
    for route, name, callback in walk():
        if route.startswith(("admin/", "api/")):
            continue
        yield route, name, callback


def test_every_page_is_guarded_or_named_open():
    # given
    unguarded = []
    # when
    for route, name, callback in page_patterns():
        if name in OPEN_PAGES:
            continue
        if not isinstance(getattr(callback, "oms_access", None), Access):
            unguarded.append(f"{route} ({name})")
    # then
    assert unguarded == [], "pages without oms.access.staff_view or signed_in_view"


def test_every_page_except_home_needs_a_staff_role():
    # given
    open_to_anyone = {
        name
        for route, name, callback in page_patterns()
        if getattr(callback, "oms_access", None) is not None and not callback.oms_access.staff
    }
    # then
    assert open_to_anyone == {"home"}


@pytest.fixture
def placed(stocked, sales_user):
    customer = CustomerFactory(
        name="Ann Lee", email="ann.secret@example.com", phone="+44 7700 900123"
    )
    return services.order_create(
        customer=customer,
        lines=[{"sku": "MUG-RED", "quantity": 2}],
        shipping_address=address_data(line1="99 Hidden Lane"),
        user=sales_user,
        place=True,
    )


def order_state(order):
    order.refresh_from_db()
    return (order.status, order.version, order.shipping_price, order.notes, order.lines.count())


@pytest.mark.parametrize(
    ("url_name", "args", "data"),
    [
        ("orders:order_edit", [], {"notes": "changed", "shipping_price": "0"}),
        ("orders:order_edit_lines", [], {"line_sku": ["MUG-RED"], "line_qty": ["9"]}),
        ("orders:order_action", ["confirm"], {}),
        ("orders:order_action", ["cancel"], {"cancel-reason": "no"}),
        ("orders:order_action", ["hold"], {"hold-reason": "no"}),
    ],
)
def test_a_user_without_a_role_is_refused_before_the_order_is_shown(
    client, placed, url_name, args, data
):
    # given a signed-in user with no role
    client.force_login(UserFactory(username="nobody"))
    before = order_state(placed)
    # when
    response = client.post(reverse(url_name, args=[placed.pk, *args]), data)
    # then
    assert response.status_code == 403
    for secret in ("ann.secret@example.com", "+44 7700 900123", "99 Hidden Lane", str(placed)):
        assert secret not in response.text
    assert order_state(placed) == before


def test_a_warehouse_user_may_not_edit_an_order_and_sees_no_form(client, placed, warehouse_user):
    # given warehouse staff may read orders but not change them
    client.force_login(warehouse_user)
    before = order_state(placed)
    # when
    response = client.post(reverse("orders:order_edit", args=[placed.pk]), {"notes": "x"})
    # then
    assert response.status_code == 403
    assert "ann.secret@example.com" not in response.text
    assert order_state(placed) == before


def without_csrf(text: str) -> str:
    return re.sub(r'"X-CSRFToken": "[^"]*"|name="csrfmiddlewaretoken" value="[^"]*"', "", text)


def test_a_refusal_does_not_even_say_whether_the_order_exists(client, placed):
    # given
    client.force_login(UserFactory(username="nobody"))
    # when
    real = client.post(reverse("orders:order_edit", args=[placed.pk]), {})
    missing = client.post(reverse("orders:order_edit", args=[placed.pk + 1000]), {})
    # then
    assert real.status_code == missing.status_code == 403
    assert without_csrf(real.text) == without_csrf(missing.text)


def test_an_integration_account_cannot_log_in_to_the_pages(client, db):
    # given a web shop's account (it holds orders.view_order)
    UserFactory(username="shop", roles=[Role.WEB_SHOP], is_staff=False)
    # when
    response = client.post(reverse("login"), {"username": "shop", "password": "pass-word-123"})
    # then
    assert response.status_code == 200
    assert "integration account" in response.text
    assert "_auth_user_id" not in client.session


def test_an_integration_account_with_a_session_gets_no_staff_page(client, placed):
    # given
    client.force_login(UserFactory(username="shop", roles=[Role.WEB_SHOP], is_staff=False))
    # when
    listing = client.get(reverse("orders:order_list"))
    detail = client.get(reverse("orders:order_detail", args=[placed.pk]))
    # then
    assert listing.status_code == detail.status_code == 403
    assert "ann.secret@example.com" not in detail.text


def test_anonymous_visitors_go_to_the_login_page(client, placed):
    # when
    response = client.post(reverse("orders:order_edit", args=[placed.pk]), {"notes": "x"})
    # then
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
