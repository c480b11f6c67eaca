"""Role-by-action matrix, generated from oms/roles.py and the URLconf.

Every principal (each role, a superuser, a signed-in user without a role,
an anonymous visitor) calls every staff page and every API operation,
with URL arguments taken from real objects. What each may do is read from
ROLE_PERMISSIONS and the guard the view declares; the answer must agree. A
refusal must change nothing and show nothing of the customer; nothing may
answer 500.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from fulfillment import services as fulfillment_services
from fulfillment.models import Carrier, PackageType, Shipment, ShippingMethod, Wave
from inventory.models import CountAdjustment, Product
from oms.access import Access
from oms.api import RolePermission
from oms.models import AccountingBatch, Job, OutboundEmail
from oms.roles import INTEGRATION_ROLES, ROLE_PERMISSIONS, STAFF_ROLES, Role
from oms.tokens import token_create
from orders import services as order_services
from orders.models import Customer, Order
from orders.services.desk import TRANSITION_PERMS
from returns.models import CreditNote, Refund, Return
from tests.factories import CustomerFactory, UserFactory, address_data
from tests.oms.test_access import OPEN_PAGES, page_patterns

SECRETS = ("matrix.customer@example.com", "+44 7700 900999", "12 Secret Street", "ZZ9 9ZZ")
WATCHED = {"status", "version", "on_hand", "allocated", "is_active", "is_superuser", "password"}
PROJECT_APPS = {"oms", "inventory", "orders", "fulfillment", "returns", "auth"}
ANONYMOUS, NO_ROLE, SUPERUSER = "anonymous", "no role", "superuser"
PRINCIPALS = [*(str(role) for role in Role), SUPERUSER, NO_ROLE, ANONYMOUS]

# Which object a page's <pk> names, by URL name.
PAGE_OBJECTS = {
    "orders:order_detail": Order,
    "orders:order_edit": Order,
    "orders:order_edit_lines": Order,
    "orders:order_action": Order,
    "orders:customer_detail": Customer,
    "orders:customer_choose": Customer,
    "inventory:product_detail": Product,
    "fulfillment:wave_detail": Wave,
    "fulfillment:pick": Wave,
    "fulfillment:pick_scan": Wave,
    "fulfillment:wave_pick_list": Wave,
    "fulfillment:wave_labels": Wave,
    "fulfillment:wave_packing_slips": Wave,
    "fulfillment:shipment_detail": Shipment,
    "fulfillment:shipment_ship": Shipment,
    "fulfillment:shipment_cancel": Shipment,
    "fulfillment:shipment_label": Shipment,
    "fulfillment:shipment_packing_slip": Shipment,
    "fulfillment:order_invoice": Order,
    "orders:order_invoice": Order,
    "inventory:count_approve": CountAdjustment,
    "inventory:count_reject": CountAdjustment,
    "accounting:download": AccountingBatch,
    "accounting:reexport": AccountingBatch,
    "jobs:detail": Job,
    "jobs:download": Job,
    "imports:detail": Job,
    "imports:confirm": Job,
    "outbox:email_action": OutboundEmail,
    "returns:return_new": Order,
    "returns:return_detail": Return,
    "returns:return_action": Return,
    "returns:refund_new": Return,
    "returns:return_label": Return,
    "returns:return_slip": Return,
    "returns:refund_action": Refund,
    "returns:credit_note_pdf": CreditNote,
}


def snapshot() -> tuple:
    """Return every row id of every project table, with its status, version and quantities."""
    state = []
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS or model is Permission:
            continue
        fields = {f.name for f in model._meta.concrete_fields}
        watched = sorted(fields & WATCHED)
        state.append(
            (model._meta.label, list(model.objects.order_by("pk").values_list("pk", *watched)))
        )
    return tuple(state)


@pytest.fixture
def world(stocked, sales_user, warehouse_user, bin_a):
    """Real objects for every URL argument: a customer, orders, a shipment in a wave."""
    carrier = Carrier.objects.create(code="RM", name="Royal Post")
    ShippingMethod.objects.create(carrier=carrier, code="standard", name="Tracked", price="3.95")
    PackageType.objects.create(name="Box", length_mm=300, width_mm=200, height_mm=150)
    customer = CustomerFactory(
        name="Matrix Customer", email=SECRETS[0], phone=SECRETS[1], is_vip=False
    )
    address = address_data(line1=SECRETS[2], postal_code=SECRETS[3])

    def order(quantity, *, confirm):
        made = order_services.order_create(
            customer=customer,
            lines=[{"sku": "MUG-RED", "quantity": quantity}],
            shipping_address=address,
            shipping_method="standard",
            user=sales_user,
            place=True,
        )
        if confirm:
            made = order_services.order_confirm(
                order_id=made.pk,
                user=sales_user,
                payment={"method": "card", "amount": str(made.total), "reference": "m1"},
            )
        return made

    placed = order(1, confirm=False)
    allocated = order(2, confirm=True)
    fulfillment_services.shipment_create_for_order(order_id=allocated.pk, user=warehouse_user)
    fulfillment_services.wave_create(user=warehouse_user)
    return {Order: placed.pk, Customer: customer.pk, Product: stocked.pk}


def principal_user(name):
    if name == ANONYMOUS:
        return None
    if name == SUPERUSER:
        return UserFactory(username="matrix.root", is_superuser=True)
    if name == NO_ROLE:
        return UserFactory(username="matrix.nobody")
    return UserFactory(
        username=f"matrix.{name.split()[0].lower()}",
        roles=[name],
        is_staff=name in {str(r) for r in STAFF_ROLES},
    )


def holds(principal: str, perms, roles=()) -> bool:
    """Tell from ROLE_PERMISSIONS alone whether a principal holds these permissions and roles."""
    if principal == SUPERUSER:
        return True
    if principal not in ROLE_PERMISSIONS:
        return False
    if roles and principal not in roles:
        return False
    return set(perms) <= set(ROLE_PERMISSIONS[principal])


def page_allowed(principal: str, access: Access, kwargs: dict) -> bool:
    if principal == ANONYMOUS:
        return False
    if not access.staff:
        return True
    if principal not in {SUPERUSER, *(str(r) for r in STAFF_ROLES)}:
        return False
    perms = list(access.perms)
    if access.perm_by_kwarg:
        name, by_value = access.perm_by_kwarg
        if kwargs.get(name) in by_value:
            perms.append(by_value[kwargs[name]])
    return holds(principal, perms, access.roles)


@dataclass
class Call:
    method: str
    path: str
    expected: bool


def object_pk(model, world) -> int:
    if model in world:
        return world[model]
    first = model.objects.order_by("pk").first()
    return first.pk if first else 1


def page_calls(principal: str, world) -> list[Call]:
    calls = []
    for route, name, callback in page_patterns():
        access = getattr(callback, "oms_access", None)
        if name in OPEN_PAGES:
            continue
        assert access is not None, f"{route} has no guard"
        params = re.findall(r"<(?:\w+:)?(\w+)>", route)
        variants = [{}]
        if access.perm_by_kwarg is not None:
            name_, by_value = access.perm_by_kwarg
            variants = [{name_: value} for value in [*by_value, "nonsense"]]
        elif "action" in params:
            variants = [{"action": action} for action in [*TRANSITION_PERMS, "nonsense"]]
        for kwargs in variants:
            if "pk" in params:
                kwargs = {**kwargs, "pk": object_pk(PAGE_OBJECTS[name], world)}
            calls.append(
                Call(
                    access.methods[0],
                    reverse(name, kwargs=kwargs),
                    page_allowed(principal, access, kwargs),
                )
            )
    return calls


def assert_refusal_is_clean(response, before, call, principal):
    body = response.content.decode(errors="replace")
    for secret in SECRETS:
        assert secret not in body, f"{principal} {call.method} {call.path} leaked {secret}"
    assert snapshot() == before, f"{principal} {call.method} {call.path} changed data"


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_every_page_answers_each_principal_as_the_role_table_says(client, world, principal):
    # given
    user = principal_user(principal)
    if user is not None:
        client.force_login(user)
    wrong = []
    # when
    for call in page_calls(principal, world):
        before = snapshot() if not call.expected else None
        response = client.generic(call.method, call.path)
        # then
        assert response.status_code < 500, f"{principal} {call.method} {call.path}"
        to_login = response.status_code == 302 and response["Location"].startswith(reverse("login"))
        refused = response.status_code == 403 or to_login
        if refused != (not call.expected):
            wrong.append(f"{call.method} {call.path}: {response.status_code}")
        if refused:
            assert to_login if principal == ANONYMOUS else response.status_code == 403
            assert_refusal_is_clean(response, before, call, principal)
    assert wrong == [], f"{principal}: answers that disagree with the role table"


def api_endpoints():
    """Return (method, path template, callback) of every operation in the OpenAPI schema."""
    generator = SchemaGenerator()
    generator._initialise_endpoints()
    endpoints = [
        (method, path, callback)
        for path, _regex, method, callback in generator.endpoints
        if path.startswith("/api/") and path != "/api/docs/"
    ]
    # The token endpoint last: DELETE revokes the token the other calls use.
    return sorted(endpoints, key=lambda e: (e[1] == "/api/v1/auth/token/", e[1], e[0]))


def api_allowed(principal: str, method: str, path: str, callback) -> bool:
    if path == "/api/v1/auth/token/":
        return method == "POST" or principal != ANONYMOUS
    if principal == ANONYMOUS:
        return False
    if path == "/api/schema/":
        return principal != NO_ROLE
    view = callback.cls(**getattr(callback, "initkwargs", {}))
    request = type("Request", (), {"method": method})()
    perms = RolePermission.required_perms(request, view)
    if not perms:
        return principal != NO_ROLE
    return holds(principal, perms)


def api_path(template: str, callback) -> str:
    model = getattr(getattr(callback.cls, "queryset", None), "model", None)

    def value(_match):
        first = model.objects.order_by("pk").first() if model else None
        return str(first.pk if first else 1)

    return re.sub(r"\{\w+\}", value, template)


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_every_api_operation_answers_each_principal_as_the_role_table_says(world, principal):
    # given
    client = APIClient()
    user = principal_user(principal)
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_create(user=user).key}")
    wrong = []
    # when
    for method, template, callback in api_endpoints():
        call = Call(
            method, api_path(template, callback), api_allowed(principal, method, template, callback)
        )
        before = snapshot() if not call.expected else None
        response = client.generic(call.method, call.path, "{}", content_type="application/json")
        # then
        assert response.status_code < 500, f"{principal} {method} {call.path}"
        refused = response.status_code in (401, 403)
        if refused != (not call.expected):
            wrong.append(f"{method} {call.path}: {response.status_code}")
        if refused:
            assert response.status_code == (401 if principal == ANONYMOUS else 403)
            assert_refusal_is_clean(response, before, call, principal)
    assert wrong == [], f"{principal}: answers that disagree with the role table"


def test_every_permission_in_the_role_table_exists(db):
    # given
    existing = {
        f"{app}.{codename}"
        for app, codename in Permission.objects.values_list("content_type__app_label", "codename")
    }
    # when
    named = {name for names in ROLE_PERMISSIONS.values() for name in names}
    # then
    assert named - existing == set()


def test_every_permission_a_view_asks_for_exists(db):
    # given
    existing = {
        f"{app}.{codename}"
        for app, codename in Permission.objects.values_list("content_type__app_label", "codename")
    }
    asked = set()
    # when
    for _route, _name, callback in page_patterns():
        access = getattr(callback, "oms_access", None)
        if access is not None:
            asked |= set(access.perms)
            if access.perm_by_kwarg:
                asked |= set(access.perm_by_kwarg[1].values())
    for method, _template, callback in api_endpoints():
        view = callback.cls(**getattr(callback, "initkwargs", {}))
        request = type("Request", (), {"method": method})()
        asked |= set(RolePermission.required_perms(request, view))
    # then
    assert asked - existing == set()


def test_every_role_is_in_the_table_and_integration_roles_are_not_staff():
    # then
    assert set(ROLE_PERMISSIONS) == set(Role)
    assert not set(STAFF_ROLES) & set(INTEGRATION_ROLES)
    assert set(STAFF_ROLES) | set(INTEGRATION_ROLES) == set(Role)


def test_a_misspelt_permission_in_the_table_is_caught(db, monkeypatch):
    # given a typo in the table
    from oms import roles

    table = {**ROLE_PERMISSIONS, Role.SALES: [*ROLE_PERMISSIONS[Role.SALES], "orders.veiw_order"]}
    monkeypatch.setattr(roles, "ROLE_PERMISSIONS", table)
    # when
    missing = roles.sync_roles()
    # then
    assert missing == {"orders.veiw_order"}
