"""The shipping methods an order may take, as the warehouse offers them.

The services (carrier, name, price) are the warehouse's table
(``fulfillment.ShippingMethod``), and orders imports nothing of fulfillment.
So fulfillment registers, from its ``AppConfig.ready()``, the function that
reads its active services; the sales desk, the order page and the API ask
here. An order keeps the code of its method (``Order.shipping_method``):
the shipment made from it takes the service with that code.

A method that a manager deactivates is no longer offered: a new order or a
change of method cannot choose it, while an order that already has it keeps
it (and shows it as no longer offered).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from oms.errors import InvalidInput


@dataclass(frozen=True)
class ShippingOption:
    """One service a customer may choose: its code, how it reads, and its price."""

    code: str
    name: str
    carrier: str
    price: Decimal

    @property
    def label(self) -> str:
        return f"{self.carrier} {self.name}".strip()


_provider: Callable[[], list[ShippingOption]] | None = None


def register_provider(provider: Callable[[], list[ShippingOption]]) -> None:
    """Register the function that lists the offered services (one provider; again replaces)."""
    global _provider
    _provider = provider


def offered() -> list[ShippingOption]:
    """Return the services offered now, in the order the provider gives them (one query)."""
    return list(_provider()) if _provider is not None else []


def offered_by_code() -> dict[str, ShippingOption]:
    """Return the offered services by their code, lower-cased."""
    return {option.code.lower(): option for option in offered()}


def check_offered(code: str, *, field: str = "shipping_method") -> ShippingOption | None:
    """Return the offered service with this code (None for no method), or refuse in words."""
    code = str(code or "").strip()
    if not code:
        return None
    options = offered_by_code()
    option = options.get(code.lower())
    if option is None:
        names = ", ".join(sorted(option.code for option in options.values())) or "none"
        raise InvalidInput(
            f"Shipping method {code!r} is not offered: choose one of {names}.",
            field=field,
            code="shipping_method_not_offered",
        )
    return option
