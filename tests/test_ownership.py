"""The one-owner-per-table check catches a write from the wrong app, and lets the owner write."""

import pytest

from oms.numbers import assign_number
from orders.models import LineAllocation, Order, OrderEvent
from tests import ownership
from tests.factories import CustomerFactory


def run_as(module: str, code: str, **names):
    """Run ``code`` as if it were written in ``module`` (a project module)."""
    exec(compile(code, f"{module.replace('.', '/')}.py", "exec"), {"__name__": module, **names})


@pytest.mark.parametrize(
    "code",
    [
        "LineAllocation.objects.filter(pk=0).update(quantity=0)",
        "LineAllocation.objects.bulk_update([], ['quantity'])",
        "OrderEvent.objects.bulk_create([])",
        "OrderEvent(order_id=1, type='note').save()",
    ],
)
def test_an_app_writing_another_apps_rows_is_caught(db, code):
    with pytest.raises(ownership.WrongOwner, match="fulfillment wrote orders"):
        run_as(
            "fulfillment.services.sneaky",
            code,
            LineAllocation=LineAllocation,
            OrderEvent=OrderEvent,
        )


def test_the_owner_and_oms_plumbing_on_its_behalf_may_write(db):
    # given
    order = Order.objects.create(customer=CustomerFactory())
    # when orders numbers its order through oms's helper, and writes its own rows
    run_as(
        "orders.services.fine",
        "assign_number(order, 'SO')",
        assign_number=assign_number,
        order=order,
    )
    run_as(
        "orders.services.fine",
        "LineAllocation.objects.filter(pk=0).update(quantity=0)",
        LineAllocation=LineAllocation,
    )
    # then
    assert Order.objects.get(pk=order.pk).number == f"SO-{order.pk:06d}"


def test_oms_plumbing_called_by_the_wrong_app_is_caught(db):
    order = Order.objects.create(customer=CustomerFactory())
    with pytest.raises(ownership.WrongOwner, match=r"fulfillment wrote orders\.Order"):
        run_as(
            "fulfillment.services.sneaky",
            "assign_number(order, 'SO')",
            assign_number=assign_number,
            order=order,
        )
