"""Creating an order and moving it through its states (editing: orders.services.editing)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone

from oms import tax
from oms.errors import Conflict, InvalidInput, TransitionRefused
from oms.services import require_perm
from orders import hooks, shipping
from orders.events import order_event
from orders.models import Address, Customer, Order, OrderEvent, OrderLine, Payment
from orders.notifications import queue_order_emails
from orders.payments import amount_paid
from orders.services.allocation import allocate_lines, confirm_lines, release_allocations
from orders.services.base import (
    LineInput,
    Status,
    assign_number,
    check_order_fields,
    lock_order,
    order_service,
    parse_money,
    resolve_lines,
    run_transition,
    save_transition,
    set_totals,
)
from orders.services.customers import address_from_data
from orders.services.purchasing import cancel_drop_ship_orders


@order_service
def order_create(
    *,
    customer: Customer,
    lines: Sequence[LineInput | dict],
    user=None,
    channel: str = Order.Channel.PHONE,
    external_reference: str = "",
    shipping_address: dict | Address | None = None,
    billing_address: dict | Address | None = None,
    shipping_method: str = "",
    shipping_price="0.00",
    ship_policy: str = Order.ShipPolicy.PARTIAL,
    priority: int = 0,
    is_vip: bool | None = None,
    notes: str = "",
    currency: str = "GBP",
    place: bool = False,
    unit_prices: Sequence | None = None,
    offered_shipping: bool = False,
) -> Order:
    """Create an order with its lines (prices and names snapshotted), as a draft or placed.

    ``unit_prices`` (one per line, checked amounts) keep the prices a channel
    sold at, such as a marketplace's; without them each line takes the
    product's price.

    With ``offered_shipping`` (the desk and the API: a person or a shop chooses),
    the shipping method must be one the warehouse offers now (``orders.shipping``),
    and a shipping price left out (None) is that service's price.

    The order comes back with what it holds as plain lists (``loaded_lines``,
    ``loaded_payments``, ``loaded_events``, the attributes the API's prefetches
    fill), so that answering costs no read; they are as of now.
    """
    require_perm(user, "orders.add_order", "Only sales reps and managers create orders.")
    if channel not in Order.Channel.values:
        raise InvalidInput(
            f"Unknown channel {channel!r}: use one of {', '.join(Order.Channel.values)}.",
            field="channel",
        )
    fields = check_order_fields(
        {
            "shipping_method": shipping_method,
            "ship_policy": ship_policy,
            "priority": priority,
            "notes": notes,
        }
    )
    external_reference = (external_reference or "").strip()
    if len(external_reference) > 100:
        raise InvalidInput(
            "An external reference is at most 100 characters.", field="external_reference"
        )
    currency = (currency or "GBP").strip().upper()
    if len(currency) != 3 or not currency.isascii() or not currency.isalpha():
        raise InvalidInput("Use a three-letter currency code, for example GBP.", field="currency")
    resolved = resolve_lines(lines)
    if unit_prices is not None:
        if len(unit_prices) != len(resolved):
            raise InvalidInput("Give one price per line.", field="lines")
        unit_prices = [
            parse_money(price, field=f"lines[{index}].unit_price", label="Unit price")
            for index, price in enumerate(unit_prices)
        ]
        if any(price < 0 for price in unit_prices):
            raise InvalidInput("A unit price cannot be negative.", field="lines")
    if offered_shipping:
        option = shipping.check_offered(fields["shipping_method"])
        if option is not None:
            fields["shipping_method"] = option.code
            if shipping_price is None:
                shipping_price = option.price
    if shipping_price is None:
        shipping_price = "0.00"
    shipping_price = parse_money(shipping_price, field="shipping_price", label="Shipping price")
    if shipping_price < 0:
        raise InvalidInput("Shipping price cannot be negative.", field="shipping_price")
    ship_to = address_from_data(shipping_address, field="shipping_address", customer=customer)
    if ship_to is None and customer.default_shipping_address_id:
        ship_to = address_from_data(
            customer.default_shipping_address, field="shipping_address", customer=customer
        )
    bill_to = (
        address_from_data(billing_address, field="billing_address", customer=customer) or ship_to
    )
    order = Order(
        channel=channel,
        external_reference=external_reference,
        customer=customer,
        shipping_address=ship_to,
        billing_address=bill_to,
        shipping_price=shipping_price,
        is_vip=customer.is_vip if is_vip is None else bool(is_vip),
        currency=currency,
        prices_include_tax=tax.prices_include_tax(),
        **fields,
        created_by=user if getattr(user, "pk", None) else None,
    )
    lines = [
        OrderLine(
            product=product,
            sku=product.sku,
            name=product.name,
            unit_price=product.price if unit_prices is None else unit_prices[index],
            quantity=qty,
            is_drop_ship=product.is_drop_ship,
            position=index,
        )
        for index, (product, qty) in enumerate(resolved)
    ]
    set_totals(order, lines)
    if place:
        run_transition(order, "place", user=user)
        _check_placeable(order, has_lines=bool(lines))
        order.placed_at = timezone.now()
    try:
        with transaction.atomic():
            order.save()
    except IntegrityError as error:
        raise Conflict(
            f"A {channel} order with reference {external_reference} already exists.",
            field="external_reference",
            code="duplicate_reference",
        ) from error
    assign_number(order)
    for line in lines:
        line.order = order
    OrderLine.objects.bulk_create(lines)
    events = [
        order_event(
            order=order,
            type=OrderEvent.Type.CREATED,
            user=user,
            to_status=Status.DRAFT,
            note=f"{channel} order with {len(resolved)} line(s)",
        )
    ]
    if place:
        events.append(
            order_event(
                order=order,
                type=OrderEvent.Type.STATUS,
                user=user,
                from_status=Status.DRAFT,
                to_status=order.status,
            )
        )
    # The caller gets the order with what it holds, so that answering costs no re-read.
    order.loaded_lines, order.loaded_payments, order.loaded_events = lines, [], events
    return order


def _check_placeable(order: Order, *, has_lines: bool) -> None:
    if not has_lines:
        raise InvalidInput("An order needs at least one line.", field="lines", code="empty_order")
    if order.shipping_address_id is None and order.shipping_address is None:
        raise InvalidInput(
            "Enter a shipping address before placing the order.", field="shipping_address"
        )


@order_service
def order_place(*, order_id: int, user=None) -> Order:
    """Move a draft to placed: the order is now the customer's commitment."""
    order = lock_order(order_id)
    from_status = order.status
    run_transition(order, "place", user=user)
    lines = list(order.lines.select_related("product"))
    _check_placeable(order, has_lines=bool(lines))
    order.placed_at = timezone.now()
    # The tax is that of the day the order is placed (a draft may wait for days).
    set_totals(order, lines)
    OrderLine.objects.bulk_update(lines, ["tax_rate", "tax_amount"])
    save_transition(order, from_status=from_status, user=user)
    return order


