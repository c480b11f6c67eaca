"""Every write to orders: creating, editing, and moving an order through its states.

A service locks the order row, checks the role and the state machine, runs the
django-fsm transition (fields only), saves, writes the timeline event and queues
side effects after commit. Locks are always taken order rows first (by pk), then
stock rows (by pk, inside inventory.services), so two services never wait on each
other in a circle.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_fsm import can_proceed, has_transition_perm

from inventory import services as inventory_services
from inventory.models import Location, Product
from oms.errors import Conflict, InvalidInput, NotAllowed, NotFound, TransitionRefused
from oms.services import require_perm, whole_number
from orders.events import order_event
from orders.models import Address, Customer, LineAllocation, Order, OrderEvent, OrderLine, Payment
from orders.notifications import queue_order_email

Status = Order.Status
ADDRESS_FIELDS = [
    "name",
    "company",
    "line1",
    "line2",
    "city",
    "region",
    "postal_code",
    "country",
    "phone",
]


@dataclass(frozen=True)
class LineInput:
    sku: str
    quantity: int | str


# --- helpers -------------------------------------------------------------------------------------


def lock_order(order_id: int) -> Order:
    """Return the order row locked for this transaction, or refuse with NotFound."""
    order = Order.objects.select_for_update(of=("self",)).filter(pk=order_id).first()
    if order is None:
        raise NotFound("That order does not exist.", code="unknown_order")
    return order


def _status_label(value: str) -> str:
    return Status(value).label.lower() if value in Status.values else value


def _run_transition(order: Order, name: str, *, user, check_perm: bool = True):
    """Run a django-fsm transition by name, refusing in plain words when it is not allowed."""
    method = getattr(order, name)
    if not can_proceed(method):
        raise TransitionRefused(
            f"Order {order} is {_status_label(order.status)}: it cannot be "
            f"{_TRANSITION_WORDS.get(name, name)} now.",
            code="illegal_transition",
        )
    if check_perm and user is not None and not has_transition_perm(method, user):
        raise NotAllowed(f"Your role does not allow you to {name} orders.")
    return method()


_TRANSITION_WORDS = {
    "place": "placed",
    "confirm": "confirmed",
    "cancel": "cancelled",
    "hold": "put on hold",
    "release": "released from hold",
    "complete": "completed",
    "mark_delivered": "delivered",
}


def _money(value, *, field: str, label: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidInput(f"{label} must be an amount such as 19.80.", field=field) from None
    if not amount.is_finite():
        raise InvalidInput(f"{label} must be an amount such as 19.80.", field=field)
    if amount.as_tuple().exponent < -2:
        raise InvalidInput(f"{label} can have at most two decimals.", field=field)
    return amount.quantize(Decimal("0.01"))


def _address(
    data: dict | Address | None, *, field: str, customer: Customer | None
) -> Address | None:
    if data is None or data == {}:
        return None
    if isinstance(data, Address):
        data = {f: getattr(data, f) for f in ADDRESS_FIELDS}
    unknown = set(data) - set(ADDRESS_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown address field(s): {', '.join(sorted(unknown))}.", field=field)
    errors = {}
    for required, label in [
        ("name", "name"),
        ("line1", "first address line"),
        ("city", "city"),
        ("country", "country"),
    ]:
        if not str(data.get(required) or "").strip():
            errors[f"{field}.{required}"] = [f"Enter the {label}."]
    country = str(data.get("country") or "").strip().upper()
    if country and (len(country) != 2 or not country.isalpha()):
        errors[f"{field}.country"] = ["Use the two-letter country code, for example GB."]
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], errors=errors)
    clean = {f: str(data.get(f) or "").strip() for f in ADDRESS_FIELDS}
    clean["country"] = country
    return Address.objects.create(customer=customer, **clean)


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


def _recalculate(order: Order) -> None:
    subtotal = sum((line.unit_price * line.quantity for line in order.lines.all()), Decimal("0"))
    order.subtotal = subtotal.quantize(Decimal("0.01"))
    order.total = order.subtotal + order.shipping_price


def _assign_number(order: Order) -> None:
    order.number = f"SO-{order.pk:06d}"
    Order.objects.filter(pk=order.pk).update(number=order.number)


# --- customers -----------------------------------------------------------------------------------


@transaction.atomic
def customer_get_or_create(
    *, email: str = "", name: str = "", phone: str = "", user=None, is_vip: bool = False
) -> Customer:
    """Find a customer by email (case-insensitive), or create one."""
    email = (email or "").strip()
    name = (name or "").strip()
    if email:
        customer = Customer.objects.filter(email__iexact=email).first()
        if customer:
            return customer
    if not name:
        raise InvalidInput("Enter the customer's name.", field="customer.name")
    customer = Customer(name=name, email=email, phone=(phone or "").strip(), is_vip=is_vip)
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError:
        customer = Customer.objects.get(email__iexact=email)
    return customer


CUSTOMER_FIELDS = {
    "name",
    "email",
    "phone",
    "is_vip",
    "notes",
    "default_shipping_address",
    "default_billing_address",
}


def _customer_fields(customer: Customer, fields: dict) -> None:
    unknown = set(fields) - CUSTOMER_FIELDS
    if unknown:
        raise InvalidInput(f"These fields cannot be set: {', '.join(sorted(unknown))}.")
    for name in ("name", "email", "phone", "notes"):
        if name in fields:
            setattr(customer, name, str(fields[name] or "").strip())
    if "is_vip" in fields:
        customer.is_vip = bool(fields["is_vip"])
    if not customer.name:
        raise InvalidInput("Enter the customer's name.", field="name")
    if (
        customer.email
        and Customer.objects.filter(email__iexact=customer.email).exclude(pk=customer.pk).exists()
    ):
        raise Conflict(
            f"A customer with email {customer.email} already exists.",
            field="email",
            code="duplicate_email",
        )


def _save_customer(customer: Customer, fields: dict) -> Customer:
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError as error:
        raise Conflict(
            f"A customer with email {customer.email} already exists.",
            field="email",
            code="duplicate_email",
        ) from error
    changed = []
    for name in ("default_shipping_address", "default_billing_address"):
        if fields.get(name):
            setattr(customer, name, _address(fields[name], field=name, customer=customer))
            changed.append(name)
    if changed:
        customer.save(update_fields=[*changed, "updated_at"])
    return customer


@transaction.atomic
def customer_create(*, user=None, **fields) -> Customer:
    """Create a customer; the email, when given, must not belong to another customer."""
    require_perm(user, "orders.add_customer", "Only sales reps and managers add customers.")
    customer = Customer()
    _customer_fields(customer, fields)
    return _save_customer(customer, fields)


@transaction.atomic
def customer_update(*, customer_id: int, user=None, **fields) -> Customer:
    """Change a customer's details or default addresses (old addresses stay on old orders)."""
    require_perm(user, "orders.change_customer", "Only sales reps and managers edit customers.")
    customer = Customer.objects.select_for_update(of=("self",)).filter(pk=customer_id).first()
    if customer is None:
        raise NotFound("That customer does not exist.", code="unknown_customer")
    _customer_fields(customer, fields)
    return _save_customer(customer, fields)


