"""The receive and count screens from many devices of one person at once: nothing lost, nothing twice.

A person's count of a bin lives in the database, so several devices (or a
retried request) may scan into it at the same moment. Real threads on
PostgreSQL: every accepted scan is in the tally exactly once, a finish
books exactly the scans it saw, and one person never has two open counts.
"""

import pytest

from inventory import services
from inventory.models import CountSession, StockLevel, StockMovement, StockScan
from inventory.selectors import ledger_mismatches
from oms.errors import DomainError
from tests.concurrency.threads import THREADS, run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

MUG = "4006381333931"
BIN_A = "BIN-MAIN-A-01-01"


def on_hand(product, location) -> int:
    level = StockLevel.objects.filter(product=product, location=location).first()
    return level.on_hand if level else 0


def counted_scans(session) -> list[StockScan]:
    return list(
        StockScan.objects.filter(
            count_session=session, action="count", result="accepted", undone_by__isnull=True
        )
    )


def test_scans_from_many_devices_at_once_all_land_in_one_tally(manager_user, product, bin_a):
    # given a manager (whose counts are booked at once) counting A-01-01
    services.count_scan(user=manager_user, code=BIN_A)

    # when every device scans a mug at the same moment
    results, _, errors = run_together(lambda i: services.count_scan(user=manager_user, code=MUG))

    # then every scan counted once, and finishing books them all
    assert errors == []
    assert len(results) == THREADS
    session = CountSession.objects.get()
    assert sum(row.quantity for row in counted_scans(session)) == THREADS
    services.count_finish(user=manager_user)
    assert on_hand(product, bin_a) == THREADS
    assert ledger_mismatches() == []


def test_a_finish_racing_scans_books_exactly_the_scans_it_saw(manager_user, product, bin_a):
    # given a count of A-01-01 with two mugs in it
    services.count_scan(user=manager_user, code=BIN_A)
    services.count_scan(user=manager_user, code=f"2*{MUG}")

    # when one device finishes while the others scan
    def work(i: int):
        if i == 0:
            return services.count_finish(user=manager_user)
        return services.count_scan(user=manager_user, code=MUG)

    results, refused, errors = run_together(work, expected=(DomainError,))

    # then a scan either made it into the count before the finish, or was refused after it
    assert errors == []
    assert 0 in results
    assert all("No bin yet" in error.message for error in refused.values())
    session = CountSession.objects.get()
    assert session.status == CountSession.Status.FINISHED
    booked = sum(row.quantity for row in counted_scans(session))
    assert booked == 2 + len(results) - 1
    assert on_hand(product, bin_a) == booked
    assert session.result["lines"][0]["counted"] == booked
    assert StockScan.objects.filter(result="refused").count() == len(refused)
    assert ledger_mismatches() == []


def test_starting_a_bin_on_many_devices_at_once_opens_one_count(warehouse_user, bin_a):
    # given nobody counting
    # when every device scans the bin label at the same moment
    results, refused, errors = run_together(
        lambda i: services.count_scan(user=warehouse_user, code=BIN_A), expected=(DomainError,)
    )

    # then one count is open; the others were told it is already counting, or to scan again
    assert errors == []
    assert CountSession.objects.filter(status=CountSession.Status.OPEN).count() == 1
    assert CountSession.objects.count() == 1
    assert len(results) + len(refused) == THREADS
    assert all("another screen" in error.message for error in refused.values())


def test_undo_pressed_on_many_devices_at_once_takes_each_receipt_back_once(
    warehouse_user, product, bin_a
):
    # given three receipts of one mug
    services.receive_scan(user=warehouse_user, code=BIN_A)
    for _ in range(3):
        services.receive_scan(user=warehouse_user, code=MUG)

    # when every device presses undo at once
    results, refused, errors = run_together(
        lambda i: services.receive_undo(user=warehouse_user), expected=(DomainError,)
    )

    # then no receipt is taken back twice, and the ledger balances
    assert errors == []
    undone = StockScan.objects.filter(action="undo", result="accepted")
    assert len(results) == undone.count() <= 3
    assert len(set(undone.values_list("undoes_id", flat=True))) == undone.count()
    assert on_hand(product, bin_a) == 3 - undone.count()
    assert StockMovement.objects.filter(kind="adjustment").count() == undone.count()
    assert len(refused) == THREADS - len(results)
    assert ledger_mismatches() == []
