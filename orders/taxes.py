"""An order's tax, read back: the breakdown by rate that invoices and pages print."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from orders.models import Order, OrderLine


def tax_breakdown(order: Order, lines: Iterable[OrderLine]) -> list[tuple[Decimal, Decimal]]:
    """Return (rate in %, tax) per rate over the lines and the shipping, highest rate first."""
    by_rate: dict[Decimal, Decimal] = {}
    for line in lines:
        by_rate[line.tax_rate] = by_rate.get(line.tax_rate, Decimal("0")) + line.tax_amount
    if order.shipping_price:
        rate = order.shipping_tax_rate
        by_rate[rate] = by_rate.get(rate, Decimal("0")) + order.shipping_tax
    return [
        ((rate * 100).normalize(), amount)
        for rate, amount in sorted(by_rate.items(), reverse=True)
        if amount or rate
    ]


def tax_bases(order: Order, lines: Iterable[OrderLine]) -> list[dict]:
    """Return, per rate, the net amount taxed, the tax and the gross (for invoices)."""
    rows: dict[Decimal, dict] = {}
    included = order.prices_include_tax

    def add(rate: Decimal, amount: Decimal, tax: Decimal) -> None:
        row = rows.setdefault(
            rate,
            {
                "rate": (rate * 100).normalize(),
                "net": Decimal("0"),
                "tax": Decimal("0"),
                "gross": Decimal("0"),
            },
        )
        net = amount - tax if included else amount
        row["net"] += net
        row["tax"] += tax
        row["gross"] += net + tax

    for line in lines:
        add(line.tax_rate, line.unit_price * line.quantity, line.tax_amount)
    if order.shipping_price:
        add(order.shipping_tax_rate, order.shipping_price, order.shipping_tax)
    return [rows[rate] for rate in sorted(rows, reverse=True)]
