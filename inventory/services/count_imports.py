"""Stock counts from a manager's file, each booked through ``stock_count`` as a count movement.

A file of counts describes the bins as they were when it was taken. A row is
skipped when its bin and product were counted since the file was first
uploaded (``taken_at``): a later count knows better, and uploading the same
file again books nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from inventory.models import Location, Product, StockLevel
from inventory.services.counts import CountLine, stock_count
from oms.errors import InvalidInput, NotAllowed
from oms.services import service, whole_number

IMPORT_PERMS = ("inventory.count_stock", "inventory.adjust_stock")


@dataclass(frozen=True)
class CountImport:
    """What became of one counted row: new (first stock in that bin), update, or skip."""

    kind: str
    summary: str
    line: CountLine | None = None


def check_import_allowed(user) -> None:
    """Refuse a user who may not book counts without approval (managers may)."""
    if user is not None and not user.has_perms(IMPORT_PERMS):
        raise NotAllowed("Only managers import stock counts.")


def _text(value, *, field: str, label: str, limit: int) -> str:
    text = str(value or "").strip()
    if not text:
        raise InvalidInput(f"Enter the {label}.", field=field)
    if len(text) > limit:
        raise InvalidInput(f"The {label} is at most {limit} characters.", field=field)
    return text


@service
def stock_count_import(
    *, warehouse, bin, sku, counted, taken_at: datetime, user=None, reference: str = ""
) -> CountImport:
    """Book one counted row of a file, unless the bin was counted since the file was taken."""
    check_import_allowed(user)
    warehouse = _text(warehouse, field="warehouse", label="warehouse code", limit=16)
    code = _text(bin, field="bin", label="bin code", limit=32)
    sku = _text(sku, field="sku", label="SKU", limit=64)
    counted = whole_number(counted, field="counted", label="Counted quantity", minimum=0)
    location = (
        Location.objects.select_related("warehouse")
        .filter(warehouse__code__iexact=warehouse, code__iexact=code)
        .first()
    )
    if location is None:
        raise InvalidInput(f"There is no bin {code} in warehouse {warehouse}.", field="bin")
    product = Product.objects.filter(sku__iexact=sku).first()
    if product is None:
        raise InvalidInput(f"There is no product with SKU {sku}.", field="sku")
    level = StockLevel.objects.filter(product=product, location=location).first()
    where = f"{product.sku} in {location}"
    if level is not None and level.last_counted_at and level.last_counted_at >= taken_at:
        return CountImport(
            "skip", f"{where}: counted again since this file was taken; left as it is."
        )
    line = stock_count(
        product=product,
        location=location,
        counted=counted,
        user=user,
        reference=reference,
        reason="Stock count imported",
    )
    change = line.difference
    summary = f"{where}: {line.expected} on record, {counted} counted ({change:+d})"
    if level is None:
        return CountImport("new", summary, line)
    return CountImport("update" if change else "skip", summary, line)
