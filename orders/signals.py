"""Signals orders sends so that other apps can react without orders knowing them."""

from django.dispatch import Signal

# Sent by orders.services.order_cancel INSIDE its transaction, after the order
# row is locked and moved to cancelled, before its allocations are released.
# Receivers' writes commit or roll back with the cancel, and an error raised
# by a receiver refuses the cancel (nothing is written). Arguments: order
# (the locked Order), user, reason (str).
order_cancelled = Signal()

# Sent by orders.services.order_update INSIDE its transaction when an order's
# shipping address changed (the order row is locked and saved with the new
# address). A receiver may refuse the change by raising a DomainError: the
# edit is then rolled back whole. Arguments: order (the locked Order), user.
order_readdressed = Signal()
