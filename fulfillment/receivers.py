"""What the warehouse does when another app tells it something happened."""

from fulfillment import services


def on_order_cancelled(sender, *, order, user=None, reason: str = "", **kwargs) -> None:
    """Cancel the cancelled order's open shipments, in the order's own transaction."""
    services.shipments_cancel_for_order(order=order, user=user, reason=reason)


def on_order_readdressed(sender, *, order, user=None, **kwargs) -> None:
    """Send the order's untouched shipments to its new address, in the order's own transaction."""
    services.shipments_readdress_for_order(order=order, user=user)
