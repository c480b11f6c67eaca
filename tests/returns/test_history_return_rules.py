"""The rules of matching C-invoices to orders, each on its own case, and what is refused."""

import datetime

import pytest

from inventory.models import Location, Product, StockLevel, StockMovement
from oms.errors import Conflict, InvalidInput
from orders.models import OrderEvent, OrderLine
from returns.models import CreditNote, Refund, Return
from tests.returns.history_world import HEADER, HEART, LANTERN, UK, order, run, write, written

SOLD = f"""{HEADER}536700,{HEART},2,2010-12-01 08:26:00,2.55,{UK}
536700,{LANTERN},1,2010-12-01 08:26:00,0.00,{UK}
"""


def credit(item: str, quantity: int, price: str) -> str:
    return f"C536701,{item},{quantity},2010-12-10 09:00:00,{price},{UK}\n"


@pytest.fixture
def sold(db, tmp_path):
    """Order 536700 of customer 17850: 2 hearts at 2.55 and a lantern given away; delivered."""
    run(write(tmp_path, SOLD))
    return order("536700")


def test_a_credit_of_an_order_left_open_is_counted_not_returned(db, tmp_path):
    # given an order delivered long ago, a newer one of the same item left open today, and a
    # credit on the last day
    text = f"""{HEADER}536600,{HEART},6,2010-12-01 10:00:00,2.55,{UK}
536601,{HEART},4,2010-12-08 10:00:00,2.55,{UK}
C536602,{HEART},-2,2010-12-09 09:00:00,2.55,{UK}
"""
    # when
    report = run(write(tmp_path, text), "--shift", "--open", "3")
    # then the credit belongs to the open order: nothing comes back
    assert "1 left open" in report
    assert "  1 lines (2 units): its order is still open\n" in report
    assert not Return.objects.exists()
    assert order("536601").status in {"allocated", "backordered", "processing"}


def test_a_credit_beyond_what_is_left_of_the_payment_is_counted_not_returned(sold, tmp_path):
    # given a manager refunded the whole payment as goodwill
    from returns import services

    services.refund_request(order_id=sold.pk, amount="5.10", reason="goodwill")
    # when
    report = run(write(tmp_path, SOLD + credit(HEART, -1, "2.55"), "credit.csv"))
    # then
    assert "  1 lines (1 units): more than is left of the order's payment\n" in report
    assert not Return.objects.exists()
    assert sold.lines.get(sku="85123A").quantity_returned == 0


def test_units_of_a_deactivated_product_are_counted_not_restocked(sold, tmp_path):
    # given
    from inventory import services as inventory_services

    inventory_services.product_deactivate(product=Product.objects.get(sku="85123A"))
    movements = StockMovement.objects.count()
    # when
    report = run(write(tmp_path, SOLD + credit(HEART, -2, "2.55"), "credit.csv"))
    # then
    assert (
        "  1 lines (2 units): not restockable (drop-ship or deactivated product, or no open bin)\n"
        in report
    )
    assert not Return.objects.exists() and StockMovement.objects.count() == movements


def test_a_return_worth_nothing_is_closed_with_no_refund(sold, tmp_path):
    # when the lantern, given away, is credited
    report = run(write(tmp_path, SOLD + credit(LANTERN, -1, "0.00"), "credit.csv"))
    # then it came back, and there was nothing to pay back
    assert "  1 lines (1 units): returned\n" in report
    rma = Return.objects.get()
    assert (rma.status, rma.version) == ("closed", 6)
    assert [(e.from_status, e.to_status, e.note) for e in rma.events.all()][-2:] == [
        ("received", "inspected", "Every unit decided"),
        ("inspected", "closed", "Nothing to refund"),
    ]
    assert not Refund.objects.exists() and not CreditNote.objects.exists()
    assert sold.lines.get(sku="71053").quantity_returned == 1


def test_a_credit_line_above_zero_or_of_a_customer_with_no_orders_returns_nothing(sold, tmp_path):
    # given
    text = (
        SOLD
        + credit(HEART, 2, "2.55")
        + f"C536702,{HEART},-1,2010-12-10 09:00:00,2.55,99999.0,United Kingdom\n"
    )
    # when
    report = run(write(tmp_path, text, "credit.csv"))
    # then
    assert "  1 lines (2 units): not a credit (a quantity above zero)\n" in report
    assert "  1 lines (1 units): no earlier order of the item\n" in report
    assert not Return.objects.exists()


def test_a_file_of_credits_alone_makes_the_returns_of_orders_loaded_before(sold, tmp_path):
    # when
    report = run(write(tmp_path, HEADER + credit(HEART, -1, "2.55"), "credit.csv"))
    # then
    assert "1 C-invoices: 1 returns written from 1 of them" in report
    assert Return.objects.get().order == sold


def snapshot():
    return (
        sorted(OrderLine.objects.values_list("pk", "quantity_returned")),
        OrderEvent.objects.count(),
        sorted(StockLevel.objects.values_list("product_id", "location_id", "on_hand")),
        StockMovement.objects.count(),
    )


def test_orders_refuse_units_back_beyond_what_shipped_or_not_on_the_order(sold):
    # given
    from orders.services.history_returns import ReturnNews, history_order_returns

    heart = sold.lines.get(sku="85123A")
    at = datetime.datetime(2010, 12, 10, 9, tzinfo=datetime.UTC)
    before = snapshot()
    # when / then
    with pytest.raises(Conflict, match="Only 2 × 85123A of order"):
        history_order_returns(
            news=[ReturnNews(sold.pk, at, "back", units=((heart.pk, 3),), reference="RMA-1")]
        )
    with pytest.raises(Conflict, match="not on order"):
        history_order_returns(
            news=[ReturnNews(sold.pk + 1, at, "back", units=((heart.pk, 1),), reference="RMA-1")]
        )
    assert snapshot() == before