# --- orders --------------------------------------------------------------------------------------


@transaction.atomic
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
    """Create an order with its lines (prices and names snapshotted), as a draft or placed."""
    require_perm(user, "orders.add_order", "Only sales reps and managers create orders.")
    if channel not in Order.Channel.values:
        raise InvalidInput(
            f"Unknown channel {channel!r}: use one of {', '.join(Order.Channel.values)}.",
            field="channel",
        )
    if ship_policy not in Order.ShipPolicy.values:
        raise InvalidInput("Ship policy must be 'partial' or 'complete'.", field="ship_policy")
    external_reference = (external_reference or "").strip()
    if (
        external_reference
        and Order.objects.filter(channel=channel, external_reference=external_reference).exists()
    ):
        raise Conflict(
            f"A {channel} order with reference {external_reference} already exists.",
            field="external_reference",
            code="duplicate_reference",
        )
    resolved = _resolve_lines(lines)
    shipping_price = _money(shipping_price, field="shipping_price", label="Shipping price")
    if shipping_price < 0:
        raise InvalidInput("Shipping price cannot be negative.", field="shipping_price")
    ship_to = _address(shipping_address, field="shipping_address", customer=customer)
    if ship_to is None and customer.default_shipping_address_id:
        ship_to = _address(
            customer.default_shipping_address, field="shipping_address", customer=customer
        )
    bill_to = _address(billing_address, field="billing_address", customer=customer) or ship_to
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
    try:
        with transaction.atomic():
            order.save()
    except IntegrityError as error:
        raise Conflict(
            f"A {channel} order with reference {external_reference} already exists.",
            field="external_reference",
            code="duplicate_reference",
        ) from error
    _assign_number(order)
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=order,
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
    )
    _recalculate(order)
    order.save(update_fields=["subtotal", "total", "updated_at"])
    order_event(
        order=order,
        type=OrderEvent.Type.CREATED,
        user=user,
        to_status=order.status,
        note=f"{channel} order with {len(resolved)} line(s)",
    )
    if place:
        order = order_place(order_id=order.pk, user=user)
    return order


