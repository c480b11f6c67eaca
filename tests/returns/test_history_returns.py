"""C-invoices of the order history become returns of the orders they credit, by the stated rule.

A small slice of the Online Retail shape (``tests/returns/history_world.py``) goes
through ``manage.py import_online_retail``: what a matched credit leaves behind, and
what became of every other line.
"""

import datetime
from decimal import Decimal
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from inventory.models import Location, StockLevel, StockMovement
from orders.models import OrderEvent
from returns.models import CreditNote, Refund, RefundLine, Return
from tests.returns.history_world import SLICE, imported, numbered, order, run, write, written

__all__ = ["imported"]  # the fixture


def test_a_credit_after_delivery_becomes_a_closed_refunded_return(imported):
    # then the credit C536379 of customer 17850 returned 2 hearts and 6 of the 10 lanterns
    # credited (the order had 6) on order 536365, delivered on 4 Dec, with 5.00 of postage
    first = order("536365")
    rma = Return.objects.get(external_reference="C536379")
    at = datetime.datetime(2010, 12, 10, 9, 0, tzinfo=datetime.UTC)
    assert (rma.number, rma.status, rma.source, rma.order, rma.customer_id) == (
        f"RMA-{rma.pk:06d}",
        "closed",
        "history",
        first,
        first.customer_id,
    )
    assert rma.created_at == rma.authorized_at == rma.received_at == rma.closed_at == at
    assert (rma.window_ends_on, rma.outside_window_reason, rma.version) == (
        datetime.date(2011, 1, 3),
        "",
        8,
    )
    lines = list(rma.lines.select_related("order_line", "reason"))
    assert [
        (
            line.order_line.sku,
            line.quantity_requested,
            line.quantity_authorized,
            line.quantity_received,
            line.quantity_decided,
            line.reason.code,
        )
        for line in lines
    ] == [("85123A", 2, 2, 2, 2, "other"), ("71053", 6, 6, 6, 6, "other")]
    assert lines[0].note == "No reason in the history: credited on C536379"
    # one receipt into the returns bin and one restock into the bin it left from, per line
    returns_bin = Location.objects.get(is_returns_bin=True)
    shelf = Location.objects.get(code="H-01-01")
    for line in lines:
        receipt = line.receipts.get()
        assert (receipt.quantity, receipt.movement.kind, receipt.movement.location) == (
            line.quantity_received,
            "return_receipt",
            returns_bin,
        )
        disposition = line.dispositions.get()
        assert (disposition.kind, disposition.quantity, disposition.location) == (
            "restock",
            line.quantity_received,
            shelf,
        )
        assert (disposition.movement.kind, disposition.movement.quantity) == (
            "return_restock",
            line.quantity_received,
        )
    ledger = StockMovement.objects.filter(reference=rma.number).order_by("pk")
    assert [(m.kind, m.location.code, m.quantity, m.created_at) for m in ledger] == [
        ("return_receipt", "RETURNS", 2, at),
        ("return_receipt", "RETURNS", 6, at),
        ("return_restock", "RETURNS", -2, at),
        ("return_restock", "H-01-01", 2, at),
        ("return_restock", "RETURNS", -6, at),
        ("return_restock", "H-01-01", 6, at),
    ]
    # the order counts them as returned; its status is left as it was
    assert list(first.lines.values_list("sku", "quantity_shipped", "quantity_returned")) == [
        ("85123A", 6, 2),
        ("71053", 6, 6),
    ]
    assert (first.status, first.version) == ("completed", 1)
    # the refund is paid, with the postage as its shipping, and its credit note issued that day
    refund = Refund.objects.get(rma=rma)
    assert (refund.status, refund.amount, refund.shipping_amount, refund.number) == (
        "paid",
        Decimal("30.44"),
        Decimal("5.00"),
        f"RF-{refund.pk:06d}",
    )
    assert (refund.method, refund.provider_reference, refund.paid_at) == (
        "original",
        "HIST-C536379",
        at,
    )
    assert sorted(RefundLine.objects.filter(refund=refund).values_list("quantity", "amount")) == [
        (2, Decimal("5.10")),
        (6, Decimal("20.34")),
    ]
    note = CreditNote.objects.get(refund=refund)
    assert (note.number, note.issued_on, note.order, note.customer_id) == (
        f"CN-{note.pk:06d}",
        datetime.date(2010, 12, 10),
        first,
        first.customer_id,
    )
    assert (note.net, note.tax, note.gross) == (Decimal("25.91"), Decimal("4.53"), Decimal("30.44"))
    assert [(row["description"], row["rate"], row["gross"]) for row in note.lines] == [
        ("85123A WHITE HANGING HEART T-LIGHT HOLDER", "0.1750", "5.10"),
        ("71053 WHITE METAL LANTERN", "0.1750", "20.34"),
        ("Shipping", "0.1750", "5.00"),
    ]