def _record_payment(*, order: Order, payment: dict, user, earlier: list[Payment]) -> Payment:
    method = str(payment.get("method") or "").strip()
    if method not in Payment.Method.values:
        raise InvalidInput(
            f"Unknown payment method {method!r}: use one of {', '.join(Payment.Method.values)}.",
            field="payment.method",
        )
    amount = parse_money(payment.get("amount"), field="payment.amount", label="Payment amount")
    if amount <= 0:
        raise InvalidInput("Payment amount must be more than zero.", field="payment.amount")
    currency = str(payment.get("currency") or order.currency).upper()
    if currency != order.currency:
        raise InvalidInput(
            f"The order is in {order.currency}; a payment in {currency} cannot be recorded.",
            field="payment.currency",
        )
    paid = amount_paid(earlier)
    if paid + amount > order.total:
        raise InvalidInput(
            f"The payment of {amount} is more than the {order.total - paid} still due "
            f"on this order.",
            field="payment.amount",
            code="overpayment",
        )
    status = {
        Payment.Method.ON_ACCOUNT: Payment.Status.ON_ACCOUNT,
    }.get(method, payment.get("status") or Payment.Status.CAPTURED)
    if status not in Payment.Status.values:
        raise InvalidInput(
            "Payment status must be authorised, captured or on_account.", field="payment.status"
        )
    record = Payment.objects.create(
        order=order,
        method=method,
        amount=amount,
        currency=currency,
        reference=str(payment.get("reference") or "")[:100],
        status=status,
        user=user if getattr(user, "pk", None) else None,
    )
    order_event(
        order=order,
        type=OrderEvent.Type.PAYMENT,
        user=user,
        note=f"{record.get_method_display()} {amount} {currency} {record.reference}".strip(),
        data={"payment_id": record.pk, "amount": str(amount)},
    )
    return record