@transaction.atomic
def order_place(*, order_id: int, user=None) -> Order:
    """Move a draft to placed: the order is now the customer's commitment."""
    order = lock_order(order_id)
    from_status = order.status
    _run_transition(order, "place", user=user)
    if not order.lines.exists():
        raise InvalidInput("An order needs at least one line.", field="lines", code="empty_order")
    if order.shipping_address_id is None:
        raise InvalidInput(
            "Enter a shipping address before placing the order.", field="shipping_address"
        )
    order.placed_at = timezone.now()
    order.version += 1
    order.save()
    order_event(
        order=order,
        type=OrderEvent.Type.STATUS,
        user=user,
        from_status=from_status,
        to_status=order.status,
    )
    return order


def _record_payment(*, order: Order, payment: dict, user) -> Payment:
    method = str(payment.get("method") or "").strip()
    if method not in Payment.Method.values:
        raise InvalidInput(
            f"Unknown payment method {method!r}: use one of {', '.join(Payment.Method.values)}.",
            field="payment.method",
        )
    amount = _money(payment.get("amount"), field="payment.amount", label="Payment amount")
    if amount <= 0:
        raise InvalidInput("Payment amount must be more than zero.", field="payment.amount")
    currency = str(payment.get("currency") or order.currency).upper()
    if currency != order.currency:
        raise InvalidInput(
            f"The order is in {order.currency}; a payment in {currency} cannot be recorded.",
            field="payment.currency",
        )
    paid = sum((p.amount for p in order.payments.all()), Decimal("0"))
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


