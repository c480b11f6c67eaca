"""Signals inventory sends so that other apps can react without inventory knowing them."""

from django.dispatch import Signal

# Sent after commit when free stock of some products grew (receipt, count up,
# released allocation). Arguments: product_ids (list[int]).
stock_became_available = Signal()
