"""Refunds: asked for by sales, approved by a manager, paid with the provider's reference.

A refund never takes more than was paid on the order minus what other
refunds (waiting, approved or paid) take, counted with the order row
locked: two refunds racing past what was paid cannot both pass. Paying
issues the credit note: numbered, dated, net/tax/gross, never changed.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import timezone

from oms import numbers, tax
from oms.errors import Conflict, InvalidInput, NotAllowed
from oms.services import MAX_MONEY, id_or_none, require_perm, service, whole_number
from orders import services as order_services
from orders.models import OrderLine
from returns import selectors
from returns.models import CreditNote, Refund, RefundLine, Return, ReturnLine
from returns.notifications import queue_return_email
from returns.services.base import lock_refund, lock_return, record, run_transition, text
from returns.services.requests import _order_pk, close_if_settled

CENT = Decimal("0.01")
TIMES = "\u00d7"


def money(value, *, field: str, label: str) -> Decimal:
    """Return an amount of money with at most two decimals, or refuse it in plain words."""
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidInput(f"{label} must be an amount such as 9.90.", field=field) from None
    if not amount.is_finite() or amount.as_tuple().exponent < -2:
        raise InvalidInput(f"{label} must be an amount such as 9.90.", field=field)
    if amount < 0:
        raise InvalidInput(f"{label} cannot be negative.", field=field)
    if amount > MAX_MONEY:
        raise InvalidInput(f"{label} cannot be more than {MAX_MONEY:,}.", field=field)
    return amount.quantize(CENT)


def unit_gross(line: OrderLine, *, included: bool) -> Decimal:
    """Return what the customer paid for one unit of an order line, tax included."""
    if included or not line.quantity:
        return line.unit_price
    return (line.unit_price * line.quantity + line.tax_amount) / line.quantity


def line_refund_amount(line: OrderLine, quantity: int, *, included: bool) -> Decimal:
    return (unit_gross(line, included=included) * quantity).quantize(CENT, ROUND_HALF_UP)


@service
def refund_request(
    *,
    order_id,
    user=None,
    return_id=None,
    lines=None,
    amount=None,
    shipping_amount="0",
    method: str = Refund.Method.ORIGINAL,
    reason: str = "",
) -> Refund:
    """Ask for a refund on an order, tied to a return and its lines or (managers) goodwill.

    ``lines``: [{"return_line": id, "quantity": n}] of received units not
    refunded yet; ``amount`` defaults to what those units cost plus
    ``shipping_amount``. Refused: more than was paid minus what refunds
    already take, a return that is requested or void, units not received.
    """
    require_perm(user, "returns.add_refund", "Only sales reps and managers ask for refunds.")
    order = order_services.lock_order(_order_pk(order_id))
    rma = None
    if return_id not in (None, ""):
        pk = id_or_none(return_id)
        if pk is None or not Return.objects.filter(pk=pk, order=order).exists():
            raise InvalidInput(f"That return is not on order {order}.", field="return")
        rma, _ = lock_return(pk)
        if rma.status in Return.VOID or rma.status in (
            Return.Status.REQUESTED,
            Return.Status.CLOSED,
        ):
            raise Conflict(
                f"Return {rma} is {rma.get_status_display().lower()}: no refund can be made on it.",
                code="return_not_refundable",
            )
    elif user is not None and not user.has_perm("returns.goodwill_refund"):
        raise NotAllowed("Only managers refund without a return.")
    if method not in Refund.Method.values:
        raise InvalidInput("Choose how the money goes back.", field="method")
    reason = text(reason, field="reason", label="a reason", required=True, limit=255)
    shipping = money(shipping_amount or "0", field="shipping_amount", label="Shipping refunded")
    if shipping > order.shipping_price:
        raise InvalidInput(
            f"The shipping charged on order {order} was {order.shipping_price}.",
            field="shipping_amount",
        )
    wanted = _refund_lines(order, rma, lines or [])
    goods = sum((value for _, _, value in wanted), Decimal("0.00"))
    total = (
        goods + shipping if amount in (None, "") else money(amount, field="amount", label="Amount")
    )
    if total <= 0:
        raise InvalidInput("A refund must be more than zero.", field="amount")
    if total < shipping:
        raise InvalidInput(
            "The amount cannot be less than the shipping it includes.", field="amount"
        )
    paid, taken = selectors.amount_paid(order), selectors.amount_refunded(order)
    if total > paid - taken:
        raise Conflict(
            f"At most {max(paid - taken, Decimal('0.00'))} {order.currency} can be refunded on "
            f"order {order}: {paid} paid, {taken} already refunded or waiting.",
            field="amount",
            code="more_than_paid",
        )
    refund = Refund.objects.create(
        order=order,
        rma=rma,
        amount=total,
        shipping_amount=shipping,
        currency=order.currency,
        method=method,
        reason=reason,
        requested_by=user if getattr(user, "pk", None) else None,
    )
    numbers.assign_number(refund, "RF")
    RefundLine.objects.bulk_create(
        [RefundLine(refund=refund, return_line=line, quantity=q, amount=v) for line, q, v in wanted]
    )
    _news(refund, user=user, note=f"{refund} of {total} {order.currency} asked for: {reason}")
    return refund


def _refund_lines(order, rma, lines) -> list[tuple[ReturnLine, int, Decimal]]:
    if not isinstance(lines, list | tuple):
        raise InvalidInput("Lines must be a list.", field="lines")
    if lines and rma is None:
        raise InvalidInput("Refunded lines belong to a return: choose it.", field="return")
    if len(lines) > 500:
        raise InvalidInput("A refund has at most 500 lines.", field="lines")
    by_id = {line.pk: line for line in rma.lines.select_related("order_line")} if rma else {}
    done = selectors.refunded_units(by_id)
    out, seen = [], set()
    for index, raw in enumerate(lines):
        where = f"lines[{index}]"
        line = by_id.get(id_or_none(raw.get("return_line")) if isinstance(raw, dict) else None)
        if line is None or line.pk in seen:
            raise InvalidInput(
                f"That line is not on return {rma} (or is named twice).", field=where
            )
        seen.add(line.pk)
        quantity = whole_number(raw.get("quantity"), field=f"{where}.quantity")
        left = line.quantity_received - done.get(line.pk, 0)
        if quantity > left:
            raise Conflict(
                f"Only {max(left, 0)} {TIMES} {line.order_line.sku} received on {rma} are not "
                "refunded yet.",
                field=f"{where}.quantity",
                code="more_than_received",
            )
        value = line_refund_amount(line.order_line, quantity, included=order.prices_include_tax)
        out.append((line, quantity, value))
    return out


def _news(refund: Refund, *, user, note: str) -> None:
    if refund.rma_id:
        rma = refund.rma
        rma.order = refund.order
        record(rma, user=user, note=note, data={"refund": refund.pk})
    else:
        order_services.order_return_news(
            order=refund.order, note=note, data={"refund": refund.pk}, user=user
        )


@service
def refund_approve(*, refund_id, user=None) -> Refund:
    """Approve a waiting refund (managers only)."""
    require_perm(user, "returns.approve_refund", "Only managers approve refunds.")
    refund, _ = lock_refund(refund_id)
    run_transition(refund, "approve", what="Refund")
    refund.approved_by = user if getattr(user, "pk", None) else None
    refund.approved_at = timezone.now()
    refund.save()
    _news(refund, user=user, note=f"{refund} of {refund.amount} {refund.currency} approved")
    return refund


@service
def refund_reject(*, refund_id, reason: str, user=None) -> Refund:
    """Refuse a waiting refund, with the reason (managers only)."""
    require_perm(user, "returns.approve_refund", "Only managers reject refunds.")
    refund, _ = lock_refund(refund_id)
    run_transition(refund, "reject", what="Refund")
    refund.rejection_reason = text(
        reason, field="reason", label="a reason", required=True, limit=255
    )
    refund.save()
    _news(refund, user=user, note=f"{refund} rejected: {refund.rejection_reason}")
    _close_return(refund, user=user)
    return refund


@service
def refund_pay(*, refund_id, reference: str = "", user=None) -> Refund:
    """Record an approved refund as paid with the provider's reference; issue its credit note."""
    require_perm(user, "returns.pay_refund", "Only managers record refunds as paid.")
    refund, order = lock_refund(refund_id)
    if refund.status == Refund.Status.PENDING:
        raise Conflict(
            f"Refund {refund} is waiting for a manager's approval: approve it before paying it.",
            code="illegal_transition",
        )
    run_transition(refund, "pay", what="Refund")
    reference = text(reference, field="reference", label="the payment reference", limit=100)
    if not reference and refund.method not in (Refund.Method.CASH, Refund.Method.STORE_CREDIT):
        raise InvalidInput(
            "Give the payment provider's reference of the refund.", field="reference"
        )
    refund.provider_reference = reference
    refund.paid_by = user if getattr(user, "pk", None) else None
    refund.paid_at = timezone.now()
    refund.save()
    note = credit_note_issue(refund=refund, order=order)
    _news(
        refund,
        user=user,
        note=f"{refund} of {refund.amount} {refund.currency} paid "
        f"({reference or refund.get_method_display()}); credit note {note}",
    )
    queue_return_email("refund_paid", refund.rma or order, user=user, refund=refund, order=order)
    _close_return(refund, user=user)
    return refund