def _allocate_lines(*, order: Order, user) -> tuple[int, int]:
    """Allocate every stocked line's open quantity; return (allocated, backordered) units.

    Writes in bulk (allocation rows, lines, events), so a long order costs the
    same number of statements as a short one.
    """
    lines = [
        line
        for line in order.lines.select_related("product").order_by("pk")
        if not line.is_drop_ship and line.quantity_open > 0
    ]
    if not lines:
        return 0, 0
    result = inventory_services.stock_allocate_many(
        requests=[(line.product, line.quantity_open) for line in lines]
    )
    rows = {
        (row.line_id, row.location_id): row
        for row in LineAllocation.objects.filter(line__in=[line.pk for line in lines])
    }
    new_rows: list[LineAllocation] = []
    grown: dict[int, LineAllocation] = {}
    events: list[OrderEvent] = []
    event_user = user if getattr(user, "pk", None) else None
    allocated_units = backordered_units = 0
    used: dict[int, int] = {}
    for line in lines:
        pool = result.get(line.product_id, [])
        want = line.quantity_open
        got = 0
        # Several lines of one product share the product's allocations in line order.
        for slice_ in pool:
            already = used.get(slice_.stock_level_id, 0)
            free = slice_.quantity - already
            take = min(free, want - got)
            if take <= 0:
                continue
            used[slice_.stock_level_id] = already + take
            got += take
            row = rows.get((line.pk, slice_.location_id))
            if row is None:
                row = LineAllocation(line=line, location_id=slice_.location_id, quantity=take)
                rows[(line.pk, slice_.location_id)] = row
                new_rows.append(row)
            else:
                row.quantity += take
                if row.pk:
                    grown[row.pk] = row
        line.quantity_allocated += got
        line.quantity_backordered = line.quantity - line.quantity_shipped - line.quantity_allocated
        allocated_units += got
        backordered_units += line.quantity_backordered
        if got:
            events.append(
                OrderEvent(
                    order=order,
                    type=OrderEvent.Type.ALLOCATED,
                    user=event_user,
                    note=f"{got} × {line.sku} allocated",
                    data={"line_id": line.pk, "quantity": got},
                )
            )
        if line.quantity_backordered:
            events.append(
                OrderEvent(
                    order=order,
                    type=OrderEvent.Type.BACKORDERED,
                    user=event_user,
                    note=f"{line.quantity_backordered} × {line.sku} backordered",
                    data={"line_id": line.pk, "quantity": line.quantity_backordered},
                )
            )
    if new_rows:
        LineAllocation.objects.bulk_create(new_rows)
    if grown:
        LineAllocation.objects.bulk_update(list(grown.values()), ["quantity"])
    OrderLine.objects.bulk_update(lines, ["quantity_allocated", "quantity_backordered"])
    if events:
        OrderEvent.objects.bulk_create(events)
    return allocated_units, backordered_units


@transaction.atomic
def order_confirm(*, order_id: int, user=None, payment: dict | None = None) -> Order:
    """Confirm a placed order: record the payment, then allocate stock or backorder."""
    order = lock_order(order_id)
    from_status = order.status
    _run_transition(order, "confirm", user=user)
    if payment:
        _record_payment(order=order, payment=payment, user=user)
    order.confirmed_at = timezone.now()
    order.save()
    order_event(
        order=order,
        type=OrderEvent.Type.STATUS,
        user=user,
        from_status=from_status,
        to_status=order.status,
    )
    _allocate_lines(order=order, user=user)
    has_backorder = order.lines.filter(quantity_backordered__gt=0).exists()
    before = order.status
    if has_backorder:
        order.mark_backordered()
    else:
        order.mark_allocated()
    order.version += 1
    order.save()
    order_event(
        order=order,
        type=OrderEvent.Type.STATUS,
        user=user,
        from_status=before,
        to_status=order.status,
    )
    queue_order_email("order_confirmation", order.pk)
    if has_backorder:
        queue_order_email("backorder_delay", order.pk)
        queue_order_email("backorder_alert", order.pk)
    return order


def _release_allocations(*, order: Order, user) -> int:
    released = 0
    rows = (
        LineAllocation.objects.filter(line__order=order, quantity__gt=0)
        .select_related("line", "line__product", "location")
        .order_by("location_id", "pk")
    )
    for row in rows:
        inventory_services.stock_release(
            product=row.line.product, location=row.location, quantity=row.quantity
        )
        released += row.quantity
        LineAllocation.objects.filter(pk=row.pk).update(quantity=0)
    order.lines.update(quantity_allocated=0, quantity_backordered=0)
    if released:
        order_event(
            order=order,
            type=OrderEvent.Type.RELEASED,
            user=user,
            note=f"{released} unit(s) returned to stock",
        )
    return released


@transaction.atomic
def order_cancel(*, order_id: int, user=None, reason: str = "") -> Order:
    """Cancel an order that has not shipped, releasing its allocations."""
    order = lock_order(order_id)
    from_status = order.status
    if order.lines.filter(quantity_shipped__gt=0).exists():
        raise TransitionRefused(f"Order {order} has already shipped goods: it cannot be cancelled.")
    _run_transition(order, "cancel", user=user)
    _release_allocations(order=order, user=user)
    order.version += 1
    order.save()
    order_event(
        order=order,
        type=OrderEvent.Type.STATUS,
        user=user,
        from_status=from_status,
        to_status=order.status,
        note=reason,
    )
    if from_status != Status.DRAFT:
        queue_order_email("order_cancelled", order.pk)
    return order


