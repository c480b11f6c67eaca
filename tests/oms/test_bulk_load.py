"""A bulk load that checks foreign keys once at the end, and the import's exclusive mode using it."""

from io import StringIO
from unittest import mock

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction

from fulfillment.models import Parcel, Shipment, ShipmentLine
from inventory.models import StockMovement
from inventory.selectors import ledger_mismatches
from oms.bulk import foreign_keys_checked_at_end, insert_rows, reserve_ids
from orders.models import Customer, Order, OrderEvent, OrderLine, Payment

CSV = """InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom
536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850.0,United Kingdom
536365,POST,POSTAGE,1,2010-12-01 08:26:00,18.00,17850.0,United Kingdom
536366,22633,HAND WARMER UNION JACK,6,2010-12-01 08:28:00,1.85,,United Kingdom
536367,85123A,WHITE HANGING HEART T-LIGHT HOLDER,32,2010-12-02 08:34:00,2.40,12583.0,France
536369,71053,WHITE METAL LANTERN,2,2010-12-09 10:00:00,3.39,17850.0,United Kingdom
"""
MORE = """536400,85123A,WHITE HANGING HEART T-LIGHT HOLDER,1,2010-12-10 08:26:00,2.55,17850.0,United Kingdom
536400,71053,WHITE METAL LANTERN,1,2010-12-10 08:26:00,3.39,17850.0,United Kingdom
536401,71053,WHITE METAL LANTERN,2,2010-12-10 09:00:00,3.39,12583.0,France
"""
TABLES = (Order, OrderLine, OrderEvent, Payment, Shipment, ShipmentLine, Parcel, StockMovement)


def foreign_keys() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), convalidated "
            "FROM pg_constraint WHERE contype = 'f' ORDER BY 1, 2"
        )
        return cursor.fetchall()


def counts() -> list[int]:
    return [model.objects.count() for model in TABLES]


