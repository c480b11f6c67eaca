"""What the inventory API's shapes share: the bounds of what it takes, within the columns."""

from __future__ import annotations

from rest_framework import serializers

from oms.api_inputs import whole
from oms.services import MAX_QUANTITY

# Bounds of what the API takes, within what the columns hold.
MAX_GRAMS = 10_000_000  # 10 tonnes
MAX_MM = 100_000  # 100 metres
MAX_LINES = 500
SKU, WAREHOUSE, BIN = 64, 16, 48  # a bin is named by its code or its barcode


def code_field(max_length: int, **kwargs) -> serializers.CharField:
    """Return a code field (SKU, warehouse, bin) no longer than its column."""
    return serializers.CharField(max_length=max_length, **kwargs)


def quantity_field(label: str = "Quantity", *, minimum: int = 1, **kwargs):
    """Return a whole quantity field from ``minimum`` up to the largest quantity taken."""
    return whole(label, minimum=minimum, maximum=MAX_QUANTITY, **kwargs)
