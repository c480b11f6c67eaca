"""Creating, editing and moving an order through its states."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from inventory import services as inventory_services
from inventory.models import Product
from oms.errors import Conflict, InvalidInput, TransitionRefused
from oms.services import require_perm, whole_number
from orders.events import order_event
from orders.models import Address, Customer, Order, OrderEvent, OrderLine, Payment
from orders.notifications import queue_order_emails
from orders.services.allocation import (
    allocate_lines,
    cancel_drop_ship_orders,
    confirm_lines,
    release_allocations,
)
from orders.services.base import (
    LineInput,
    StaleEdit,
    Status,
    assign_number,
    lock_order,
    order_service,
    parse_money,
    recalculate_totals,
    remember_related,
    run_transition,
    save_transition,
    status_label,
)
from orders.services.customers import address_from_data
from orders.signals import order_cancelled


def _resolve_lines(lines: Sequence[LineInput | dict]) -> list[tuple[Product, int]]:
    if not lines:
        raise InvalidInput("An order needs at least one line.", field="lines", code="empty_order")
    wanted: list[tuple[str, object]] = []
    for line in lines:
        if isinstance(line, dict):
            wanted.append((str(line.get("sku") or "").strip(), line.get("quantity")))
        else:
            wanted.append((line.sku.strip(), line.quantity))
    by_sku = {p.sku: p for p in Product.objects.filter(sku__in={sku for sku, _ in wanted})}
    errors: dict[str, list[str]] = {}
    resolved: list[tuple[Product, int]] = []
    for index, (sku, quantity) in enumerate(wanted):
        product = by_sku.get(sku) or Product.objects.filter(sku__iexact=sku).first()
        if product is None:
            errors[f"lines[{index}].sku"] = [f"There is no product with SKU {sku!r}."]
            continue
        if not product.is_active:
            errors[f"lines[{index}].sku"] = [f"{product.sku} {product.name} is no longer sold."]
            continue
        try:
            qty = whole_number(quantity, field=f"lines[{index}].quantity")
        except InvalidInput as error:
            errors.update(error.errors)
            continue
        resolved.append((product, qty))
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], errors=errors, code="bad_lines")
    return resolved


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
) -> Order:
    """Create an order with its lines (prices and names snapshotted), as a draft or placed.

    The order comes back with its lines, payments and events loaded, as
    prefetch_related would leave them: call refresh_from_db() before reading them after later changes.
    """
    require_perm(user, "orders.add_order", "Only sales reps and managers create orders.")
    if channel not in Order.Channel.values:
        raise InvalidInput(
            f"Unknown channel {channel!r}: use one of {', '.join(Order.Channel.values)}.",
            field="channel",
        )
    if ship_policy not in Order.ShipPolicy.values:
        raise InvalidInput("Ship policy must be 'partial' or 'complete'.", field="ship_policy")
    external_reference = (external_reference or "").strip()
    resolved = _resolve_lines(lines)
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
        shipping_method=shipping_method,
        shipping_price=shipping_price,
        ship_policy=ship_policy,
        priority=priority,
        is_vip=customer.is_vip if is_vip is None else is_vip,
        notes=notes,
        currency=(currency or "GBP").upper(),
        created_by=user if getattr(user, "pk", None) else None,
    )
    lines = [
        OrderLine(
            product=product,
            sku=product.sku,
            name=product.name,
            unit_price=product.price,
            quantity=qty,
            is_drop_ship=product.is_drop_ship,
            position=index,
        )
        for index, (product, qty) in enumerate(resolved)
    ]
    order.subtotal = sum((line.line_total for line in lines), Decimal("0")).quantize(
        Decimal("0.01")
    )
    order.total = order.subtotal + order.shipping_price
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
    remember_related(order, "lines", lines)
    remember_related(order, "payments", [])
    remember_related(order, "events", events)
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
    _check_placeable(order, has_lines=order.lines.exists())
    order.placed_at = timezone.now()
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
    paid = sum((p.amount for p in earlier), Decimal("0"))
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
    remember_related(order, "payments", payments)
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

    Other apps hear of it through ``orders.signals.order_cancelled``, sent in
    this transaction before the allocations are released (the warehouse
    cancels the order's open shipments), so the cancel and what they do
    commit together or not at all.
    """
    order = lock_order(order_id)
    from_status = order.status
    if order.lines.filter(quantity_shipped__gt=0).exists():
        raise TransitionRefused(f"Order {order} has already shipped goods: it cannot be cancelled.")
    run_transition(order, "cancel", user=user)
    order_cancelled.send(sender=Order, order=order, user=user, reason=reason)
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


EDITABLE_FIELDS = {
    "shipping_address",
    "billing_address",
    "shipping_method",
    "shipping_price",
    "notes",
    "priority",
    "is_vip",
    "ship_policy",
    "lines",
}


LINE_EDIT_STATES = {Status.DRAFT, Status.PLACED}


ADDRESS_EDIT_STATES = {
    Status.DRAFT,
    Status.PLACED,
    Status.CONFIRMED,
    Status.ALLOCATED,
    Status.BACKORDERED,
    Status.ON_HOLD,
}


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