@order_service
def order_confirm(*, order_id: int, user=None, payment: dict | None = None) -> Order:
    """Confirm a placed order: record the payment, then serve its lines.

    Stocked lines are allocated, or backordered and passed to purchasing;
    drop-ship lines are ordered from their suppliers (a sent purchase order per
    supplier). The order is allocated once every line is either allocated from
    stock or placed with a drop-ship supplier (so an order of drop-ship lines
    only is allocated at once), backordered otherwise.
    """
    order = lock_order(order_id)
    from_status = order.status
    run_transition(order, "confirm", user=user)
    payments = list(order.payments.all())
    if payment:
        payments.append(_record_payment(order=order, payment=payment, user=user, earlier=payments))
    order.loaded_payments = payments
    order.confirmed_at = timezone.now()
    order_event(
        order=order,
        type=OrderEvent.Type.STATUS,
        user=user,
        from_status=from_status,
        to_status=order.status,
    )
    _, backordered = confirm_lines(order=order, user=user)
    has_backorder = backordered > 0
    before = order.status
    if has_backorder:
        order.mark_backordered()
    else:
        order.mark_allocated()
    save_transition(order, from_status=before, user=user)
    kinds = ["order_confirmation"]
    if has_backorder:
        kinds += ["backorder_delay", "backorder_alert"]
    queue_order_emails([(kind, order) for kind in kinds], user=user)
    return order


@order_service
def order_cancel(*, order_id: int, user=None, reason: str = "") -> Order:
    """Cancel an order that has not shipped, releasing its allocations.

    The apps built on orders hear of it through their ``cancelled`` hook
    (``orders.hooks``), in this transaction before the allocations are
    released (the warehouse cancels the order's open shipments), so the
    cancel and what they do commit together or not at all.
    """
    order = lock_order(order_id)
    from_status = order.status
    if order.lines.filter(quantity_shipped__gt=0).exists():
        raise TransitionRefused(f"Order {order} has already shipped goods: it cannot be cancelled.")
    run_transition(order, "cancel", user=user)
    hooks.run_cancelled(order=order, user=user, reason=reason)
    release_allocations(order=order, user=user)
    cancel_drop_ship_orders(order=order, user=user)
    save_transition(order, from_status=from_status, user=user, note=reason)
    if from_status != Status.DRAFT:
        queue_order_emails([("order_cancelled", order)], user=user)
    return order


@order_service
def order_hold(*, order_id: int, user=None, reason: str = "") -> Order:
    """Put an open order on hold; it keeps its allocations and remembers where it was."""
    order = lock_order(order_id)
    from_status = order.status
    run_transition(order, "hold", user=user)
    save_transition(order, from_status=from_status, user=user, note=reason)
    return order


@order_service
def order_release(*, order_id: int, user=None, note: str = "") -> Order:
    """Take an order off hold, back to the state it left.

    An order that was waiting for stock is served at once from what arrived
    while it was held (held orders are passed over when stock comes in).
    """
    order = lock_order(order_id)
    from_status = order.status
    run_transition(order, "release", user=user)
    save_transition(order, from_status=from_status, user=user, note=note)
    if order.status == Status.BACKORDERED:
        _, backordered = allocate_lines(order=order, user=user)
        if not backordered:
            order.mark_allocated()
            save_transition(
                order,
                from_status=Status.BACKORDERED,
                user=user,
                note="Stock arrived while the order was on hold",
            )
    return order
