"""Editing an order: what may change in which state, in one table, and the edit itself.

EDIT_RULES is the one place that says which field of an order may change in
which state. ``order_update`` refuses a change outside it (409, naming the
state); the order page offers only the fields ``editable_fields`` names; the
API's PATCH goes through ``order_update``. An order on hold is judged by the
state it left, so holding an order never opens a field that was closed.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from inventory.models import Product
from oms.errors import Conflict, InvalidInput, TransitionRefused
from oms.services import require_perm
from orders import hooks, shipping
from orders.events import order_event
from orders.models import Address, Order, OrderEvent, OrderLine
from orders.payments import amount_paid
from orders.services.base import (
    StaleEdit,
    Status,
    check_order_fields,
    lock_order,
    order_rates,
    order_service,
    parse_money,
    resolve_lines,
    set_totals,
    status_label,
)
from orders.services.customers import address_build


@dataclass(frozen=True)
class EditRule:
    """The states in which a field may change, and how the refusal names it."""

    states: frozenset[str]
    what: str
    advice: str = ""


_BEFORE_PICKING = frozenset(
    {Status.DRAFT, Status.PLACED, Status.CONFIRMED, Status.ALLOCATED, Status.BACKORDERED}
)
_NOTHING_SHIPPED = _BEFORE_PICKING | {Status.PROCESSING}
_NOT_ALL_SHIPPED = _NOTHING_SHIPPED | {Status.PARTIALLY_SHIPPED}

# What may change in which state. Money (lines, shipping method and price) stops
# changing once anything has shipped. The ship-to address is closed while the first
# parcel is being picked and packed (processing) and once everything has shipped;
# on a partly shipped order it changes for what has not left yet (the warehouse
# refuses it while one of the order's shipments is being picked or packed, and a
# shipment that left keeps its address: fulfillment.services.shipments).
EDIT_RULES: dict[str, EditRule] = {
    "lines": EditRule(
        frozenset({Status.DRAFT, Status.PLACED}),
        "its lines",
        " Cancel it and take a new order instead.",
    ),
    "shipping_address": EditRule(
        _BEFORE_PICKING | {Status.PARTIALLY_SHIPPED}, "its shipping address"
    ),
    "billing_address": EditRule(_NOTHING_SHIPPED, "its billing address"),
    "shipping_method": EditRule(_NOTHING_SHIPPED, "its shipping method"),
    "shipping_price": EditRule(_NOTHING_SHIPPED, "its shipping price"),
    "ship_policy": EditRule(_NOT_ALL_SHIPPED, "its ship policy"),
    "priority": EditRule(_NOT_ALL_SHIPPED, "its priority"),
    "is_vip": EditRule(_NOT_ALL_SHIPPED, "its VIP flag"),
    "notes": EditRule(frozenset(Status.values) - {Status.ON_HOLD}, "its notes"),
}
EDITABLE_FIELDS = frozenset(EDIT_RULES)
CHANGE_WORDS = {"is_vip": "VIP flag"}


def edit_state(order: Order) -> str:
    """Return the state an order's edits are judged by: on hold, the state it left."""
    if order.status == Status.ON_HOLD and order.status_before_hold:
        return order.status_before_hold
    return order.status


def editable_fields(order: Order) -> frozenset[str]:
    """Return the fields of the order that may change now."""
    state = edit_state(order)
    return frozenset(name for name, rule in EDIT_RULES.items() if state in rule.states)


def _state_words(order: Order) -> str:
    if order.status == Status.ON_HOLD and order.status_before_hold:
        return f"on hold (it was {status_label(order.status_before_hold)})"
    return status_label(order.status)


def check_editable(order: Order, name: str) -> None:
    """Refuse (409, naming the state) a change to a field the order's state closes."""
    rule = EDIT_RULES[name]
    if edit_state(order) not in rule.states:
        raise TransitionRefused(
            f"Order {order} is {_state_words(order)}: {rule.what} can no longer be "
            f"changed.{rule.advice}",
            field=name,
            code="locked",
        )


def _replace_lines(order: Order, resolved: list[tuple[Product, int]]) -> None:
    """Make the order's lines match the new list; dropped lines are marked removed."""
    current = {line.product_id: line for line in order.lines.all()}
    now = timezone.now()
    seen = set()
    for index, (product, qty) in enumerate(resolved):
        line = current.get(product.pk) if product.pk not in seen else None
        seen.add(product.pk)
        if line is None:
            OrderLine.objects.create(
                order=order,
                product=product,
                sku=product.sku,
                name=product.name,
                unit_price=product.price,
                quantity=qty,
                is_drop_ship=product.is_drop_ship,
                position=index,
            )
        else:
            line.quantity, line.position = qty, index
            line.save(update_fields=["quantity", "position"])
    for product_id, line in current.items():
        if product_id not in seen:
            OrderLine.objects.filter(pk=line.pk).update(removed_at=now)