def _close_return(refund: Refund, *, user) -> None:
    if refund.rma_id:
        rma, _ = lock_return(refund.rma_id)
        close_if_settled(rma, user=user, note=f"{refund} settled")


def credit_note_lines(refund: Refund, order) -> list[dict]:
    """Split a refund into credit note lines (goods, shipping, goodwill), each net/tax/gross."""
    return credit_note_rows(
        [
            (line.return_line.order_line, line.quantity, line.amount)
            for line in refund.lines.select_related("return_line__order_line")
        ],
        shipping=refund.shipping_amount,
        shipping_rate=order.shipping_tax_rate,
        amount=refund.amount,
        reason=refund.reason,
    )


def credit_note_rows(
    goods, *, shipping: Decimal, shipping_rate: Decimal, amount: Decimal, reason: str
) -> list[dict]:
    """Return the credit note lines of a refund of ``amount``.

    ``goods`` are (order line, units, amount refunded for them): each is a
    line at its order line's tax rate; ``shipping`` is a line at the order's
    shipping rate; what is left of ``amount`` is goodwill, without tax.
    """
    rows = []
    for order_line, quantity, value in goods:
        part = tax.charge(value, order_line.tax_rate, included=True)
        rows.append(_row(f"{order_line.sku} {order_line.name}", quantity, part))
    if shipping:
        part = tax.charge(shipping, shipping_rate, included=True)
        rows.append(_row("Shipping", 1, part))
    rest = amount - sum((Decimal(row["gross"]) for row in rows), Decimal("0.00"))
    if rest:
        rows.append(
            _row(f"Goodwill: {reason}"[:200], 1, tax.charge(rest, Decimal("0"), included=True))
        )
    return rows


def credit_note_totals(rows: list[dict]) -> tuple[Decimal, Decimal]:
    """Return (net, tax) of credit note lines; their gross is the sum of both."""
    net = sum((Decimal(row["net"]) for row in rows), Decimal("0.00"))
    vat = sum((Decimal(row["tax"]) for row in rows), Decimal("0.00"))
    return net, vat


def _row(description: str, quantity: int, part: tax.Charge) -> dict:
    return {
        "description": description,
        "quantity": quantity,
        "rate": str(part.rate),
        "net": str(part.net),
        "tax": str(part.tax),
        "gross": str(part.gross),
    }


def credit_note_issue(*, refund: Refund, order) -> CreditNote:
    """Issue the credit note of a paid refund: its number, today's date, net/tax/gross."""
    rows = credit_note_lines(refund, order)
    net, vat = credit_note_totals(rows)
    note = CreditNote.objects.create(
        refund=refund,
        order=order,
        customer_id=order.customer_id,
        issued_on=timezone.localdate(),
        currency=refund.currency,
        net=net,
        tax=vat,
        gross=net + vat,
        lines=rows,
    )
    numbers.assign_number(note, "CN")
    return note
