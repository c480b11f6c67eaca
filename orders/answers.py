"""The order as every write of the API answers it, built by hand.

An order create, confirm or edit answers with the whole order (customer,
addresses, lines, payments, timeline). ``order_as_dict`` builds that answer
from the same field definitions as ``OrderSerializer``, which stays the
schema's description of it and serves the list and detail reads; a test
proves the two agree field for field. Building DRF's nested serializers on
every write costs more CPU than the SQL does: ``bench/order_internals.py``
measured 8 to 10 ms more per create + confirm with OrderSerializer, against
15 to 18 ms for the whole placement with it (two runs, this machine).
"""

from __future__ import annotations

from rest_framework import serializers

from orders.models import Address, Order
from orders.serializers import AddressSerializer, OrderSerializer

_MONEY = serializers.DecimalField(max_digits=12, decimal_places=2)
_LINE_TOTAL = serializers.DecimalField(max_digits=14, decimal_places=2)
_RATE = serializers.DecimalField(max_digits=5, decimal_places=4)
_TIME = serializers.DateTimeField()
_ADDRESS_FIELDS = AddressSerializer.Meta.fields
_ORDER_PLAIN = [
    "id",
    "number",
    "status",
    "channel",
    "external_reference",
    "shipping_method",
    "ship_policy",
    "priority",
    "is_vip",
    "notes",
    "currency",
    "version",
    "prices_include_tax",
    "tax_note",
]


def _time(value):
    return None if value is None else _TIME.to_representation(value)


def _address(address: Address | None) -> dict | None:
    if address is None:
        return None
    return {name: getattr(address, name) for name in _ADDRESS_FIELDS}


def order_as_dict(order: Order) -> dict:
    """Return the order as OrderSerializer shows it, built directly."""
    customer = order.customer
    data = {name: getattr(order, name) for name in _ORDER_PLAIN}
    data.update(
        customer={
            "id": customer.pk,
            "name": customer.name,
            "email": customer.email,
            "phone": customer.phone,
            "is_vip": customer.is_vip,
        },
        shipping_address=_address(order.shipping_address),
        billing_address=_address(order.billing_address),
        subtotal=_MONEY.to_representation(order.subtotal),
        shipping_price=_MONEY.to_representation(order.shipping_price),
        total=_MONEY.to_representation(order.total),
        tax_total=_MONEY.to_representation(order.tax_total),
        shipping_tax_rate=_RATE.to_representation(order.shipping_tax_rate),
        shipping_tax=_MONEY.to_representation(order.shipping_tax),
        placed_at=_time(order.placed_at),
        confirmed_at=_time(order.confirmed_at),
        lines=[
            {
                "id": line.pk,
                "sku": line.sku,
                "name": line.name,
                "unit_price": _MONEY.to_representation(line.unit_price),
                "quantity": line.quantity,
                "quantity_allocated": line.quantity_allocated,
                "quantity_backordered": line.quantity_backordered,
                "quantity_shipped": line.quantity_shipped,
                "quantity_returned": line.quantity_returned,
                "is_drop_ship": line.is_drop_ship,
                "line_total": _LINE_TOTAL.to_representation(line.line_total),
                "tax_rate": _RATE.to_representation(line.tax_rate),
                "tax_amount": _MONEY.to_representation(line.tax_amount),
            }
            for line in order.loaded_lines
        ],
        payments=[
            {
                "id": payment.pk,
                "method": payment.method,
                "amount": _MONEY.to_representation(payment.amount),
                "currency": payment.currency,
                "reference": payment.reference,
                "status": payment.status,
                "created_at": _time(payment.created_at),
            }
            for payment in order.loaded_payments
        ],
        events=[
            {
                "id": event.pk,
                "type": event.type,
                "from_status": event.from_status,
                "to_status": event.to_status,
                "note": event.note,
                "user": event.user.username if event.user_id else None,
                "created_at": _time(event.created_at),
            }
            for event in order.loaded_events
        ],
        created_at=_time(order.created_at),
        updated_at=_time(order.updated_at),
    )
    return {name: data[name] for name in OrderSerializer.Meta.fields}
