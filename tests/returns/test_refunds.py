"""Refunds: asked for, approved by managers only, paid with a credit note; never past what was paid."""

from decimal import Decimal

import pytest

from oms.errors import Conflict, InvalidInput, NotAllowed, TransitionRefused
from oms.models import OutboundEmail
from returns import services
from returns.models import CreditNote, Refund, Return
from tests.returns.conftest import red_line


@pytest.fixture
def received(paid_order, sales_user, warehouse_user, bin_a):
    """A return of both red mugs, received; one restocked, one scrapped."""
    rma = services.return_create(
        order_id=paid_order.pk,
        user=sales_user,
        lines=[{"order_line": red_line(paid_order).pk, "quantity": 2, "reason": "damaged"}],
    )
    services.return_authorize(return_id=rma.pk, user=sales_user)
    line = rma.lines.get()
    services.return_receive(return_id=rma.pk, line_id=line.pk, quantity=2, user=warehouse_user)
    services.return_dispose(
        return_id=rma.pk, line_id=line.pk, kind="restock", location=bin_a.pk, user=warehouse_user
    )
    services.return_dispose(return_id=rma.pk, line_id=line.pk, kind="scrap", user=warehouse_user)
    rma.refresh_from_db()
    return rma


def test_the_whole_refund_path_issues_a_credit_note_and_closes_the_return(
    received, sales_user, manager_user, django_capture_on_commit_callbacks, mailoutbox
):
    # when
    refund = services.refund_request(
        order_id=received.order_id,
        return_id=received.pk,
        lines=[{"return_line": received.lines.get().pk, "quantity": 2}],
        reason="damaged in transit",
        user=sales_user,
    )
    assert (refund.amount, refund.status, refund.number) == (
        Decimal("19.80"),
        Refund.Status.PENDING,
        f"RF-{refund.pk:06d}",
    )
    services.refund_approve(refund_id=refund.pk, user=manager_user)
    with django_capture_on_commit_callbacks(execute=True):
        services.refund_pay(refund_id=refund.pk, reference="re_1", user=manager_user)
    # then
    refund.refresh_from_db()
    assert refund.status == Refund.Status.PAID and refund.provider_reference == "re_1"
    note = CreditNote.objects.get(refund=refund)
    assert note.number == f"CN-{note.pk:06d}"
    assert note.gross == Decimal("19.80") and note.net + note.tax == note.gross
    assert note.tax == Decimal("3.30")  # 20 % included in 19.80
    received.refresh_from_db()
    assert received.status == Return.Status.CLOSED
    assert OutboundEmail.objects.filter(kind="refund_paid").count() == 1
    [mail] = [m for m in mailoutbox if "refund" in m.subject.lower()]
    assert mail.attachments[0][0] == f"credit-note-{note.number}.pdf"


def test_a_credit_note_never_changes(received, sales_user, manager_user):
    refund = services.refund_request(
        order_id=received.order_id,
        return_id=received.pk,
        amount="5.00",
        reason="x",
        user=sales_user,
    )
    services.refund_approve(refund_id=refund.pk, user=manager_user)
    services.refund_pay(refund_id=refund.pk, reference="re_2", user=manager_user)
    note = CreditNote.objects.get()
    note.gross = Decimal("1.00")
    with pytest.raises(Exception, match="cannot be changed"):
        note.save()
    with pytest.raises(Exception, match="cannot be changed"):
        CreditNote.objects.update(gross=1)
    with pytest.raises(Exception, match="cannot be deleted"):
        CreditNote.objects.all().delete()


def test_refund_refusals_change_nothing(received, paid_order, sales_user, manager_user, unchanged):
    before = unchanged()
    cases = [
        ({"amount": "40.00"}, Conflict, "At most 31.80"),
        ({"amount": "-1"}, InvalidInput, "negative"),
        ({"amount": "abc"}, InvalidInput, "amount such as"),
        ({"reason": ""}, InvalidInput, "reason"),
        (
            {"lines": [{"return_line": received.lines.get().pk, "quantity": 3}]},
            Conflict,
            "Only 2",
        ),
    ]
    for kwargs, error, words in cases:
        arguments = {"order_id": paid_order.pk, "return_id": received.pk, "reason": "r", **kwargs}
        with pytest.raises(error, match=words):
            services.refund_request(user=sales_user, **arguments)
    with pytest.raises(NotAllowed, match="Only managers refund without a return"):
        services.refund_request(order_id=paid_order.pk, amount="1", reason="r", user=sales_user)
    assert unchanged() == before


def test_refunds_together_never_pass_what_was_paid(received, sales_user, unchanged):
    services.refund_request(
        order_id=received.order_id,
        return_id=received.pk,
        amount="30.00",
        reason="r",
        user=sales_user,
    )
    before = unchanged()
    with pytest.raises(Conflict, match=r"At most 1\.80"):
        services.refund_request(
            order_id=received.order_id,
            return_id=received.pk,
            amount="2.00",
            reason="r",
            user=sales_user,
        )
    assert unchanged() == before