@transaction.atomic
def order_hold(*, order_id: int, user=None, reason: str = "") -> Order:
    """Put an open order on hold; it keeps its allocations and remembers where it was."""
    order = lock_order(order_id)
    from_status = order.status
    _run_transition(order, "hold", user=user)
    order.version += 1
    order.save()
    order_event(
        order=order,
        type=OrderEvent.Type.STATUS,
        user=user,
        from_status=from_status,
        to_status=order.status,
        note=reason,
    )
    return order


@transaction.atomic
def order_release(*, order_id: int, user=None, note: str = "") -> Order:
    """Take an order off hold, back to the state it left."""
    order = lock_order(order_id)
    from_status = order.status
    _run_transition(order, "release", user=user)
    order.version += 1
    order.save()
    order_event(
        order=order,
        type=OrderEvent.Type.STATUS,
        user=user,
        from_status=from_status,
        to_status=order.status,
        note=note,
    )
    return order


def order_location_allocations(order: Order) -> dict[int, list[tuple[Location, int]]]:
    """Return, per line id, the bins and quantities allocated to it."""
    rows = LineAllocation.objects.filter(line__order=order, quantity__gt=0).select_related(
        "location", "location__warehouse"
    )
    result: dict[int, list[tuple[Location, int]]] = {}
    for row in rows:
        result.setdefault(row.line_id, []).append((row.location, row.quantity))
    return result


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


class StaleEdit(Conflict):
    """Someone else changed the order since the editor loaded it."""

    default_code = "stale"


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


@transaction.atomic
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
                f"Order {order} is {_status_label(order.status)}: its lines can no longer be "
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
                    f"Order {order} is {_status_label(order.status)}: the address can no "
                    f"longer be changed.",
                    code="address_locked",
                )
            new_address = _address(changes.pop(name), field=name, customer=order.customer)
            current = getattr(order, name)
            if new_address is not None and (current is None or not current.same_as(new_address)):
                setattr(order, name, new_address)
                changed.append(name.replace("_", " "))
    if "shipping_price" in changes:
        price = _money(
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
    _recalculate(order)
    order.version += 1
    order.save()
    order_event(
        order=order, type=OrderEvent.Type.UPDATED, user=user, note="Changed " + "; ".join(changed)
    )
    return order


def backorder_priority(order: Order):
    """Sort key for serving backorders: VIP first, then higher priority, then oldest."""
    return (not order.is_vip, -order.priority, order.placed_at or order.created_at, order.pk)


@transaction.atomic
def allocate_backorders(*, product_ids: Sequence[int], user=None) -> list[Order]:
    """Serve waiting lines for these products from stock now available.

    Backordered orders are locked in primary-key order, then all stock rows of
    their products (also by pk), and only then served in priority order (VIP
    first, then oldest), so this never deadlocks with order confirmations.
    Returns the orders that got stock.
    """
    waiting = OrderLine.objects.filter(
        product_id__in=list(product_ids),
        quantity_backordered__gt=0,
        order__status=Status.BACKORDERED,
    ).values("order_id")
    orders = list(
        Order.objects.select_for_update(of=("self",)).filter(pk__in=waiting).order_by("pk")
    )
    if not orders:
        return []
    products = set(
        OrderLine.objects.filter(order__in=orders, quantity_backordered__gt=0).values_list(
            "product_id", flat=True
        )
    )
    inventory_services.stock_lock_products(product_ids=sorted(products))
    served = []
    for order in sorted(orders, key=backorder_priority):
        allocated, backordered = _allocate_lines(order=order, user=user)
        if not allocated:
            continue
        served.append(order)
        if backordered == 0:
            before = order.status
            order.mark_allocated()
            order.version += 1
            order.save()
            order_event(
                order=order,
                type=OrderEvent.Type.STATUS,
                user=user,
                from_status=before,
                to_status=order.status,
                note="Stock arrived for every backordered line",
            )
        else:
            order.version += 1
            order.save(update_fields=["version", "updated_at"])
    return served
