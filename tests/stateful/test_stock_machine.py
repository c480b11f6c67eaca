"""The inventory, order and floor services in random order never break the stock rules.

A hypothesis state machine drives the real services (receive, count,
adjust, approve or reject counts, transfer, confirm and cancel orders, make
shipments and waves, pick, short pick, pack and ship) in random order.
After every step: no stock is negative, allocated never exceeds on hand,
the ledger sums to on hand in every bin, each line's allocation equals its
allocation rows, each bin's allocated equals the rows promised from it, and
an open line's allocated, backordered and shipped add up to its quantity.
A refused step (a domain error) must change nothing.
"""

from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from django.test import TestCase
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from fulfillment import selectors as floor_selectors
from fulfillment import services as floor
from fulfillment.models import Carrier, Shipment, ShippingMethod, Wave
from inventory import services as stock
from inventory.models import CountAdjustment, StockLevel, StockMovement
from inventory.selectors import ledger_mismatches
from oms.errors import DomainError
from oms.roles import Role
from oms.services import unit_of_work
from orders import services as orders
from orders.models import LineAllocation, Order, OrderLine
from tests.factories import (
    CustomerFactory,
    LocationFactory,
    ProductFactory,
    SupplierFactory,
    UserFactory,
    WarehouseFactory,
    address_data,
)

pytestmark = pytest.mark.django_db

SKUS = ["CUP", "PLATE"]
any_index = st.integers(min_value=0, max_value=1000)
small = st.integers(min_value=1, max_value=5)


def state() -> tuple:
    """Return everything a refused step must leave as it was (the scan log aside)."""
    return (
        sorted(StockLevel.objects.values_list("pk", "on_hand", "allocated")),
        StockMovement.objects.count(),
        sorted(
            OrderLine.objects.values_list(
                "pk", "quantity_allocated", "quantity_backordered", "quantity_shipped"
            )
        ),
        sorted(LineAllocation.objects.values_list("pk", "quantity")),
        sorted(Order.objects.values_list("pk", "status")),
        sorted(Shipment.objects.values_list("pk", "status")),
        sorted(CountAdjustment.objects.values_list("pk", "status")),
    )


def chosen(rows: list, index: int):
    return rows[index % len(rows)] if rows else None