@order_service
def order_update(
    *, order_id: int, user=None, expected_version: int | None = None, **changes
) -> Order:
    """Edit an order's shipping details, notes or lines, refusing a stale edit.

    Lines can change only while nothing is allocated (draft or placed); the
    shipping address until the order ships.
    """
    require_perm(user, "orders.change_order", "Only sales reps and managers edit orders.")
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise InvalidInput(f"These fields cannot be edited: {', '.join(sorted(unknown))}.")
    order = lock_order(order_id)
    _check_version(order, expected_version)
    changed: list[str] = []
    if "lines" in changes:
        if order.status not in LINE_EDIT_STATES:
            raise TransitionRefused(
                f"Order {order} is {status_label(order.status)}: its lines can no longer be "
                f"changed. Cancel it and take a new order instead.",
                code="lines_locked",
            )
        resolved = _resolve_lines(changes.pop("lines"))
        old = [(line.sku, line.quantity) for line in order.lines.order_by("position", "pk")]
        new = [(product.sku, qty) for product, qty in resolved]
        if old != new:
            _replace_lines(order, resolved)
            changed.append("lines: " + ", ".join(f"{q} × {s}" for s, q in new))
    for name in ("shipping_address", "billing_address"):
        if name in changes:
            if order.status not in ADDRESS_EDIT_STATES:
                raise TransitionRefused(
                    f"Order {order} is {status_label(order.status)}: the address can no "
                    f"longer be changed.",
                    code="address_locked",
                )
            new_address = address_from_data(changes.pop(name), field=name, customer=order.customer)
            current = getattr(order, name)
            if new_address is not None and (current is None or not current.same_as(new_address)):
                setattr(order, name, new_address)
                changed.append(name.replace("_", " "))
    if "shipping_price" in changes:
        price = parse_money(
            changes.pop("shipping_price"), field="shipping_price", label="Shipping price"
        )
        if price < 0:
            raise InvalidInput("Shipping price cannot be negative.", field="shipping_price")
        if price != order.shipping_price:
            order.shipping_price = price
            changed.append("shipping price")
    if "ship_policy" in changes:
        policy = changes.pop("ship_policy")
        if policy not in Order.ShipPolicy.values:
            raise InvalidInput("Ship policy must be 'partial' or 'complete'.", field="ship_policy")
        if policy != order.ship_policy:
            order.ship_policy = policy
            changed.append("ship policy")
    for name, value in changes.items():
        if name == "priority":
            value = int(value)
        if getattr(order, name) != value:
            setattr(order, name, value)
            changed.append(name.replace("_", " "))
    if not changed:
        return order
    recalculate_totals(order)
    order.version += 1
    order.save()
    order_event(
        order=order, type=OrderEvent.Type.UPDATED, user=user, note="Changed " + "; ".join(changed)
    )
    return order


# States from which a drop-ship supplier's shipment can be recorded.
DROP_SHIP_STATES = {
    Status.ALLOCATED,
    Status.BACKORDERED,
    Status.PROCESSING,
    Status.PARTIALLY_SHIPPED,
}


@order_service
def order_line_drop_shipped(
    *, order_id: int, purchase_order_id: int, carrier: str, tracking_number: str, user=None
) -> Order:
    """Record that a drop-ship supplier shipped its part of an order to the customer.

    The purchase order becomes received (no stock moves); the order's drop-ship
    lines for its products count as shipped; the timeline gets a SHIPMENT event
    with carrier and tracking. The order becomes shipped when nothing else is
    left to ship, partially shipped otherwise. Refused: no tracking number or
    carrier (400); an order on hold, cancelled or not yet confirmed, a purchase
    order raised for another order or already closed (409).
    """
    require_perm(
        user,
        "inventory.receive_purchaseorder",
        "Only warehouse staff and managers record supplier shipments.",
    )
    carrier, tracking_number = (carrier or "").strip(), (tracking_number or "").strip()
    if not tracking_number:
        raise InvalidInput("Enter the tracking number the supplier gave.", field="tracking_number")
    if not carrier:
        raise InvalidInput("Enter the carrier that took the parcel.", field="carrier")
    order = lock_order(order_id)
    if order.status not in DROP_SHIP_STATES:
        raise TransitionRefused(
            f"Order {order} is {status_label(order.status)}: a shipment cannot be recorded "
            "on it now.",
            code="illegal_transition",
        )
    po = inventory_services.purchase_order_drop_shipped(
        purchase_order_id=purchase_order_id,
        carrier=carrier,
        tracking_number=tracking_number,
        user=user,
        customer_reference=order.number,
    )
    products = set(po.lines.values_list("product_id", flat=True))
    lines = list(order.lines.order_by("pk"))
    shipped = []
    for line in lines:
        if line.is_drop_ship and line.product_id in products:
            quantity = line.quantity - line.quantity_shipped - line.quantity_allocated
            if quantity > 0:
                line.quantity_shipped += quantity
                line.quantity_backordered = 0
                shipped.append((line, quantity))
    if not shipped:
        raise Conflict(f"Order {order} has nothing left to ship from {po}.", code="nothing_to_ship")
    OrderLine.objects.bulk_update(
        [line for line, _ in shipped], ["quantity_shipped", "quantity_backordered"]
    )
    items = ", ".join(f"{quantity} × {line.sku}" for line, quantity in shipped)
    order_event(
        order=order,
        type=OrderEvent.Type.SHIPMENT,
        user=user,
        note=f"Shipped by {po.supplier.name} ({po}) with {carrier}, tracking "
        f"{tracking_number}: {items}",
        data={
            "purchase_order": po.number,
            "purchase_order_id": po.pk,
            "carrier": carrier,
            "tracking_number": tracking_number,
            "drop_ship": True,
            "lines": [{"line_id": line.pk, "quantity": quantity} for line, quantity in shipped],
        },
    )
    before = order.status
    everything_shipped = all(line.quantity_shipped >= line.quantity for line in lines)
    if everything_shipped:
        run_transition(order, "mark_shipped", user=user, check_perm=False)
    elif order.status != Status.PARTIALLY_SHIPPED:
        run_transition(order, "mark_partially_shipped", user=user, check_perm=False)
    if order.status != before:
        save_transition(order, from_status=before, user=user, note=f"Drop-ship {po} shipped")
    else:
        order.version += 1
        order.save(update_fields=["version", "updated_at"])
    return order
