"""What the warehouse does when an order changes, and what it shows on the order page.

Registered with orders (``orders.hooks``) from FulfillmentConfig.ready():
a cancelled order's open shipments are cancelled with it, a new address
reaches the shipments nothing was picked for yet (or is refused while one is
picked), the order page lists the shipments with carrier and tracking, and
the customer's status page lists the parcels that left, with tracking links.

The shipping services an order may choose are this app's table
(``ShippingMethod``): ``offered_shipping`` is registered as the provider of
``orders.shipping``, so the desk and the API offer exactly the active services
of active carriers, with their prices.
"""

from __future__ import annotations

from fulfillment import selectors, services
from orders.hooks import OrderHooks, Section
from orders.shipping import ShippingOption

SHOWN_LINES = 20  # lines of each shipment listed on the order page


def _cancelled(*, order, user, reason: str) -> None:
    services.shipments_cancel_for_order(order=order, user=user, reason=reason)


def _readdressed(*, order, user) -> None:
    services.shipments_readdress_for_order(order=order, user=user)


def _page_section(*, order, user) -> Section | None:
    if not user.has_perm("fulfillment.view_shipment") and not user.has_perm("orders.view_order"):
        return None
    shipments = selectors.order_shipments_overview(order, lines=SHOWN_LINES)
    return Section("fulfillment/_order_shipments.html", {"shipments": shipments, "order": order})


def _customer_section(*, order, token: str) -> Section | None:
    parcels = selectors.customer_parcels(order)
    if not parcels:
        return None
    return Section("fulfillment/_track_parcels.html", {"parcels": parcels})


HOOKS = OrderHooks(
    app="fulfillment",
    cancelled=_cancelled,
    readdressed=_readdressed,
    page_section=_page_section,
    customer_section=_customer_section,
)


def offered_shipping() -> list[ShippingOption]:
    """Return the active services of active carriers, cheapest first (one query)."""
    return [
        ShippingOption(
            code=method.code, name=method.name, carrier=method.carrier.name, price=method.price
        )
        for method in selectors.shipping_methods().order_by("price", "carrier__name", "name")
    ]
