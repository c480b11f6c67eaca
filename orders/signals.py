"""Signals orders sends so that other apps can react without orders knowing them."""

from django.dispatch import Signal

# Sent by orders.services.order_cancel INSIDE its transaction, after the order
# row is locked and moved to cancelled, before its allocations are released.
# Receivers' writes commit or roll back with the cancel, and an error raised
# by a receiver refuses the cancel (nothing is written). Arguments: order
# (the locked Order), user, reason (str).
order_cancelled = Signal()
