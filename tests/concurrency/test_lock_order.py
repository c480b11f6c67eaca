"""One lock order everywhere (oms.locks): proven on PostgreSQL, where FOR UPDATE is real.

Each service is run while its statements are recorded: the kinds of rows it
locks must come in the documented order, and a service that changes many
stock rows locks them in one statement. Then real threads race cancels,
confirmations and shipping over shared bins: no deadlock, no oversell, and
the ledger balances.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fulfillment import selectors as floor_selectors
from fulfillment import services as floor
from fulfillment.models import Carrier, ShippingMethod
from inventory import services as inventory_services
from inventory.models import CountAdjustment, PurchaseOrder, StockLevel
from inventory.selectors import ledger_mismatches
from oms.errors import Conflict
from orders import services
from orders.models import Order, OrderLine
from tests.concurrency.threads import run_together
from tests.factories import (
    CustomerFactory,
    LocationFactory,
    ProductFactory,
    SupplierFactory,
    address_data,
)

pytestmark = pytest.mark.postgres

# The documented order (oms.locks), by table.
RANK = {
    "oms_idempotencykey": 1,
    "orders_customer": 1,
    "orders_order": 2,
    "fulfillment_shipment": 3,
    "fulfillment_shipmentline": 3.5,
    "fulfillment_wave": 4,
    "inventory_countsession": 4.5,
    "inventory_countadjustment": 5,
    "inventory_stocklevel": 6,
    "inventory_supplier": 7,
    "inventory_purchaseorder": 7.5,
}
_LOCKED_TABLE = re.compile(r'FROM "(\w+)"')


def locked_tables(queries) -> list[str]:
    """Return the table of each SELECT ... FOR UPDATE, in the order they ran."""
    return [
        _LOCKED_TABLE.search(query["sql"]).group(1)
        for query in queries
        if "FOR UPDATE" in query["sql"]
    ]


def assert_lock_order(tables: list[str]) -> None:
    """Assert that each kind of row is first locked in the documented order.

    A later lock on a kind already held re-locks rows the service holds (the
    same rows, so it waits for nobody).
    """
    first = list(dict.fromkeys(tables))
    ranks = [RANK[table] for table in first]
    assert ranks == sorted(ranks), f"locks out of order: {tables}"


def run_recorded(work):
    with CaptureQueriesContext(connection) as queries:
        result = work()
    tables = locked_tables(queries.captured_queries)
    assert_lock_order(tables)
    return result, tables


def place(sales_user, *lines, customer=None) -> Order:
    return services.order_create(
        customer=customer or CustomerFactory(),
        user=sales_user,
        channel="web",
        place=True,
        shipping_address=address_data(),
        shipping_method="standard",
        lines=[{"sku": sku, "quantity": quantity} for sku, quantity in lines],
    )


@pytest.fixture
def carrier(db):
    carrier = Carrier.objects.create(code="RM", name="Royal Post")
    ShippingMethod.objects.create(carrier=carrier, code="standard", name="Tracked 48")
    return carrier


@pytest.fixture
def spread(warehouse, sales_user):
    """A cup and a saucer in three bins each, the rows made in reverse walking order."""
    bins = [LocationFactory(warehouse=warehouse) for _ in range(3)]
    cup, saucer = ProductFactory(sku="CUP"), ProductFactory(sku="SAUCER")
    for location in reversed(bins):
        for item in (saucer, cup):
            inventory_services.stock_receive(product=item, location=location, quantity=4)
    return bins, cup, saucer


@pytest.mark.django_db
def test_cancelling_an_order_locks_its_stock_rows_in_one_statement(spread, sales_user):
    # given an order allocated from three bins for each of two products
    order = place(sales_user, ("CUP", 10), ("SAUCER", 10))
    services.order_confirm(order_id=order.pk, user=sales_user)
    # when it is cancelled
    _, tables = run_recorded(
        lambda: services.order_cancel(order_id=order.pk, user=sales_user, reason="no")
    )
    # then the six stock rows are locked at once, after the order
    assert tables.count("inventory_stocklevel") == 1
    assert tables[0] == "orders_order"
    assert StockLevel.objects.filter(allocated__gt=0).count() == 0


@pytest.mark.django_db
def test_a_bin_count_locks_its_stock_rows_in_one_statement(spread, warehouse_user):
    # given a bin holding cups and saucers (their rows made saucer first)
    bins, cup, saucer = spread
    # when both are counted
    with CaptureQueriesContext(connection) as queries:
        inventory_services.stock_count_bin(
            location=bins[0], counts=[(saucer, 4), (cup, 4)], user=warehouse_user
        )
    # then waiting counts first, then both stock rows in one statement, before any other
    locks = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    assert_lock_order(locked_tables(queries.captured_queries))
    assert '"inventory_countadjustment"' in locks[0]
    assert '"inventory_stocklevel"' in locks[1] and " OR " in locks[1]


@pytest.mark.django_db
def test_finishing_a_count_on_the_screen_locks_the_count_before_the_stock(spread, warehouse_user):
    # given cups and saucers counted on the count screen
    bins, cup, saucer = spread
    inventory_services.count_scan(user=warehouse_user, code=bins[0].barcode)
    inventory_services.count_scan(user=warehouse_user, code=f"4*{saucer.barcode}")
    inventory_services.count_scan(user=warehouse_user, code=f"3*{cup.barcode}")
    # when the bin is finished
    _, tables = run_recorded(lambda: inventory_services.count_finish(user=warehouse_user))
    # then the count is locked first, then the waiting counts and the stock rows
    assert tables[:3] == [
        "inventory_countsession",
        "inventory_countadjustment",
        "inventory_stocklevel",
    ]


@pytest.mark.django_db
def test_receiving_a_purchase_order_locks_the_bins_before_the_order(
    warehouse, bin_a, bin_b, manager_user, warehouse_user
):
    # given a sent purchase order for two products
    supplier = SupplierFactory()
    cup, saucer = ProductFactory(supplier=supplier), ProductFactory(supplier=supplier)
    po = inventory_services.purchase_order_create(
        supplier=supplier, warehouse=warehouse, lines=[(cup, 5), (saucer, 5)], user=manager_user
    )
    inventory_services.purchase_order_send(purchase_order_id=po.pk, user=manager_user)
    # when its goods are received into two bins
    _, tables = run_recorded(
        lambda: inventory_services.purchase_order_receive(
            purchase_order_id=po.pk,
            lines=[(saucer, 5, bin_b), (cup, 5, bin_a)],
            user=warehouse_user,
        )
    )
    # then stock rows come first, then the purchase order
    assert tables[0] == "inventory_stocklevel"
    assert "inventory_purchaseorder" in tables
    assert PurchaseOrder.objects.get().status == PurchaseOrder.Status.RECEIVED


@pytest.mark.django_db
def test_the_floor_and_the_desk_lock_in_the_one_order(
    spread, carrier, sales_user, warehouse_user, django_capture_on_commit_callbacks
):
    # given orders for cups and saucers, one of them shipped from a wave with a short pick
    bins, cup, _saucer = spread
    first = place(sales_user, ("CUP", 3), ("SAUCER", 2))
    second = place(sales_user, ("CUP", 20))
    with django_capture_on_commit_callbacks(execute=True):
        run_recorded(lambda: services.order_confirm(order_id=first.pk, user=sales_user))
        run_recorded(lambda: services.order_confirm(order_id=second.pk, user=sales_user))
    [shipments], _ = run_recorded(
        lambda: [floor.shipment_create_for_order(order_id=first.pk, user=warehouse_user)]
    )
    wave, _ = run_recorded(lambda: floor.wave_create(user=warehouse_user))
    scan = lambda code: floor.pick_scan(user=warehouse_user, code=code, wave_id=wave.pk)  # noqa: E731
    location = bins[0]
    for code in (location.barcode, f"1*{cup.barcode}"):
        run_recorded(lambda code=code: scan(code))
    # when the picker shorts the rest of the cups in the first bin, then finishes and ships
    with django_capture_on_commit_callbacks(execute=True):
        run_recorded(lambda: scan("CMD-SHORT"))
    for row in floor_selectors.pick_list(wave).rows:
        if not row.done:
            run_recorded(lambda row=row: scan(row.location.barcode))
            run_recorded(lambda row=row: scan(f"{row.left}*{row.product.barcode}"))
    [shipment] = shipments
    run_recorded(lambda: floor.pack_scan(user=warehouse_user, code=shipment.number))
    for line in shipment.lines.filter(quantity__gt=0).select_related("product"):
        run_recorded(
            lambda line=line: floor.pack_scan(
                user=warehouse_user,
                code=f"{line.quantity}*{line.product.barcode}",
                shipment_id=shipment.pk,
            )
        )
    run_recorded(
        lambda: floor.parcel_close(user=warehouse_user, shipment_id=shipment.pk, weight_grams=500)
    )
    run_recorded(
        lambda: floor.shipment_ship(
            shipment_id=shipment.pk, user=warehouse_user, tracking_number="RM1"
        )
    )
    # and the other order is cancelled
    run_recorded(lambda: services.order_cancel(order_id=second.pk, user=sales_user))
    # then every step locked in order (run_recorded), and the ledger balances
    assert ledger_mismatches() == []


@pytest.mark.django_db(transaction=True)
def test_cancel_confirm_and_ship_racing_over_shared_bins_never_deadlock_or_oversell(
    spread, carrier, sales_user, warehouse_user
):
    # given packed shipments, allocated orders and placed orders, all over the same bins
    _bins, cup, saucer = spread

    def packed_order():
        order = place(sales_user, ("CUP", 2), ("SAUCER", 1))
        services.order_confirm(order_id=order.pk, user=sales_user)
        [shipment] = floor.shipment_create_for_order(order_id=order.pk, user=warehouse_user)
        wave = floor.wave_create(user=warehouse_user, shipment_ids=[shipment.pk])
        for row in floor_selectors.pick_list(wave).rows:
            floor.pick_scan(user=warehouse_user, code=row.location.barcode, wave_id=wave.pk)
            floor.pick_scan(
                user=warehouse_user, code=f"{row.left}*{row.product.barcode}", wave_id=wave.pk
            )
        floor.pack_scan(user=warehouse_user, code=shipment.number)
        for line in shipment.lines.select_related("product"):
            floor.pack_scan(
                user=warehouse_user,
                code=f"{line.quantity}*{line.product.barcode}",
                shipment_id=shipment.pk,
            )
        floor.parcel_close(user=warehouse_user, shipment_id=shipment.pk, weight_grams=500)
        return shipment.pk

    to_ship = [packed_order() for _ in range(3)]
    to_cancel = []
    for _ in range(5):
        order = place(sales_user, ("SAUCER", 1), ("CUP", 1))
        services.order_confirm(order_id=order.pk, user=sales_user)
        to_cancel.append(order.pk)
    to_confirm = [place(sales_user, ("CUP", 2), ("SAUCER", 2)).pk for _ in range(8)]
    jobs = (
        [("ship", pk) for pk in to_ship]
        + [("cancel", pk) for pk in to_cancel]
        + [("confirm", pk) for pk in to_confirm]
    )

    def work(i):
        kind, pk = jobs[i]
        if kind == "ship":
            return floor.shipment_ship(shipment_id=pk, user=warehouse_user, tracking_number=f"T{i}")
        if kind == "cancel":
            return services.order_cancel(order_id=pk, user=sales_user, reason="race")
        return services.order_confirm(order_id=pk, user=sales_user)

    # when all of them run at the same moment
    _, refused, errors = run_together(work, expected=(Conflict,), threads=len(jobs))

    # then none deadlocked or failed, nothing is oversold, and the ledger balances
    assert errors == []
    assert refused == {}
    for level in StockLevel.objects.all():
        assert 0 <= level.allocated <= level.on_hand
    for item in (cup, saucer):
        promised = sum(
            OrderLine.objects.filter(product=item).values_list("quantity_allocated", flat=True)
        )
        assert promised == sum(
            StockLevel.objects.filter(product=item).values_list("allocated", flat=True)
        )
    assert ledger_mismatches() == []
    assert Order.objects.filter(status=Order.Status.CANCELLED).count() == 5
    assert Order.objects.filter(status=Order.Status.SHIPPED).count() == 3


@pytest.mark.django_db(transaction=True)
def test_counts_of_one_bin_at_once_leave_one_waiting_and_refuse_the_rest(
    stocked, bin_a, warehouse_user
):
    # given 10 mugs on record; 6 people count the bin at the same moment, each finding 5
    def count(i):
        return inventory_services.stock_count(
            product=stocked, location=bin_a, counted=5, user=warehouse_user
        )

    # when
    results, refused, errors = run_together(count, expected=(Conflict,), threads=6)

    # then one count waits for approval: each other one replaced an earlier count, or was
    # told to count again when an earlier one was recorded while it waited
    assert errors == []
    assert len(results) + len(refused) == 6
    assert {error.code for error in refused.values()} <= {"counted_meanwhile"}
    assert CountAdjustment.objects.filter(status="pending").count() == 1
    assert CountAdjustment.objects.filter(status="rejected").count() == len(results) - 1
    assert StockLevel.objects.get(location=bin_a).on_hand == 10
