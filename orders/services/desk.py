"""The sales desk's writes: a phone order in one step, and transitions with a version check.

These compose the order and customer services; they add no new state changes
of their own, only what a person at the desk needs on top: a new customer
and the order in one transaction, and refusing a button pressed on a page
that is out of date.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from oms.errors import DomainError, InvalidInput
from oms.services import require_perm
from orders.models import Customer, Order
from orders.payments import amount_due
from orders.services.base import order_service
from orders.services.customers import customer_create
from orders.services.editing import order_update
from orders.services.orders import (
    order_cancel,
    order_confirm,
    order_create,
    order_hold,
    order_place,
    order_release,
)


@dataclass(frozen=True)
class LineOutcome:
    """What will happen to one line when the order is confirmed now."""

    level: str  # "ok", "warn" or "short"
    message: str


def line_outcome(
    *, quantity: int, available: int, ship_policy: str, is_drop_ship: bool = False
) -> LineOutcome:
    """Tell the rep, in plain words, what confirming now would do with this line."""
    if is_drop_ship:
        return LineOutcome("ok", "Drop-ship: the supplier sends it to the customer.")
    available = max(available, 0)
    if quantity <= available:
        return LineOutcome("ok", "In stock: ships now.")
    short = quantity - available
    complete = ship_policy == Order.ShipPolicy.COMPLETE
    if available == 0:
        message = f"Out of stock: all {quantity} will be backordered"
    else:
        message = f"Only {available} available: {short} will be backordered"
    if complete:
        message += "; ship complete, so the whole order waits until they arrive."
    elif available:
        message += f"; partial shipment: {available} ship now, the rest when stock arrives."
    else:
        message += " and ship when stock arrives."
    return LineOutcome("short", message)


def _prefixed(error: DomainError, prefix: str) -> DomainError:
    """Return the same error with its field names moved under ``prefix``.

    A new customer's default address is the order's shipping address, so its
    errors are named after the shipping address fields.
    """

    def rename(key: str) -> str:
        if key.startswith("default_shipping_address"):
            return key.replace("default_shipping_address", "shipping_address", 1)
        return key if key.startswith(prefix + ".") else f"{prefix}.{key}"

    error.errors = {rename(key): messages for key, messages in error.errors.items()}
    if error.field:
        error.field = rename(error.field)
    return error


@order_service
def order_take(
    *,
    user,
    lines: Sequence[dict],
    customer: Customer | None = None,
    new_customer: dict | None = None,
    shipping_address: dict | None = None,
    shipping_method: str = "",
    shipping_price=None,
    ship_policy: str = Order.ShipPolicy.PARTIAL,
    is_vip: bool | None = None,
    notes: str = "",
    payment: dict | None = None,
    confirm: bool = False,
) -> Order:
    """Take a phone order in one transaction: a new customer if needed, the order, and
    optionally place and confirm it with the payment.

    Either everything is saved or nothing is. A payment is recorded only on
    confirmation; its amount defaults to the order total. A shipping address
    without a name is addressed to the customer. The shipping method is one the
    warehouse offers (``orders.shipping``); a price left blank is its price.
    """
    require_perm(user, "orders.add_order", "Only sales reps and managers create orders.")
    if shipping_address and not str(shipping_address.get("name") or "").strip():
        # A parcel without a name goes to the customer.
        who = customer.name if customer else str((new_customer or {}).get("name") or "")
        shipping_address = {**shipping_address, "name": who.strip()}
    if customer is None:
        if not new_customer or not any(str(v or "").strip() for v in new_customer.values()):
            raise InvalidInput(
                "Find the customer, or enter a new customer's name.", field="customer.search"
            )
        fields = {k: v for k, v in new_customer.items() if k in {"name", "email", "phone"}}
        if shipping_address:
            fields["default_shipping_address"] = shipping_address
        try:
            customer = customer_create(user=user, **fields)
        except DomainError as error:
            raise _prefixed(error, "customer") from error
    order = order_create(
        customer=customer,
        lines=list(lines),
        user=user,
        channel=Order.Channel.PHONE,
        shipping_address=shipping_address or None,
        shipping_method=shipping_method,
        shipping_price=shipping_price if str(shipping_price or "").strip() else None,
        ship_policy=ship_policy,
        is_vip=is_vip,
        notes=notes,
        place=confirm,
        offered_shipping=True,
    )
    if confirm:
        paid = dict(payment or {})
        if paid.get("method") and not str(paid.get("amount") or "").strip():
            paid["amount"] = str(order.total)
        order = order_confirm(order_id=order.pk, user=user, payment=paid or None)
    return order


TRANSITION_PERMS = {
    "place": ("orders.add_order", "Only sales reps and managers place orders."),
    "confirm": ("orders.confirm_order", "Only sales reps and managers confirm orders."),
    "cancel": ("orders.cancel_order", "Only sales reps and managers cancel orders."),
    "hold": ("orders.hold_order", "Only sales reps and managers put orders on hold."),
    "release": ("orders.hold_order", "Only sales reps and managers release orders from hold."),
}


@order_service
def order_transition(
    *,
    order_id: int,
    action: str,
    user,
    expected_version: int | None = None,
    reason: str = "",
    payment: dict | None = None,
) -> Order:
    """Run one of the desk's transitions, refusing it when the page showed an older version.

    A cancellation needs a reason. The version check names who changed the order.
    """
    if action not in TRANSITION_PERMS:
        raise InvalidInput(f"Unknown action {action!r}.", field="action")
    perm, message = TRANSITION_PERMS[action]
    require_perm(user, perm, message)
    reason = (reason or "").strip()
    if action == "cancel" and not reason:
        raise InvalidInput("Say why the order is cancelled.", field="reason")
    if expected_version is not None:
        # Locks the order and refuses a stale page; with no changes it writes nothing.
        order_update(order_id=order_id, user=user, expected_version=expected_version)
    if action == "place":
        return order_place(order_id=order_id, user=user)
    if action == "confirm":
        paid = {k: v for k, v in (payment or {}).items() if str(v or "").strip()}
        if paid and "amount" not in paid:
            order = Order.objects.get(pk=order_id)
            paid["amount"] = str(amount_due(order.total, order.payments.all()))
        return order_confirm(order_id=order_id, user=user, payment=paid or None)
    if action == "cancel":
        return order_cancel(order_id=order_id, user=user, reason=reason)
    if action == "hold":
        return order_hold(order_id=order_id, user=user, reason=reason)
    return order_release(order_id=order_id, user=user, note=reason)
