"""What has been paid on an order: one answer for the desk, the order page, invoices and refunds.

A payment is recorded as captured (money received), authorised (the card
holds it) or on account (the customer pays later, by agreement). All of them
settle what the customer owes: :func:`amount_paid`, what is no longer due.
Only captured money was received: :func:`amount_received`, what an invoice
calls paid and what a refund may give back.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from orders.models import Payment

ZERO = Decimal("0.00")


def amount_paid(payments: Iterable[Payment]) -> Decimal:
    """Return the sum of every payment recorded on an order: what is no longer due."""
    return sum((payment.amount for payment in payments), ZERO)


def amount_received(payments: Iterable[Payment]) -> Decimal:
    """Return the sum of the captured payments: money actually received."""
    return sum(
        (payment.amount for payment in payments if payment.status == Payment.Status.CAPTURED),
        ZERO,
    )


def amount_due(total: Decimal, payments: Iterable[Payment]) -> Decimal:
    """Return what is still to pay on an order of this total (never below zero)."""
    return max(total - amount_paid(payments), ZERO)
