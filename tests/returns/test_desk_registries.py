"""Returns on the manager's desk: exports, returns by reason, credit notes in the accounting export."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from oms import accounting
from returns import services
from returns.models import CreditNote
from returns.report_selectors import returns_by_reason
from tests.returns.conftest import red_line


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def desk(paid_order, sales_user, warehouse_user, manager_user, bin_a):
    """Two returns on the order: both red mugs (damaged) received, restocked and refunded with
    1.20 of goodwill on top (21.00 paid back), and the blue mug (wrong item) still requested."""
    blue = paid_order.lines.get(sku="MUG-BLUE")
    paid = services.return_create(
        order_id=paid_order.pk,
        user=sales_user,
        lines=[{"order_line": red_line(paid_order).pk, "quantity": 2, "reason": "damaged"}],
    )
    services.return_authorize(return_id=paid.pk, user=sales_user)
    line = paid.lines.get()
    services.return_receive(return_id=paid.pk, line_id=line.pk, quantity=2, user=warehouse_user)
    services.return_dispose(
        return_id=paid.pk,
        line_id=line.pk,
        kind="restock",
        quantity=2,
        location=bin_a.pk,
        user=warehouse_user,
    )
    refund = services.refund_request(
        order_id=paid_order.pk,
        return_id=paid.pk,
        lines=[{"return_line": line.pk, "quantity": 2}],
        amount="21.00",
        reason="damaged",
        user=sales_user,
    )
    services.refund_approve(refund_id=refund.pk, user=manager_user)
    services.refund_pay(refund_id=refund.pk, reference="re_1", user=manager_user)
    waiting = services.return_create(
        order_id=paid_order.pk,
        user=sales_user,
        lines=[{"order_line": blue.pk, "quantity": 1, "reason": "wrong_item"}],
    )
    return {"paid": paid, "waiting": waiting, "refund": refund}


def test_the_returns_exports_hold_exactly_the_filtered_rows(client, desk, manager_user):
    # given
    client.force_login(manager_user)
    paid, waiting = desk["paid"], desk["waiting"]
    # when
    requested = _csv(client.get(reverse("exports:csv", args=["returns"]) + "?status=requested"))
    every = _csv(client.get(reverse("exports:csv", args=["returns"])))
    lines = _csv(client.get(reverse("exports:csv", args=["return-lines"]) + f"?q={paid.number}"))
    refunds = _csv(client.get(reverse("exports:csv", args=["refunds"]) + "?status=paid"))
    # then
    assert requested[0][:5] == ["return", "order", "customer", "status", "opened from"]
    assert [row[0] for row in requested[1:]] == [waiting.number]
    assert [row[0] for row in every[1:]] == [waiting.number, paid.number]  # newest first
    assert lines[0] == [
        "return", "order", "status", "SKU", "product", "reason", "note",
        "requested", "authorized", "received", "inspected",
    ]  # fmt: skip
    assert lines[1:] == [
        [paid.number, paid.order.number, "closed", "MUG-RED", "Red mug", "damaged", "",
         "2", "2", "2", "2"],
    ]  # fmt: skip
    note = CreditNote.objects.get()
    row = dict(zip(refunds[0], refunds[1], strict=True))
    assert len(refunds) == 2
    assert (row["refund"], row["return"], row["status"], row["amount"]) == (
        desk["refund"].number,
        paid.number,
        "paid",
        "21.00",
    )
    assert (row["of which shipping"], row["reference"], row["credit note"]) == (
        "0.00",
        "re_1",
        note.number,
    )


def test_exports_follow_the_role_table(client, desk, warehouse_user):
    client.force_login(warehouse_user)
    assert client.get(reverse("exports:csv", args=["returns"])).status_code == 200
    assert client.get(reverse("exports:csv", args=["refunds"])).status_code == 403


def test_returns_by_reason_counts_returns_and_units_of_the_period(desk, paid_order, sales_user):
    # given: a third return, cancelled: it is left out
    services.return_cancel(return_id=desk["waiting"].pk, reason="changed mind", user=sales_user)
    services.return_create(
        order_id=paid_order.pk,
        user=sales_user,
        lines=[{"order_line": paid_order.lines.get(sku="MUG-BLUE").pk, "quantity": 1,
                "reason": "wrong_item"}],
    )  # fmt: skip
    now = timezone.now()
    day = datetime.timedelta(days=1)
    # when
    rows = returns_by_reason(start=now - day, end=now + day)
    web = returns_by_reason(start=now - day, end=now + day, channel="web")
    phone = returns_by_reason(start=now - day, end=now + day, channel="phone")
    before = returns_by_reason(start=now - 3 * day, end=now - day)
    # then: damaged 1 return of 2 units; wrong item 1 return of 1 unit (the cancelled one out)
    assert rows == [("Arrived damaged", 1, 2), ("Wrong item sent", 1, 1)]
    assert web == rows and phone == [] and before == []


def test_the_dashboard_draws_returns_by_reason(client, desk, manager_user):
    client.force_login(manager_user)
    page = client.get(reverse("dashboard")).content.decode()
    table = client.get(reverse("dashboard_table", args=["returns_by_reason"])).content.decode()
    assert "2 in all" in page
    assert table.splitlines()[1:] == ["Arrived damaged,1,2", "Wrong item sent,1,1"]


def test_credit_notes_go_into_the_accounting_export_and_add_up(desk, manager_user):
    # given: 2 red mugs at 9.90 (20 % included) and 1.20 goodwill (no tax) refunded: 21.00
    note = CreditNote.objects.get()
    today = note.issued_on
    # when
    batch = accounting.accounting_batch_create(
        date_from=today, date_to=today, profile="generic", user=manager_user
    )
    rows = list(csv.reader(io.StringIO(batch.content)))
    # then: the invoice-free range holds the credit note's lines, net + tax = gross
    mine = [row for row in rows[1:] if row[0] == "credit_note"]
    assert [row[1:4] for row in mine] == [
        [note.number, today.isoformat(), desk["paid"].order.number]
    ] * 2
    goods, goodwill = mine
    # goods: 19.80 gross -> 16.50 net + 3.30 tax (8.25 a unit); goodwill 1.20, no tax
    assert (goods[7], goods[9], goods[10], goods[11], goods[13], goods[14]) == (
        "MUG-RED", "2", "8.25", "16.50", "3.30", "19.80",
    )  # fmt: skip
    assert (goodwill[7], goodwill[8], goodwill[11], goodwill[13], goodwill[14]) == (
        "", "Goodwill: damaged", "1.20", "0.00", "1.20",
    )  # fmt: skip
    assert (note.net, note.tax, note.gross) == (Decimal("17.70"), Decimal("3.30"), Decimal("21.00"))
