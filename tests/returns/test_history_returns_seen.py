"""A return of the history reads as one made through the services, wherever it is shown."""

import datetime
from io import StringIO

from django.utils import timezone

from inventory.models import Location, StockMovement
from orders.models import Order, OrderEvent, OrderLine
from returns.models import CreditNote, Return
from tests.returns.history_world import (
    HEADER,
    HEART,
    LANTERN,
    UK,
    imported,
    numbered,
    order,
    run,
    write,
)

__all__ = ["imported"]  # the fixture


TWINS = f"""{HEADER}536500,{HEART},6,2010-12-01 08:26:00,2.55,{UK}
536500,{LANTERN},6,2010-12-01 08:26:00,3.39,{UK}
536500,POST,POSTAGE,1,2010-12-01 08:26:00,18.00,{UK}
536501,{HEART},6,2010-12-01 08:26:00,2.55,17851.0,United Kingdom
536501,{LANTERN},6,2010-12-01 08:26:00,3.39,17851.0,United Kingdom
536501,POST,POSTAGE,1,2010-12-01 08:26:00,18.00,17851.0,United Kingdom
C536502,{HEART},-2,2011-02-01 09:00:00,2.55,{UK}
C536502,{LANTERN},-6,2011-02-01 09:00:00,3.39,{UK}
C536502,POST,POSTAGE,-1,2011-02-01 09:00:00,5.00,{UK}
"""


def _through_the_services(twin: Order) -> Return:
    """Return the same return as C536502's, made on the twin order through the services."""
    from returns import services

    note = "No reason in the history: credited on C536502"
    units = {"85123A": 2, "71053": 6}
    rma = services.return_create(
        order_id=twin.pk,
        lines=[
            {"order_line": line.pk, "quantity": units[line.sku], "reason": "other", "note": note}
            for line in twin.lines.all()
        ],
    )
    services.return_authorize(
        return_id=rma.pk, outside_window_reason="Credited after the return window (order history)"
    )
    shelf = Location.objects.get(code="H-01-01")
    for line in rma.lines.all():
        services.return_receive(return_id=rma.pk, line_id=line.pk, quantity=line.quantity_requested)
    for line in rma.lines.all():
        services.return_dispose(
            return_id=rma.pk,
            line_id=line.pk,
            kind="restock",
            quantity=line.quantity_received,
            location=shelf.pk,
        )
    refund = services.refund_request(
        order_id=twin.pk,
        return_id=rma.pk,
        lines=[
            {"return_line": line.pk, "quantity": line.quantity_received} for line in rma.lines.all()
        ],
        shipping_amount="5.00",
        reason="Credited on C536502 in the order history",
    )
    services.refund_approve(refund_id=refund.pk)
    services.refund_pay(refund_id=refund.pk, reference="HIST-C536502")
    return Return.objects.get(pk=rma.pk)


def _as_seen(rma: Return) -> dict:
    """Return everything a page, an export or the ledger shows of a return, its numbers aside."""
    refund = rma.refunds.get()
    note = CreditNote.objects.get(refund=refund)
    said = lambda text: numbered(text).replace("Sales desk", "Order history import")  # noqa: E731
    return {
        "return": (rma.status, rma.version, rma.outside_window_reason, rma.warehouse_id),
        "window": rma.window_ends_on - timezone.localdate(rma.authorized_at),
        "lines": [
            (
                line.order_line.sku,
                line.quantity_requested,
                line.quantity_authorized,
                line.quantity_received,
                line.quantity_decided,
                line.reason.code,
                line.note,
                [(r.quantity, r.movement.kind, r.movement.quantity) for r in line.receipts.all()],
                [
                    (d.kind, d.quantity, d.location.code, d.goods_restocked, d.movement.quantity)
                    for d in line.dispositions.all()
                ],
                line.order_line.quantity_returned,
            )
            for line in rma.lines.select_related("order_line", "reason")
        ],
        "timeline": [
            (e.from_status, e.to_status, said(e.note), sorted(e.data)) for e in rma.events.all()
        ],
        "order": [
            (e.type, said(e.note), sorted(e.data))
            for e in OrderEvent.objects.filter(
                order=rma.order, type__in=["return", "refund"]
            ).order_by("pk")
        ],
        "ledger": [
            (m.kind, m.location.code, m.quantity, m.reason)
            for m in StockMovement.objects.filter(reference=rma.number).order_by("pk")
        ],
        "refund": (
            refund.status,
            refund.amount,
            refund.shipping_amount,
            refund.method,
            refund.reason,
            refund.provider_reference,
            sorted(refund.lines.values_list("quantity", "amount")),
        ),
        "credit note": (note.net, note.tax, note.gross, note.currency, note.lines),
        "order row": (rma.order.status, rma.order.version, rma.order.total),
    }


