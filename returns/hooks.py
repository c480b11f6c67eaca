"""What returns add to the order page (its returns, returned units and refunds) and to the
customer's status page (``returns.track``)."""

from __future__ import annotations

from orders.hooks import OrderHooks, Section
from returns import selectors


def _page_section(*, order, user) -> Section | None:
    if not user.has_perm("returns.view_return"):
        return None
    returns = selectors.order_returns(order)
    refunds = selectors.order_refunds(order) if user.has_perm("returns.view_refund") else []
    can_start = user.has_perm("returns.add_return") and any(
        line.quantity_shipped for line in order.lines.all()
    )
    return Section(
        "returns/_order_returns.html",
        {"order": order, "returns": returns, "refunds": refunds, "can_start": can_start},
    )


def _customer_section(*, order, token: str) -> Section | None:
    from returns.track import customer_section

    return customer_section(order=order, token=token)


HOOKS = OrderHooks(app="returns", page_section=_page_section, customer_section=_customer_section)
