"""Credit notes for the accounting export (``oms.accounting``), registered as "credit_note".

A credit note's lines are kept as they were printed (goods, shipping,
goodwill); each becomes a ``Line`` with its net, tax rate and tax, the goods
lines with the SKU of the order line they credit.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch

from oms import accounting
from returns.models import CreditNote, RefundLine

CENT = Decimal("0.01")


def _lines(note: CreditNote) -> tuple[accounting.Line, ...]:
    # The goods lines come first, in the refund's line order (returns.services.refunds).
    skus = [line.return_line.order_line.sku for line in note.refund.lines.all()]
    out = []
    for index, row in enumerate(note.lines):
        quantity = int(row["quantity"]) or 1
        net = Decimal(row["net"])
        out.append(
            accounting.Line(
                description=row["description"],
                quantity=quantity,
                unit_price=(net / quantity).quantize(CENT, ROUND_HALF_UP),
                net=net,
                tax_rate=Decimal(row["rate"]),
                tax=Decimal(row["tax"]),
                sku=skus[index] if index < len(skus) else "",
            )
        )
    return tuple(out)


def credit_note_documents(start: datetime.date, end: datetime.date) -> list[accounting.Document]:
    """Return the credit notes issued from start to end (local days, both included)."""
    notes = (
        CreditNote.objects.filter(issued_on__gte=start, issued_on__lte=end)
        .select_related("order", "customer", "refund")
        .prefetch_related(
            Prefetch(
                "refund__lines",
                queryset=RefundLine.objects.select_related("return_line__order_line").order_by(
                    "pk"
                ),
            )
        )
        .order_by("issued_on", "pk")
    )
    return [
        accounting.Document(
            kind="credit_note",
            number=note.number,
            date=note.issued_on,
            customer=note.customer.name,
            email=note.customer.email or "",
            currency=note.currency,
            tax_total=note.tax,
            total=note.gross,
            reference=note.order.number or "",
            lines=_lines(note),
        )
        for note in notes
    ]
