"""Who may run which inventory service: the role table, proven on every write."""

import pytest

from inventory import services
from inventory.models import Location, StockLevel, StockMovement, Supplier, Warehouse
from inventory.selectors import ledger_mismatches
from oms.errors import NotAllowed
from tests.factories import UserFactory
from tests.inventory.helpers import product_rows

Kind = StockMovement.Kind


# --- who may do what --------------------------------------------------------------------------


def _receive(ctx, user):
    services.stock_receive(product=ctx["product"], location=ctx["bin_a"], quantity=1, user=user)


def _count(ctx, user):
    services.stock_adjust(product=ctx["product"], location=ctx["bin_a"], counted=9, user=user)


def _adjust(ctx, user):
    services.stock_adjust(
        product=ctx["product"],
        location=ctx["bin_a"],
        counted=3,
        user=user,
        reason="Found damaged",
        is_count=False,
    )


def _transfer(ctx, user):
    services.stock_transfer(
        product=ctx["product"],
        from_location=ctx["bin_a"],
        to_location=ctx["bin_b"],
        quantity=1,
        user=user,
    )


def _product_create(ctx, user):
    services.product_create(user=user, sku="ROLE-1", name="Role test")


def _product_update(ctx, user):
    services.product_update(product=ctx["product"], user=user, name="Renamed")


def _product_deactivate(ctx, user):
    services.product_deactivate(product=ctx["product"], user=user)


def _supplier_create(ctx, user):
    services.supplier_create(code="acme", name="Acme", user=user)


def _warehouse_create(ctx, user):
    services.warehouse_create(code="EAST", name="East", user=user)


def _location_create(ctx, user):
    services.location_create(warehouse=ctx["warehouse"], code="C-01-01", user=user)


ACTIONS = {
    "receive": (_receive, {"warehouse", "manager"}),
    "count": (_count, {"warehouse", "manager"}),
    "adjust": (_adjust, {"manager"}),
    "transfer": (_transfer, {"warehouse", "manager"}),
    "product_create": (_product_create, {"manager"}),
    "product_update": (_product_update, {"manager"}),
    "product_deactivate": (_product_deactivate, {"manager"}),
    "supplier_create": (_supplier_create, {"manager"}),
    "warehouse_create": (_warehouse_create, {"manager"}),
    "location_create": (_location_create, {"warehouse", "manager"}),
}
ROLES = ["sales", "warehouse", "manager", "nobody"]


def everything(ctx):
    """Return every row the actions above could touch, to prove a refusal changed nothing."""
    return (
        product_rows(),
        list(Warehouse.objects.order_by("pk").values_list("code", "name")),
        list(Location.objects.order_by("pk").values_list("code", "barcode")),
        list(Supplier.objects.order_by("pk").values_list("code", "name")),
        sorted(StockLevel.objects.values_list("product_id", "location_id", "on_hand", "allocated")),
        StockMovement.objects.count(),
    )


@pytest.fixture
def role_user(request, db):
    """Return a user for the role named by the test's parameter; "nobody" holds no role."""
    name = request.param
    if name == "nobody":
        return UserFactory(username="no.role")
    return request.getfixturevalue(f"{name}_user")


@pytest.fixture
def ctx(stocked, warehouse, bin_a, bin_b):
    return {"product": stocked, "warehouse": warehouse, "bin_a": bin_a, "bin_b": bin_b}


@pytest.mark.parametrize(
    ("action", "role_user"),
    [
        pytest.param(action, role, id=f"{role}-cannot-{action}")
        for action, (_, allowed) in ACTIONS.items()
        for role in ROLES
        if role not in allowed
    ],
    indirect=["role_user"],
)
def test_roles_without_the_permission_are_refused(ctx, action, role_user):
    # given
    run, _ = ACTIONS[action]
    before = everything(ctx)
    # when
    with pytest.raises(NotAllowed):
        run(ctx, role_user)
    # then
    assert everything(ctx) == before


@pytest.mark.parametrize(
    ("action", "role_user"),
    [
        pytest.param(action, role, id=f"{role}-can-{action}")
        for action, (_, allowed) in ACTIONS.items()
        for role in sorted(allowed)
    ],
    indirect=["role_user"],
)
def test_roles_with_the_permission_are_served(ctx, action, role_user):
    # given
    run, _ = ACTIONS[action]
    before = everything(ctx)
    # when
    run(ctx, role_user)
    # then
    assert everything(ctx) != before
    assert ledger_mismatches() == []


def test_an_inactive_user_is_refused_even_with_a_role(ctx):
    # given
    user = UserFactory(username="gone", roles=["Warehouse"], is_active=False)
    before = everything(ctx)
    # when
    with pytest.raises(NotAllowed):
        _receive(ctx, user)
    # then
    assert everything(ctx) == before


def test_a_superuser_may_do_everything(ctx, admin_user):
    # given
    # when
    for run, _ in ACTIONS.values():
        run(ctx, admin_user)
    # then
    assert Warehouse.objects.filter(code="EAST").exists()
    assert ledger_mismatches() == []
