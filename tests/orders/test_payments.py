"""One answer to "what has been paid": everything recorded settles, only captured was received."""

from decimal import Decimal

from orders.models import Payment
from orders.payments import amount_due, amount_paid, amount_received


def payments():
    return [
        Payment(amount=Decimal("10.00"), status=Payment.Status.CAPTURED),
        Payment(amount=Decimal("5.50"), status=Payment.Status.AUTHORISED),
        Payment(amount=Decimal("2.25"), status=Payment.Status.ON_ACCOUNT),
    ]


def test_every_recorded_payment_settles_what_is_due():
    assert amount_paid(payments()) == Decimal("17.75")
    assert amount_due(Decimal("20.00"), payments()) == Decimal("2.25")
    assert amount_due(Decimal("15.00"), payments()) == Decimal("0.00")


def test_only_captured_money_was_received():
    assert amount_received(payments()) == Decimal("10.00")
    assert amount_received([]) == Decimal("0.00")