def test_the_return_and_the_order_tell_its_story_line_by_line(imported):
    rma = Return.objects.get(external_reference="C536379")
    refund = Refund.objects.get(rma=rma)
    steps = [
        (e.from_status, e.to_status, numbered(e.note), sorted(e.data)) for e in rma.events.all()
    ]
    assert steps == [
        ("", "", "RMA-N requested (Order history import): 2 × 85123A (other), 6 × 71053 (other)",
         ["lines"]),
        ("requested", "authorized", "", []),
        ("", "", "Received 2 × 85123A", ["receipt_id"]),
        ("authorized", "partially_received", "", []),
        ("", "", "Received 6 × 71053", ["receipt_id"]),
        ("partially_received", "received", "", []),
        ("", "", "Restock 2 × 85123A into H-01-01", ["disposition_id"]),
        ("", "", "Restock 6 × 71053 into H-01-01", ["disposition_id"]),
        ("received", "inspected", "Every unit decided", []),
        ("", "", "RF-N of 30.44 GBP asked for: Credited on C536379 in the order history",
         ["refund"]),
        ("", "", "RF-N of 30.44 GBP approved", ["refund"]),
        ("", "", "RF-N of 30.44 GBP paid (HIST-C536379); credit note CN-N", ["refund"]),
        ("inspected", "closed", "RF-N settled", []),
    ]  # fmt: skip
    assert all(e.user_id is None and e.created_at == rma.created_at for e in rma.events.all())
    news = OrderEvent.objects.filter(order=rma.order, type__in=["return", "refund"]).order_by("pk")
    assert [(e.type, numbered(e.note)) for e in news] == [
        ("return", "RMA-N requested (Order history import): 2 × 85123A (other), 6 × 71053 (other)"),
        ("return", "RMA-N: requested → authorized"),
        ("return", "RMA-N: 2 × 85123A received"),
        ("return", "RMA-N: authorized → partially received"),
        ("return", "RMA-N: 6 × 71053 received"),
        ("return", "RMA-N: partially received → received"),
        ("return", "RMA-N: Restock 2 × 85123A into H-01-01"),
        ("return", "RMA-N: Restock 6 × 71053 into H-01-01"),
        ("return", "RMA-N: received → inspected (Every unit decided)"),
        ("refund", "RMA-N: RF-N of 30.44 GBP asked for: Credited on C536379 in the order history"),
        ("refund", "RMA-N: RF-N of 30.44 GBP approved"),
        ("refund", "RMA-N: RF-N of 30.44 GBP paid (HIST-C536379); credit note CN-N"),
        ("return", "RMA-N: inspected → closed (RF-N settled)"),
    ]  # fmt: skip
    received = news.filter(note__endswith="× 85123A received").get()
    line = rma.order.lines.get(sku="85123A")
    assert received.data == {"reference": rma.number, "units": [[line.pk, 2]]}
    assert news.filter(type="refund").first().data == {"return_id": rma.pk, "refund": refund.pk}


def test_every_line_of_the_credits_is_counted_by_what_became_of_it(imported):
    assert "6 C-invoices: 3 returns written from 2 of them (0 were made into returns before)" in (
        imported
    )
    for count in [
        "3 lines (13 units): returned",
        "1 lines (4 units): more than is left to return",
        "1 lines (1 units): a guest's: no customer to match",
        "1 lines (5 units): no earlier order of the item",
        "1 lines (3 units): credited before the order was delivered",
        "1 lines (1 units): not goods (manual price correction)",
        "1 lines (1 units): not goods (bank charges)",
        "1 lines (1 units): postage refunded as shipping",
        "1 lines (1 units): postage with no return to carry it",
    ]:
        assert f"  {count}\n" in imported
    # the guest's, the unknown item's and the undelivered order's credits wrote nothing
    assert not Return.objects.filter(
        external_reference__in=["C536380", "C536381", "C536382", "C536391"]
    ).exists()
    assert order("536390").lines.get().quantity_returned == 0


def test_a_credit_walks_back_through_older_orders_newest_first(imported):
    # then 5 stars credited by 13047: the 2 of the newer order, then 3 of the older one's 4
    newer, older = order("536369"), order("536368")
    returns = Return.objects.filter(external_reference="C536383").order_by("pk")
    assert [(r.order, r.lines.get().quantity_received) for r in returns] == [(newer, 2), (older, 3)]
    assert [r.refunds.get().amount for r in returns] == [Decimal("8.50"), Decimal("12.75")]
    assert (newer.lines.get().quantity_returned, older.lines.get().quantity_returned) == (2, 3)


def test_the_returned_units_are_on_the_shelf_and_the_ledger_adds_up(imported):
    # when
    out = StringIO()
    call_command("check_stock_ledger", stdout=out)
    # then
    assert "OK" in out.getvalue()
    on_hand = dict(
        StockLevel.objects.filter(location__code="H-01-01").values_list("product__sku", "on_hand")
    )
    assert on_hand == {"85123A": 2, "71053": 6, "21730": 5}
    assert set(
        StockLevel.objects.filter(location__is_returns_bin=True).values_list("on_hand", flat=True)
    ) == {0}


def test_a_second_run_writes_nothing_new(imported, tmp_path):
    # given
    before = written()
    # when
    report = run(write(tmp_path, SLICE, "again.csv"))
    # then
    assert before == written()
    assert "3 returns" not in report
    assert "0 returns written from 0 of them (2 were made into returns before)" in report
    assert "  1 lines (3 units): credited before the order was delivered\n" in report


def test_a_second_shifted_run_days_later_writes_nothing_new(db, tmp_path, monkeypatch):
    # given the slice loaded with its last day made yesterday
    import types

    from oms.management.commands import import_online_retail as command

    path = write(tmp_path, SLICE)
    run(path, "--shift")
    before = written()
    # when it is loaded again five days later: every date read moves five days on
    later = types.SimpleNamespace(
        localdate=lambda: timezone.localdate() + datetime.timedelta(days=5), now=timezone.now
    )
    monkeypatch.setattr(command, "timezone", later)
    report = run(path, "--shift")
    # then the orders are read on the same clock as the credits: the same outcomes, nothing new
    assert written() == before
    assert "0 returns written from 0 of them (2 were made into returns before)" in report
    assert "  1 lines (3 units): credited before the order was delivered\n" in report