class StockMachine(RuleBasedStateMachine):
    """The warehouse and the sales desk, one random step at a time."""

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        warehouse = WarehouseFactory(code="MAIN", name="Main")
        self.bins = [LocationFactory(warehouse=warehouse) for _ in range(3)]
        supplier = SupplierFactory()
        self.products = [
            ProductFactory(sku=SKUS[0], price=Decimal("4.00"), supplier=supplier),
            ProductFactory(sku=SKUS[1], price=Decimal("30.00")),
        ]
        self.sales = UserFactory(roles=[Role.SALES])
        self.floor = UserFactory(roles=[Role.WAREHOUSE])
        self.manager = UserFactory(roles=[Role.MANAGER])
        self.customer = CustomerFactory()
        carrier = Carrier.objects.create(code="LOC", name="Courier", is_local_courier=True)
        ShippingMethod.objects.create(carrier=carrier, code="courier", name="Same day")
        for product in self.products:
            for location in self.bins[:2]:
                stock.stock_receive(product=product, location=location, quantity=4)

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def attempt(self, work) -> None:
        """Run a step as a request would: all or nothing, callbacks after commit.

        A refusal (a domain error) must leave everything as it was.
        """
        before = state()
        try:
            with TestCase.captureOnCommitCallbacks(execute=True), unit_of_work():
                work()
        except DomainError:
            assert state() == before, "a refused step changed something"

    # --- stock ---------------------------------------------------------------------------------

    @rule(product=any_index, location=any_index, quantity=small)
    def receive(self, product, location, quantity):
        self.attempt(
            lambda: stock.stock_receive(
                product=chosen(self.products, product),
                location=chosen(self.bins, location),
                quantity=quantity,
                user=self.floor,
            )
        )

    @rule(product=any_index, location=any_index, counted=st.integers(0, 8), manager=st.booleans())
    def count(self, product, location, counted, manager):
        self.attempt(
            lambda: stock.stock_count(
                product=chosen(self.products, product),
                location=chosen(self.bins, location),
                counted=counted,
                user=self.manager if manager else self.floor,
            )
        )

    @rule(product=any_index, location=any_index, counted=st.integers(0, 8))
    def adjust(self, product, location, counted):
        self.attempt(
            lambda: stock.stock_adjust(
                product=chosen(self.products, product),
                location=chosen(self.bins, location),
                counted=counted,
                user=self.manager,
                reason="Damaged",
                is_count=False,
            )
        )

    @precondition(lambda self: CountAdjustment.objects.filter(status="pending").exists())
    @rule(index=any_index, approve=st.booleans())
    def decide_count(self, index, approve):
        adjustment = chosen(list(CountAdjustment.objects.filter(status="pending")), index)
        if adjustment is None:
            return
        decide = stock.count_adjustment_approve if approve else stock.count_adjustment_reject
        self.attempt(lambda: decide(adjustment_id=adjustment.pk, user=self.manager))

    @rule(product=any_index, source=any_index, into=any_index, quantity=small)
    def transfer(self, product, source, into, quantity):
        self.attempt(
            lambda: stock.stock_transfer(
                product=chosen(self.products, product),
                from_location=chosen(self.bins, source),
                to_location=chosen(self.bins, source + 1 + into % 2),
                quantity=quantity,
                user=self.floor,
            )
        )

    # --- orders --------------------------------------------------------------------------------

    @rule(
        lines=st.dictionaries(st.sampled_from(SKUS), st.integers(1, 4), min_size=1, max_size=2),
        complete=st.booleans(),
        ship_now=st.booleans(),
    )
    def confirm_order(self, lines, complete, ship_now):
        def work():
            order = orders.order_create(
                customer=self.customer,
                user=self.sales,
                channel="web",
                place=True,
                shipping_address=address_data(),
                shipping_method="courier",
                ship_policy="complete" if complete else "partial",
                lines=[{"sku": sku, "quantity": quantity} for sku, quantity in lines.items()],
            )
            orders.order_confirm(order_id=order.pk, user=self.sales)
            if ship_now:
                made = floor.shipment_create_for_order(order_id=order.pk, user=self.floor)
                floor.wave_create(user=self.floor, shipment_ids=[s.pk for s in made])

        self.attempt(work)

    @precondition(lambda self: Order.objects.exclude(status="cancelled").exists())
    @rule(index=any_index)
    def cancel_order(self, index):
        order = chosen(list(Order.objects.exclude(status="cancelled").order_by("pk")), index)
        if order is not None:
            self.attempt(lambda: orders.order_cancel(order_id=order.pk, user=self.sales))

    # --- the floor -----------------------------------------------------------------------------

    @precondition(lambda self: LineAllocation.objects.filter(quantity__gt=0).exists())
    @rule()
    def make_shipments_and_a_wave(self):
        def work():
            floor.shipments_create_ready(user=self.floor)
            floor.wave_create(user=self.floor)

        self.attempt(work)

    def _open_row(self, index):
        waves = list(Wave.objects.exclude(status="done").order_by("pk"))
        wave = chosen(waves, index)
        if wave is None:
            return None, None
        rows = [row for row in floor_selectors.pick_list(wave).rows if not row.done]
        return wave, chosen(rows, index)

    @precondition(lambda self: Wave.objects.exclude(status="done").exists())
    @rule(index=any_index, some=small)
    def pick_some(self, index, some):
        wave, row = self._open_row(index)
        if row is None:
            return

        def work():
            floor.pick_scan(user=self.floor, code=row.location.barcode, wave_id=wave.pk)
            quantity = min(some, row.left)
            floor.pick_scan(
                user=self.floor, code=f"{quantity}*{row.product.barcode}", wave_id=wave.pk
            )

        self.attempt(work)

    @precondition(lambda self: Wave.objects.exclude(status="done").exists())
    @rule(index=any_index, missing=small)
    def short_pick(self, index, missing):
        wave, row = self._open_row(index)
        if row is None:
            return

        def work():
            floor.pick_scan(user=self.floor, code=row.location.barcode, wave_id=wave.pk)
            floor.pick_short(user=self.floor, wave_id=wave.pk, quantity=min(missing, row.left))

        self.attempt(work)

    @precondition(lambda self: Shipment.objects.filter(status__in=Shipment.OPEN).exists())
    @rule(index=any_index)
    def finish_pack_and_ship(self, index):
        """Pick what is left of a wave, then pack and ship its picked shipments."""
        waves = list(Wave.objects.filter(shipments__status__in=Shipment.OPEN).distinct())
        wave = chosen(sorted(waves, key=lambda w: w.pk), index)
        if wave is None:
            return

        def work():
            for row in floor_selectors.pick_list(wave).rows:
                if not row.done:
                    floor.pick_scan(user=self.floor, code=row.location.barcode, wave_id=wave.pk)
                    floor.pick_scan(
                        user=self.floor, code=f"{row.left}*{row.product.barcode}", wave_id=wave.pk
                    )
            for shipment in wave.shipments.filter(status="picked").order_by("pk"):
                floor.pack_scan(user=self.floor, code=shipment.number)
                for line in shipment.lines.filter(quantity__gt=0).select_related("product"):
                    floor.pack_scan(
                        user=self.floor,
                        code=f"{line.quantity}*{line.product.barcode}",
                        shipment_id=shipment.pk,
                    )
                floor.parcel_close(user=self.floor, shipment_id=shipment.pk, weight_grams=500)
                floor.shipment_ship(shipment_id=shipment.pk, user=self.floor)

        self.attempt(work)

    # --- what must always hold -----------------------------------------------------------------

    @invariant()
    def stock_is_never_negative_nor_over_promised(self):
        for level in StockLevel.objects.all():
            assert 0 <= level.allocated <= level.on_hand, level

    @invariant()
    def the_ledger_sums_to_on_hand(self):
        assert ledger_mismatches() == []

    @invariant()
    def allocations_add_up(self):
        rows = defaultdict(int)
        per_bin = defaultdict(int)
        for line_id, product_id, location_id, quantity in LineAllocation.objects.values_list(
            "line_id", "line__product_id", "location_id", "quantity"
        ):
            rows[line_id] += quantity
            per_bin[(product_id, location_id)] += quantity
        for level in StockLevel.objects.all():
            assert level.allocated == per_bin[(level.product_id, level.location_id)], level
        for line in OrderLine.objects.select_related("order"):
            assert line.quantity_allocated == rows[line.pk], line
            status = line.order.status
            if status == Order.Status.CANCELLED:
                assert line.quantity_allocated == 0
            elif status not in (Order.Status.DRAFT, Order.Status.PLACED):
                total = line.quantity_allocated + line.quantity_backordered
                assert total + line.quantity_shipped == line.quantity, line

    @invariant()
    def open_shipments_hold_only_what_is_allocated(self):
        on_shipments = (
            Shipment.objects.filter(status__in=Shipment.OPEN)
            .values("lines__order_line_id", "lines__location_id")
            .annotate(total=Sum("lines__quantity"))
        )
        allocated = {
            (row.line_id, row.location_id): row.quantity for row in LineAllocation.objects.all()
        }
        for row in on_shipments:
            if row["lines__order_line_id"] is None:
                continue
            key = (row["lines__order_line_id"], row["lines__location_id"])
            assert row["total"] <= allocated.get(key, 0), row


def test_random_work_on_the_floor_and_the_desk_keeps_every_stock_rule():
    run_state_machine_as_test(
        StockMachine,
        settings=settings(
            max_examples=12,
            stateful_step_count=40,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
            derandomize=True,
            database=None,
        ),
    )