def test_only_managers_approve_and_an_unapproved_refund_cannot_be_paid(
    received, sales_user, manager_user, unchanged
):
    refund = services.refund_request(
        order_id=received.order_id,
        return_id=received.pk,
        amount="5.00",
        reason="r",
        user=sales_user,
    )
    before = unchanged()
    with pytest.raises(NotAllowed, match="Only managers approve"):
        services.refund_approve(refund_id=refund.pk, user=sales_user)
    with pytest.raises(Conflict, match="approve it before paying"):
        services.refund_pay(refund_id=refund.pk, reference="x", user=manager_user)
    assert unchanged() == before
    services.refund_approve(refund_id=refund.pk, user=manager_user)
    with pytest.raises(InvalidInput, match="reference"):
        services.refund_pay(refund_id=refund.pk, reference="", user=manager_user)
    with pytest.raises(TransitionRefused):
        services.refund_reject(refund_id=refund.pk, reason="no", user=manager_user)


def test_no_refund_for_a_cancelled_return(paid_order, sales_user, unchanged):
    rma = services.return_create(
        order_id=paid_order.pk,
        user=sales_user,
        lines=[{"sku": "MUG-RED", "quantity": 1, "reason": "damaged"}],
    )
    services.return_cancel(return_id=rma.pk, user=sales_user, reason="kept")
    before = unchanged()
    with pytest.raises(Conflict, match="cancelled: no refund"):
        services.refund_request(
            order_id=paid_order.pk, return_id=rma.pk, amount="1", reason="r", user=sales_user
        )
    assert unchanged() == before


def test_a_manager_may_give_goodwill_with_shipping_and_tax_split(paid_order, manager_user):
    refund = services.refund_request(
        order_id=paid_order.pk, amount="3.00", reason="late delivery", user=manager_user
    )
    services.refund_approve(refund_id=refund.pk, user=manager_user)
    services.refund_pay(refund_id=refund.pk, reference="gw", user=manager_user)
    note = CreditNote.objects.get()
    assert note.lines[-1]["description"].startswith("Goodwill")
    assert (note.net, note.tax, note.gross) == (Decimal("3.00"), Decimal("0.00"), Decimal("3.00"))


def test_a_rejected_refund_frees_its_amount(received, sales_user, manager_user):
    refund = services.refund_request(
        order_id=received.order_id,
        return_id=received.pk,
        amount="31.80",
        reason="r",
        user=sales_user,
    )
    services.refund_reject(refund_id=refund.pk, reason="no", user=manager_user)
    again = services.refund_request(
        order_id=received.order_id,
        return_id=received.pk,
        amount="31.80",
        reason="r",
        user=sales_user,
    )
    assert again.status == Refund.Status.PENDING


def credit_note_row():
    """Make one credit note (for the append-only table checks)."""
    from orders.models import Order
    from tests.factories import CustomerFactory

    customer = CustomerFactory()
    order = Order.objects.create(customer=customer)
    refund = Refund.objects.create(order=order, amount="1.00", reason="r")
    CreditNote.objects.create(
        refund=refund,
        order=order,
        customer=customer,
        issued_on="2026-01-01",
        currency="GBP",
        net="1.00",
        tax="0.00",
        gross="1.00",
    )
    return CreditNote


def test_a_credit_note_whose_cents_add_up_is_issued_on_every_database(
    make_order, bin_a, warehouse_user, sales_user, manager_user, royal_mail, box
):
    # given a shipped and paid order of one candle at 0.47, tax included: 0.39 net + 0.08 VAT
    # (as floats, which SQLite adds, 0.39 + 0.08 is not 0.47)
    from inventory import services as inventory_services
    from orders.models import Payment
    from tests.factories import ProductFactory
    from tests.returns.conftest import ship

    candle = ProductFactory(sku="CANDLE", name="Tea light", barcode="5012345678900", price="0.47")
    inventory_services.stock_receive(product=candle, location=bin_a, quantity=1)
    order = make_order(("CANDLE", 1))
    ship(order, warehouse_user, box)
    Payment.objects.create(order=order, method="card", amount=order.total, reference="ch_2")
    rma = services.return_create(
        order_id=order.pk,
        user=sales_user,
        lines=[{"order_line": order.lines.get().pk, "quantity": 1, "reason": "damaged"}],
    )
    services.return_authorize(return_id=rma.pk, user=sales_user)
    line = rma.lines.get()
    services.return_receive(return_id=rma.pk, line_id=line.pk, user=warehouse_user)
    services.return_dispose(return_id=rma.pk, line_id=line.pk, kind="scrap", user=warehouse_user)
    refund = services.refund_request(
        order_id=order.pk,
        return_id=rma.pk,
        lines=[{"return_line": line.pk, "quantity": 1}],
        reason="broken",
        user=sales_user,
    )
    services.refund_approve(refund_id=refund.pk, user=manager_user)
    # when
    services.refund_pay(refund_id=refund.pk, reference="re_2", user=manager_user)
    # then
    note = CreditNote.objects.get(refund=refund)
    assert (note.net, note.tax, note.gross) == (Decimal("0.39"), Decimal("0.08"), Decimal("0.47"))


def test_a_credit_note_whose_parts_do_not_add_up_is_refused_by_the_database(received, sales_user):
    # given
    from django.db import IntegrityError, transaction

    refund = services.refund_request(
        order_id=received.order_id, return_id=received.pk, amount="0.47", reason="goodwill"
    )
    order = refund.order
    # when / then: a cent off is refused
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditNote.objects.create(
            refund=refund,
            order=order,
            customer_id=order.customer_id,
            issued_on=order.placed_at.date(),
            currency="GBP",
            net=Decimal("0.39"),
            tax=Decimal("0.08"),
            gross=Decimal("0.48"),
        )
    assert not CreditNote.objects.filter(refund=refund).exists()