def _check_version(order: Order, expected_version: int | None) -> None:
    if expected_version is None or int(expected_version) == order.version:
        return
    last = (
        order.events.exclude(user=None)
        .select_related("user")
        .order_by("-created_at", "-pk")
        .first()
    )
    who = ""
    if last is not None:
        name = last.user.get_full_name() or last.user.username
        when = timezone.localtime(last.created_at).strftime("%H:%M")
        what = last.note or last.get_type_display().lower()
        who = f" {name} changed it at {when} ({what})."
    raise StaleEdit(
        f"Order {order} was changed while you were editing it.{who} "
        f"Your changes were not saved; reload the order and apply them again.",
        code="stale",
    )


def _proposed(order: Order, changes: dict) -> dict:
    """Return the changes that differ from the order as it is, each checked for shape."""
    changes = dict(changes)
    proposed: dict = {}
    if "lines" in changes:
        resolved = resolve_lines(changes.pop("lines"))
        old = [(line.product_id, line.quantity) for line in order.lines.order_by("position", "pk")]
        if old != [(product.pk, qty) for product, qty in resolved]:
            proposed["lines"] = resolved
    for name in ("shipping_address", "billing_address"):
        if name in changes:
            address = address_build(changes.pop(name), field=name, customer=order.customer)
            current: Address | None = getattr(order, name)
            if address is not None and (current is None or not current.same_as(address)):
                proposed[name] = address
    if "shipping_price" in changes:
        price = parse_money(
            changes.pop("shipping_price"), field="shipping_price", label="Shipping price"
        )
        if price < 0:
            raise InvalidInput("Shipping price cannot be negative.", field="shipping_price")
        if price != order.shipping_price:
            proposed["shipping_price"] = price
    for name, value in check_order_fields(changes).items():
        if getattr(order, name) != value:
            proposed[name] = value
    return proposed


def _check_paid(order: Order, field: str) -> None:
    """Refuse a change that brings the order's total below what was paid on it."""
    paid = amount_paid(order.payments.all())
    if order.total < paid:
        raise Conflict(
            f"Order {order} has {paid} {order.currency} paid: this change would bring its "
            f"total to {order.total}, below what was paid. Nothing was changed.",
            field=field,
            code="below_paid",
        )


@order_service
def order_update(
    *,
    order_id: int,
    user=None,
    expected_version: int | None = None,
    offered_shipping: bool = False,
    **changes,
) -> Order:
    """Edit an order's lines, addresses, shipping, priority, VIP flag or notes.

    Refuses a stale edit (the version the editor loaded is not the order's);
    bad values (400); a change that the order's state closes (409, naming the
    state; see EDIT_RULES); a change that brings the total below what was paid
    (409). A field sent with the value it already has is no change, in any
    state. When the shipping address changes, the apps built on orders hear of
    it through their ``readdressed`` hook (``orders.hooks``) in this transaction.
    With ``offered_shipping`` (the order page and the API), a new shipping
    method must be one the warehouse offers now; an unchanged one is kept even
    when it is no longer offered.
    """
    require_perm(user, "orders.change_order", "Only sales reps and managers edit orders.")
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise InvalidInput(f"These fields cannot be edited: {', '.join(sorted(unknown))}.")
    order = lock_order(order_id)
    _check_version(order, expected_version)
    proposed = _proposed(order, changes)
    if offered_shipping and proposed.get("shipping_method"):
        option = shipping.check_offered(proposed["shipping_method"])
        if option.code == order.shipping_method:
            del proposed["shipping_method"]
        else:
            proposed["shipping_method"] = option.code
    for name in proposed:
        check_editable(order, name)
    if not proposed:
        return order
    changed: list[str] = []
    money_field = next((name for name in ("lines", "shipping_price") if name in proposed), "")
    changed_fields = set(proposed)
    lines = None
    if "lines" in proposed:
        _replace_lines(order, proposed.pop("lines"))
        lines = list(order.lines.all())
        changed.append("lines: " + ", ".join(f"{line.quantity} × {line.sku}" for line in lines))
    for name in ("shipping_address", "billing_address"):
        if name in proposed:
            address = proposed.pop(name)
            address.save()
            setattr(order, name, address)
            changed.append(name.replace("_", " "))
    for name, value in proposed.items():
        setattr(order, name, value)
        changed.append(CHANGE_WORDS.get(name, name.replace("_", " ")))
    if money_field or "shipping_address" in changed_fields:
        # Prices, shipping or the destination changed: the tax is worked out again, at
        # the rates of the day the order was placed (today for a draft).
        lines = list(order.lines.select_related("product"))
        on = timezone.localdate(order.placed_at) if order.placed_at else None
        set_totals(
            order, lines, field=money_field or "shipping_address", rates=order_rates(order, on=on)
        )
        OrderLine.objects.bulk_update(lines, ["tax_rate", "tax_amount"])
        _check_paid(order, money_field or "shipping_address")
    order.version += 1
    order.save()
    order_event(
        order=order, type=OrderEvent.Type.UPDATED, user=user, note="Changed " + "; ".join(changed)
    )
    if "shipping address" in changed:
        hooks.run_readdressed(order=order, user=user)
    return order
