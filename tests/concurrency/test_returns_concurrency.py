"""Returns and refunds under concurrency: real threads, each with its own PostgreSQL connection.

The returns services lock the order first (then the return, the refund,
the stock rows in inventory's services), so two returns cannot both take
the last shipped unit, two refunds cannot both pass what was paid, and a
unit restocked while orders are confirmed is sold once.
"""

from decimal import Decimal

import pytest
from django.db.models import Sum

from inventory import services as inventory_services
from inventory.models import StockLevel
from inventory.selectors import ledger_mismatches
from oms.errors import Conflict
from oms.roles import Role
from orders import services as order_services
from orders.models import Order
from returns import services
from returns.models import Refund, Return, ReturnLine
from tests.concurrency.threads import run_together
from tests.factories import UserFactory, address_data
from tests.returns import conftest as returns_fixtures
from tests.returns.conftest import red_line

# The returns tests' fixtures: a customer, a carrier and a box, an order of 2 red mugs and a
# blue one shipped and paid (31.80), and the seeded reasons.
customer = returns_fixtures.customer
make_order = returns_fixtures.make_order
royal_mail = returns_fixtures.royal_mail
box = returns_fixtures.box
mug_blue = returns_fixtures.mug_blue
shipped_order = returns_fixtures.shipped_order
paid_order = returns_fixtures.paid_order
reasons = returns_fixtures.reasons

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def people(role: Role, count: int) -> list:
    return [UserFactory(username=f"{role}{i}", roles=[role]) for i in range(count)]


def test_two_returns_racing_for_the_last_shipped_unit_one_wins(paid_order, sales_user):
    # given: 2 red mugs shipped, one already on a return
    line = red_line(paid_order)
    services.return_create(
        order_id=paid_order.pk,
        user=sales_user,
        lines=[{"order_line": line.pk, "quantity": 1, "reason": "damaged"}],
    )
    reps = people(Role.SALES, 2)

    # when: two reps open a return of the last one at the same moment
    results, refused, errors = run_together(
        lambda i: services.return_create(
            order_id=paid_order.pk,
            user=reps[i],
            lines=[{"order_line": line.pk, "quantity": 1, "reason": "defective"}],
        ),
        expected=(Conflict,),
        threads=2,
    )

    # then: one is opened, the other refused in plain words
    assert errors == []
    assert len(results) == 1 and len(refused) == 1
    [error] = refused.values()
    # the loser counted the winner's unit too: it waited for the order's lock
    assert (
        error.message == "Only 0 × MUG-RED can be returned: 2 shipped, 2 already on other returns."
    )
    held = ReturnLine.objects.filter(order_line=line).aggregate(n=Sum("quantity_requested"))["n"]
    assert held == 2 and Return.objects.count() == 2


def test_a_restock_racing_confirmations_sells_the_unit_once(
    paid_order, make_order, customer, sales_user, warehouse_user, bin_a
):
    # given: no red mug available (the 8 left allocated to another order), one received back
    make_order(("MUG-RED", 8))
    assert StockLevel.objects.get(location=bin_a, product__sku="MUG-RED").on_hand == 8
    assert StockLevel.objects.get(location=bin_a, product__sku="MUG-RED").allocated == 8
    rma = services.return_create(
        order_id=paid_order.pk,
        user=sales_user,
        lines=[{"order_line": red_line(paid_order).pk, "quantity": 1, "reason": "damaged"}],
    )
    services.return_authorize(return_id=rma.pk, user=sales_user)
    returned = rma.lines.get()
    services.return_receive(return_id=rma.pk, line_id=returned.pk, user=warehouse_user)
    wanting = [
        order_services.order_create(
            customer=customer,
            user=sales_user,
            shipping_address=address_data(),
            lines=[{"sku": "MUG-RED", "quantity": 1}],
            shipping_method="standard",
            place=True,
        )
        for _ in range(2)
    ]
    floor = people(Role.WAREHOUSE, 1)[0]

    def work(i):
        if i == 0:
            return services.return_dispose(
                return_id=rma.pk, line_id=returned.pk, kind="restock", location=bin_a.pk, user=floor
            )
        return order_services.order_confirm(order_id=wanting[i - 1].pk, user=sales_user)

    # when: the unit is restocked while two orders for one mug are confirmed
    results, refused, errors = run_together(work, threads=3)

    # then: the unit went to one order at most, never more than the bin holds
    assert errors == [] and refused == {} and len(results) == 3
    level = StockLevel.objects.get(location=bin_a, product__sku="MUG-RED")
    assert level.on_hand == 9 and level.allocated <= level.on_hand
    returns_bin = inventory_services.warehouse_returns_bin(warehouse=bin_a.warehouse)
    assert not StockLevel.objects.filter(location=returns_bin, allocated__gt=0).exists()
    statuses = sorted(Order.objects.get(pk=o.pk).status for o in wanting)
    assert statuses.count(Order.Status.ALLOCATED) <= 1
    assert level.allocated == 8 + statuses.count(Order.Status.ALLOCATED)
    assert ledger_mismatches() == []


def test_two_refunds_racing_past_what_was_paid_one_wins(paid_order):
    # given: 31.80 paid, nothing refunded; two managers
    managers = people(Role.MANAGER, 2)

    # when: each asks for 20.00 back at the same moment
    results, refused, errors = run_together(
        lambda i: services.refund_request(
            order_id=paid_order.pk, amount="20.00", reason="goodwill", user=managers[i]
        ),
        expected=(Conflict,),
        threads=2,
    )

    # then: one refund is waiting, the other refused naming what is left
    assert errors == []
    assert len(results) == 1 and len(refused) == 1
    [error] = refused.values()
    assert error.message == (
        f"At most 11.80 GBP can be refunded on order {paid_order}: 31.80 paid, "
        "20.00 already refunded or waiting."
    )
    assert list(Refund.objects.values_list("amount", flat=True)) == [Decimal("20.00")]