def run(path, *args) -> str:
    out = StringIO()
    call_command("import_online_retail", "--file", str(path), *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def data_file(tmp_path):
    path = tmp_path / "retail.csv"
    path.write_text(CSV)
    return path


def event_row(event_id: int, order_id: int) -> tuple:
    from django.utils import timezone

    return (event_id, order_id, "note", "", "", "bulk", {}, timezone.now())


EVENT_COLUMNS = ["id", "order_id", "type", "from_status", "to_status", "note", "data", "created_at"]


@pytest.mark.postgres
def test_the_keys_come_back_exactly_as_they_were_after_a_load(db, data_file):
    # given
    before = foreign_keys()
    # when
    with transaction.atomic(), foreign_keys_checked_at_end([OrderEvent, OrderLine]):
        inside = foreign_keys()
    # then: gone while loading, back as they were (validated) afterwards
    assert len(inside) < len(before)
    assert not [key for key in inside if key[0] in ("orders_orderevent", "orders_orderline")]
    assert foreign_keys() == before


@pytest.mark.postgres
def test_a_row_pointing_nowhere_refuses_the_whole_load_and_the_keys_stay(db):
    # given
    before = foreign_keys()
    # when a bulk load writes an event for an order that does not exist
    with (
        pytest.raises(IntegrityError),
        transaction.atomic(),
        foreign_keys_checked_at_end([OrderEvent]),
    ):
        insert_rows(OrderEvent, EVENT_COLUMNS, [event_row(reserve_ids(OrderEvent, 1)[0], 10**9)])
    # then nothing of it was kept, and the table still has its keys
    assert OrderEvent.objects.count() == 0
    assert foreign_keys() == before


@pytest.mark.postgres
def test_keys_are_never_dropped_outside_a_transaction(db):
    before = foreign_keys()
    with (
        transaction.atomic(),
        mock.patch.object(connection, "in_atomic_block", False),
        pytest.raises(RuntimeError, match="inside a transaction"),
        foreign_keys_checked_at_end([OrderEvent]),
    ):
        pass  # pragma: no cover
    assert foreign_keys() == before


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the keys of other databases")
def test_elsewhere_the_keys_stay_and_check_the_rows(db):
    # when a row pointing nowhere is written inside the load on SQLite,
    # then the key is still there to refuse it
    with (
        pytest.raises(IntegrityError),
        transaction.atomic(),
        foreign_keys_checked_at_end([OrderEvent]),
    ):
        insert_rows(OrderEvent, EVENT_COLUMNS, [event_row(reserve_ids(OrderEvent, 1)[0], 10**9)])
        connection.check_constraints(table_names=["orders_orderevent"])
    assert OrderEvent.objects.count() == 0


@pytest.mark.postgres
def test_an_error_caught_by_the_caller_still_takes_the_drops_back(db):
    # given
    before = foreign_keys()
    # when the caller catches the load's error and carries on in its transaction
    with transaction.atomic():
        try:
            with foreign_keys_checked_at_end([OrderEvent]):
                raise ValueError("a bad row")
        except ValueError:
            pass
        inside = foreign_keys()
    # then the keys were back at once, not only when the transaction ended
    assert inside == before
    assert foreign_keys() == before


@pytest.mark.postgres
def test_checks_queued_earlier_in_the_transaction_do_not_stop_the_load(db):
    # given a row whose key check is still queued (keys are checked at commit by default)
    customer = Customer.objects.create(name="Ann", email="ann@example.com")
    with transaction.atomic():
        order = Order.objects.create(customer=customer)
        # when the load starts in the same transaction
        with foreign_keys_checked_at_end([Order, OrderEvent]):
            insert_rows(
                OrderEvent, EVENT_COLUMNS, [event_row(reserve_ids(OrderEvent, 1)[0], order.pk)]
            )
    # then
    assert OrderEvent.objects.get().order_id == order.pk


@pytest.mark.postgres
def test_a_load_that_cannot_have_the_tables_says_so_and_writes_nothing(db, data_file):
    # given another user reading orders in an open transaction
    before = foreign_keys()
    other = psycopg.connect(**connection.get_connection_params())
    try:
        other.execute("BEGIN")
        other.execute("LOCK TABLE orders_order IN ACCESS SHARE MODE")
        # when an exclusive load is asked for
        with (
            mock.patch("oms.bulk.LOCK_WAIT", "200ms"),
            pytest.raises(CommandError, match="The database is in use"),
        ):
            run(data_file, "--exclusive")
    finally:
        other.close()
    # then it gave up, and nothing changed
    assert counts() == [0] * len(TABLES)
    assert foreign_keys() == before


@pytest.mark.postgres
def test_by_default_only_a_big_first_load_takes_the_tables(db, data_file, tmp_path, monkeypatch):
    monkeypatch.setattr("oms.management.commands.import_online_retail.EXCLUSIVE_FROM", 2)
    # a first load, of two lines or more: exclusive
    assert "in one transaction" in run(data_file)
    # more invoices into a database that has orders: batched, however many lines
    later = tmp_path / "later.csv"
    later.write_text(CSV.splitlines()[0] + "\n" + MORE)
    report = run(later)
    assert "in one transaction" not in report
    assert "2 orders with 3 lines imported as history" in report
    # nothing new: nothing taken, even when asked
    assert "in one transaction" not in run(later, "--exclusive")


@pytest.mark.postgres
def test_an_exclusive_import_writes_what_a_batched_one_writes(db, data_file):
    # when the same file is imported once in each mode (the second run finds everything)
    report = run(data_file, "--exclusive")
    # then
    assert "in one transaction, foreign keys checked once at the end" in report
    assert "4 orders with 5 lines imported as history" in report
    exclusive = counts()
    assert exclusive == [4, 5, 20, 4, 4, 5, 4, 8]
    assert ledger_mismatches() == []
    assert "0 orders with 0 lines imported" in run(data_file, "--batched")
    assert counts() == exclusive


def test_a_batched_import_says_nothing_of_locking(db, data_file):
    report = run(data_file, "--batched")
    assert "one transaction" not in report
    assert "4 orders with 5 lines imported as history" in report
    assert counts() == [4, 5, 20, 4, 4, 5, 4, 8]


@pytest.mark.postgres
def test_an_exclusive_import_that_fails_half_way_writes_nothing(db, data_file):
    # given
    before = foreign_keys()
    # when the warehouse's part fails after the orders were written
    with (
        mock.patch(
            "oms.management.commands.import_online_retail.history_shipments",
            side_effect=RuntimeError("disk full"),
        ),
        pytest.raises(RuntimeError, match="disk full"),
    ):
        run(data_file, "--exclusive")
    # then nothing is left behind, and every key is still there
    assert counts() == [0] * len(TABLES)
    assert foreign_keys() == before


def test_exclusive_and_batched_cannot_both_be_asked_for(db, data_file):
    with pytest.raises(CommandError):
        run(data_file, "--exclusive", "--batched")
    assert counts() == [0] * len(TABLES)
