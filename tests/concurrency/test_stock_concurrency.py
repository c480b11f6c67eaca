"""Stock under concurrent writers: real threads, real PostgreSQL row locks.

Each test starts 32 threads that wait at a barrier and then hit the same
stock rows at once. A deadlock or a lost update would surface as an
OperationalError in a thread, or as totals that do not add up.
"""

import pytest

from inventory import services
from inventory.models import StockLevel, StockMovement
from inventory.selectors import ledger_mismatches
from oms.errors import Conflict
from tests.concurrency.threads import THREADS, run_together
from tests.factories import LocationFactory, ProductFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def rows(product) -> list[StockLevel]:
    return list(StockLevel.objects.filter(product=product).order_by("pk"))


def test_many_orders_allocating_one_product_never_oversell(product, bin_a, bin_b):
    # given 10 on hand over two bins, and 32 orders asking 1, 2 or 3 each (63 in all)
    services.stock_receive(product=product, location=bin_a, quantity=6)
    services.stock_receive(product=product, location=bin_b, quantity=4)
    asked = {i: i % 3 + 1 for i in range(THREADS)}

    # when
    results, _, errors = run_together(
        lambda i: services.stock_allocate(product=product, quantity=asked[i])
    )

    # then
    assert errors == []
    granted = {i: services.allocated_total(taken) for i, taken in results.items()}
    assert all(granted[i] <= asked[i] for i in granted)
    assert sum(granted.values()) == 10
    levels = rows(product)
    assert all(0 <= level.allocated <= level.on_hand for level in levels)
    assert sum(level.allocated for level in levels) == 10
    assert sum(level.on_hand for level in levels) == 10
    by_level: dict[int, int] = {}
    for taken in results.values():
        for allocation in taken:
            by_level[allocation.stock_level_id] = (
                by_level.get(allocation.stock_level_id, 0) + allocation.quantity
            )
    assert by_level == {level.pk: level.allocated for level in levels}
    assert ledger_mismatches() == []


def test_allocating_two_products_in_opposite_orders_does_not_deadlock(bin_a, bin_b):
    # given two products whose stock rows interleave, 24 on hand each
    red = ProductFactory(sku="RED")
    blue = ProductFactory(sku="BLUE")
    for location in (bin_a, bin_b):
        services.stock_receive(product=red, location=location, quantity=12)
        services.stock_receive(product=blue, location=location, quantity=12)

    def allocate(i: int):
        pair = [(red, 1), (blue, 1)] if i % 2 == 0 else [(blue, 1), (red, 1)]
        return services.stock_allocate_many(requests=pair)

    # when
    results, _, errors = run_together(allocate)

    # then
    assert errors == []
    for product in (red, blue):
        got = sum(services.allocated_total(r[product.pk]) for r in results.values())
        assert got == 24
        assert sum(level.allocated for level in rows(product)) == 24
        assert all(level.allocated <= level.on_hand for level in rows(product))
    assert ledger_mismatches() == []


def test_concurrent_receipts_into_a_new_bin_all_count(product, warehouse, warehouse_user):
    # given a bin that has never held the product
    fresh = LocationFactory(warehouse=warehouse, code="N-01-01")
    quantities = {i: i % 5 + 1 for i in range(THREADS)}

    # when
    receipts, _, errors = run_together(
        lambda i: services.stock_receive(
            product=product,
            location=fresh,
            quantity=quantities[i],
            user=warehouse_user,
            reference=f"PO-{i}",
        )
    )

    # then
    assert errors == []
    assert len(receipts) == THREADS
    (level,) = rows(product)
    assert level.on_hand == sum(quantities.values())
    movements = StockMovement.objects.filter(product=product, location=fresh)
    assert movements.count() == THREADS
    after = sorted(movements.values_list("on_hand_after", flat=True))
    assert len(set(after)) == THREADS  # every receipt saw the one before it
    assert after[-1] == level.on_hand
    assert ledger_mismatches() == []


def test_concurrent_transfers_never_push_the_source_negative(product, bin_a, bin_b, warehouse_user):
    # given 10 in bin A, 4 of them promised; 32 pickers each moving 1-3 to bin B
    services.stock_receive(product=product, location=bin_a, quantity=10)
    services.stock_allocate(product=product, quantity=4)
    asked = {i: i % 3 + 1 for i in range(THREADS)}

    # when
    results, refused, errors = run_together(
        lambda i: services.stock_transfer(
            product=product,
            from_location=bin_a,
            to_location=bin_b,
            quantity=asked[i],
            user=warehouse_user,
        ),
        expected=(Conflict,),
    )

    # then
    assert errors == []
    assert refused, "63 asked of 6 free: some transfers must be refused"
    moved = sum(asked[i] for i in results)
    source = StockLevel.objects.get(product=product, location=bin_a)
    target = StockLevel.objects.get(product=product, location=bin_b)
    assert source.on_hand == 10 - moved >= source.allocated == 4
    assert target.on_hand == moved
    assert StockMovement.objects.count() == 1 + 2 * len(results)
    assert ledger_mismatches() == []


def test_transfers_both_ways_between_two_bins_do_not_deadlock(
    product, bin_a, bin_b, warehouse_user
):
    # given 10 in each bin, half the pickers moving A to B and half B to A
    services.stock_receive(product=product, location=bin_a, quantity=10)
    services.stock_receive(product=product, location=bin_b, quantity=10)

    def move(i: int):
        source, target = (bin_a, bin_b) if i % 2 == 0 else (bin_b, bin_a)
        return services.stock_transfer(
            product=product,
            from_location=source,
            to_location=target,
            quantity=i % 3 + 1,
            user=warehouse_user,
        )

    # when
    _, _, errors = run_together(move, expected=(Conflict,))

    # then
    assert errors == []
    levels = rows(product)
    assert all(level.on_hand >= 0 for level in levels)
    assert sum(level.on_hand for level in levels) == 20
    assert ledger_mismatches() == []


def test_receipts_counts_and_allocations_together_keep_the_ledger(product, bin_a, warehouse_user):
    # given 20 on hand
    services.stock_receive(product=product, location=bin_a, quantity=20)

    def work(i: int):
        kind = i % 4
        if kind == 0:
            return services.stock_receive(
                product=product, location=bin_a, quantity=2, user=warehouse_user
            )
        if kind == 1:
            return services.stock_allocate(product=product, quantity=3)
        if kind == 2:
            return services.stock_adjust(
                product=product, location=bin_a, counted=15 + i % 7, user=warehouse_user
            )
        return services.stock_consume(product=product, location=bin_a, quantity=1)

    # when
    _, _, errors = run_together(work, expected=(Conflict,))

    # then
    assert errors == []
    (level,) = rows(product)
    assert 0 <= level.allocated <= level.on_hand
    assert ledger_mismatches() == []