def test_a_history_return_reads_as_one_made_through_the_services(db, tmp_path):
    # given two customers' identical orders; the first's credit, after the window, comes in
    run(write(tmp_path, TWINS))
    history = Return.objects.get(external_reference="C536502")
    # when the same return is made on the second order through the services
    made = _through_the_services(order("536501"))
    # then
    assert _as_seen(history) == _as_seen(made)
    assert (history.source, made.source) == ("history", "desk")
    assert history.window_ends_on == datetime.date(2011, 3, 3)
    assert history.outside_window_reason == "Credited after the return window (order history)"


def test_history_returns_show_in_the_exports_the_dashboard_and_the_accounting_export(
    client, imported, manager_user
):
    import csv
    import io

    from django.urls import reverse

    from oms import accounting
    from returns.report_selectors import returns_by_reason

    def table(name):
        answer = client.get(reverse("exports:csv", args=[name]))
        assert answer.status_code == 200
        text = b"".join(answer.streaming_content).decode().lstrip("\ufeff")
        return [
            dict(zip(rows[0], row, strict=True))
            for rows in [list(csv.reader(io.StringIO(text)))]
            for row in rows[1:]
        ]

    client.force_login(manager_user)
    numbers = list(Return.objects.order_by("-pk").values_list("number", flat=True))
    # when / then: the returns and refunds lists export them
    returns = table("returns")
    assert [(row["return"], row["status"], row["opened from"]) for row in returns] == [
        (number, "closed", "history") for number in numbers
    ]
    refunds = table("refunds")
    assert {(row["status"], row["credit note"][:3]) for row in refunds} == {("paid", "CN-")}
    assert sorted(row["amount"] for row in refunds) == ["12.75", "30.44", "8.50"]
    # the dashboard counts them by reason, in the month they were credited
    december = [timezone.make_aware(datetime.datetime(2010, 12, day)) for day in (1, 31)]
    assert returns_by_reason(start=december[0], end=december[1]) == [("Other (say what)", 3, 13)]
    # the accounting export takes their credit notes, which add up
    batch = accounting.accounting_batch_create(
        date_from=datetime.date(2010, 12, 10),
        date_to=datetime.date(2010, 12, 10),
        profile="generic",
        user=manager_user,
    )
    rows = list(csv.reader(io.StringIO(batch.content)))
    assert {row[1] for row in rows[1:] if row[0] == "credit_note"} == set(
        CreditNote.objects.values_list("number", flat=True)
    )
    # and the return's page and its order's page show them
    rma = Return.objects.get(external_reference="C536379")
    page = client.get(reverse("returns:return_detail", args=[rma.pk]))
    assert page.status_code == 200 and "RF-" in page.content.decode()
    page = client.get(reverse("orders:order_detail", args=[rma.order_id]))
    assert page.status_code == 200 and rma.number in page.content.decode()


def test_the_returns_step_costs_the_same_queries_for_one_return_or_many(
    db, tmp_path, django_assert_num_queries
):
    # given five customers' delivered orders of the heart
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from orders.retail import read_invoices
    from returns.services.history import history_returns

    sold = "".join(
        f"5366{n}0,{HEART},6,2010-12-01 08:26:00,2.55,1780{n}.0,United Kingdom\n" for n in range(5)
    )
    credited = "".join(
        f"C5366{n}1,{HEART},-{n + 1},2010-12-10 09:00:00,2.55,1780{n}.0,United Kingdom\n"
        for n in range(5)
    )
    run(write(tmp_path, HEADER + sold))
    credits = read_invoices(StringIO(HEADER + credited)).invoices
    history_returns(credits=credits[:1])  # the returns bin is opened once
    # when
    with CaptureQueriesContext(connection) as one:
        history_returns(credits=credits[1:2])
    with django_assert_num_queries(len(one.captured_queries)):
        history_returns(credits=credits[2:])
    # then
    assert Return.objects.count() == 5
    assert sorted(OrderLine.objects.values_list("quantity_returned", flat=True)) == [1, 2, 3, 4, 5]