def test_inventory_refuses_to_restock_into_the_returns_bin_or_a_drop_ship_product(sold):
    # given
    from inventory import services as inventory_services
    from inventory.services.history import Returned, history_return_ledger

    heart = Product.objects.get(sku="85123A")
    shelf = Location.objects.get(code="H-01-01")
    returns_bin = inventory_services.warehouse_returns_bin(warehouse=shelf.warehouse)
    at = datetime.datetime(2010, 12, 10, 9, tzinfo=datetime.UTC)
    before = snapshot()
    # when / then
    with pytest.raises(InvalidInput, match="returns bin"):
        history_return_ledger(
            returned=[Returned(heart.pk, shelf.warehouse_id, returns_bin.pk, 1, at, "RMA-1")]
        )
    Product.objects.filter(pk=heart.pk).update(is_drop_ship=True)
    with pytest.raises(Conflict, match="drop-ship"):
        history_return_ledger(
            returned=[Returned(heart.pk, shelf.warehouse_id, shelf.pk, 1, at, "RMA-1")]
        )
    assert snapshot() == before


def test_the_history_writes_each_table_from_its_owning_app():
    """Every raw bulk write (oms.bulk, oms.bulk_updates, or a helper around them) names a model
    of its module's app.

    The ownership guard (tests/ownership.py) sees the ORM's writes; this sees the others.
    """
    import ast
    import importlib
    import pathlib

    from django.db import models

    root = pathlib.Path(__file__).resolve().parents[2]
    checked = 0
    for app in ("inventory", "orders", "fulfillment", "returns"):
        for path in sorted((root / app).rglob("*.py")):
            tree = ast.parse(path.read_text())
            calls = [
                node
                for node in ast.walk(tree)
                if isinstance(node, ast.Call)
                and any(
                    word in (getattr(node.func, "id", "") or getattr(node.func, "attr", ""))
                    for word in ("insert", "reserve_ids", "update_rows")
                )
            ]
            if not calls:
                continue
            module = importlib.import_module(".".join(path.relative_to(root).with_suffix("").parts))
            for call in calls:
                first = call.args[0] if call.args else None
                model = getattr(module, first.id, None) if isinstance(first, ast.Name) else None
                if isinstance(model, type) and issubclass(model, models.Model):
                    assert model._meta.app_label == app, f"{path.name} writes {model._meta.label}"
                    checked += 1
                else:
                    # only a helper's own parameter passes a model on; its callers are checked
                    where = f"{path.relative_to(root)}: {ast.unparse(call)[:60]}"
                    assert where in PASS_THROUGH, f"cannot tell which table {where} writes"
    assert checked > 30


PASS_THROUGH = {
    "returns/services/history.py: insert_rows(model, list(rows[0]), (tuple(row.values()) for r",
}


def test_a_credit_before_delivery_stays_unmatched_once_the_order_had_units_back(db, tmp_path):
    # given the 4 hearts of the newer order credited the next day, before its delivery
    # (nothing returned), and a week later 2 of them returned
    text = f"""{HEADER}536800,{HEART},6,2010-12-01 09:00:00,2.55,{UK}
536801,{HEART},4,2010-12-08 09:00:00,2.55,{UK}
C536802,{HEART},-4,2010-12-09 09:00:00,2.55,{UK}
C536803,{HEART},-2,2010-12-20 09:00:00,2.55,{UK}
"""
    path = write(tmp_path, text)
    first = run(path)
    before = written()
    # when
    again = run(path)
    # then the first credit still belongs to the newer order, not to the older one
    assert written() == before
    for report in (first, again):
        assert "  1 lines (4 units): credited before the order was delivered\n" in report
    assert list(Return.objects.values_list("external_reference", flat=True)) == ["C536803"]
    # and so it does once the desk has opened a return of that order's other 2 hearts today
    from returns import services

    services.return_create(
        order_id=order("536801").pk,
        lines=[{"sku": "85123A", "quantity": 2, "reason": "damaged"}],
    )
    before = written()
    assert "  1 lines (4 units): credited before the order was delivered\n" in run(path)
    assert written() == before


def test_a_second_run_sees_each_credit_as_the_first_did(db, tmp_path):
    # given two orders of hearts, and 2.00 of the newer one's 5.10 refunded as goodwill
    from returns import services

    orders = f"""{HEADER}536810,{HEART},5,2010-12-01 09:00:00,2.55,{UK}
536811,{HEART},2,2010-12-02 09:00:00,2.55,{UK}
"""
    run(write(tmp_path, orders))
    services.refund_request(order_id=order("536811").pk, amount="2.00", reason="goodwill")
    # and two credits: 2 hearts (5.10, more than the 3.10 left: not returned), then 1 (2.55)
    credits = orders + (
        f"C536812,{HEART},-2,2010-12-10 09:00:00,2.55,{UK}\n"
        f"C536813,{HEART},-1,2010-12-11 09:00:00,2.55,{UK}\n"
    )
    path = write(tmp_path, credits, "credits.csv")
    first = run(path)
    before = written()
    # when
    again = run(path)
    # then the first credit is not moved to the older order now that the newer one has a
    # unit back: its time comes before that return's
    assert written() == before
    for report in (first, again):
        assert "  1 lines (2 units): more than is left of the order's payment\n" in report
    assert [(r.external_reference, r.order) for r in Return.objects.all()] == [
        ("C536813", order("536811"))
    ]
