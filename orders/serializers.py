"""The shapes the orders API reads and writes.

Input serializers check shape only (types, required fields, lengths of
columns); every business rule (known SKUs, quantities, payments, states) is
the services' job, so the API and the staff pages refuse the same things
with the same words. Shape errors are reported per field with dotted paths
such as ``lines[0].quantity`` or ``customer.email``.
"""

from __future__ import annotations

from rest_framework import serializers

from oms.api_exceptions import flatten_errors, validated  # noqa: F401  (importable from here)
from oms.api_inputs import money, text, whole
from oms.services import MAX_QUANTITY
from orders.models import Address, Customer, Order, OrderEvent, OrderLine, Payment

MAX_ORDER_LINES = Order.MAX_LINES
LINES_CAP = f"An order can have at most {MAX_ORDER_LINES} lines."
REASON_LENGTH = 500


def _lines(**kwargs):
    return LineInputSerializer(
        many=True,
        max_length=MAX_ORDER_LINES,
        error_messages={"max_length": LINES_CAP},
        help_text=f"At most {MAX_ORDER_LINES} lines.",
        **kwargs,
    )


def provided(data: dict) -> dict:
    """Return the validated data as plain dicts (nested serializers give OrderedDicts)."""
    if isinstance(data, dict):
        return {key: provided(value) for key, value in data.items()}
    if isinstance(data, list):
        return [provided(item) for item in data]
    return data


# --- output ------------------------------------------------------------------------------------


class AddressSerializer(serializers.ModelSerializer):
    class Meta:
        model = Address
        fields = [
            "id",
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
        read_only_fields = fields


class CustomerSummarySerializer(serializers.ModelSerializer):
    email = serializers.CharField(read_only=True, help_text="Email, or blank.")

    class Meta:
        model = Customer
        fields = ["id", "name", "email", "phone", "is_vip"]
        read_only_fields = fields


class CustomerSerializer(serializers.ModelSerializer):
    """A customer with their default addresses."""

    email = serializers.CharField(read_only=True, help_text="Email, or blank.")
    default_shipping_address = AddressSerializer(read_only=True, allow_null=True)
    default_billing_address = AddressSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Customer
        fields = [
            "id",
            "name",
            "email",
            "phone",
            "is_vip",
            "notes",
            "tax_exempt_reference",
            "default_shipping_address",
            "default_billing_address",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class OrderLineSerializer(serializers.ModelSerializer):
    line_total = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        model = OrderLine
        fields = [
            "id",
            "sku",
            "name",
            "unit_price",
            "quantity",
            "quantity_allocated",
            "quantity_backordered",
            "quantity_shipped",
            "quantity_returned",
            "is_drop_ship",
            "line_total",
            "tax_rate",
            "tax_amount",
        ]
        read_only_fields = fields


class PaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Payment
        fields = ["id", "method", "amount", "currency", "reference", "status", "created_at"]
        read_only_fields = fields


class OrderEventSerializer(serializers.ModelSerializer):
    """One line of the order's timeline."""

    user = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = OrderEvent
        fields = ["id", "type", "from_status", "to_status", "note", "user", "created_at"]
        read_only_fields = fields


class OrderSerializer(serializers.ModelSerializer):
    """An order with its customer, addresses, lines, payments and timeline."""

    customer = CustomerSummarySerializer(read_only=True)
    shipping_address = AddressSerializer(read_only=True, allow_null=True)
    billing_address = AddressSerializer(read_only=True, allow_null=True)
    lines = OrderLineSerializer(many=True, read_only=True, source="loaded_lines")
    payments = PaymentSerializer(many=True, read_only=True, source="loaded_payments")
    events = OrderEventSerializer(many=True, read_only=True, source="loaded_events")

    class Meta:
        model = Order
        fields = [
            "id",
            "number",
            "status",
            "channel",
            "external_reference",
            "customer",
            "shipping_address",
            "billing_address",
            "shipping_method",
            "ship_policy",
            "priority",
            "is_vip",
            "notes",
            "currency",
            "subtotal",
            "shipping_price",
            "total",
            "prices_include_tax",
            "tax_total",
            "shipping_tax_rate",
            "shipping_tax",
            "tax_note",
            "version",
            "placed_at",
            "confirmed_at",
            "lines",
            "payments",
            "events",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


# --- input -------------------------------------------------------------------------------------


class AddressInputSerializer(serializers.Serializer):
    """A postal address; the services say which parts are missing."""

    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    company = serializers.CharField(max_length=200, required=False, allow_blank=True)
    line1 = serializers.CharField(max_length=200, required=False, allow_blank=True)
    line2 = serializers.CharField(max_length=200, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    region = serializers.CharField(max_length=100, required=False, allow_blank=True)
    postal_code = serializers.CharField(max_length=20, required=False, allow_blank=True)
    country = serializers.CharField(
        max_length=2, required=False, allow_blank=True, help_text="Two-letter code, e.g. GB."
    )
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)


class CustomerInputSerializer(serializers.Serializer):
    """The buyer: found by email, or created with these details."""

    email = serializers.EmailField(required=False, allow_blank=True, default="")
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")


class LineInputSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64, allow_blank=True)
    quantity = whole("Quantity", minimum=1, maximum=MAX_QUANTITY, help_text="How many; at least 1.")


class OrderCreateSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=Order.Channel.choices, default=Order.Channel.WEB)
    external_reference = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text="The channel's own order id; unique per channel.",
    )
    customer = CustomerInputSerializer()
    shipping_address = AddressInputSerializer(required=False, allow_null=True, default=None)
    billing_address = AddressInputSerializer(
        required=False, allow_null=True, default=None, help_text="The shipping address if left out."
    )
    ship_policy = serializers.ChoiceField(
        choices=Order.ShipPolicy.choices, default=Order.ShipPolicy.PARTIAL
    )
    shipping_method = serializers.CharField(
        max_length=50,
        required=False,
        allow_blank=True,
        default="",
        help_text="The code of a shipping service offered now (GET /api/v1/carriers/).",
    )
    shipping_price = money(
        "Shipping price",
        required=False,
        allow_null=True,
        default=None,
        help_text="The service's price if left out.",
    )
    priority = whole(
        "Priority",
        minimum=Order.MIN_PRIORITY,
        maximum=Order.MAX_PRIORITY,
        required=False,
        default=0,
        help_text="Higher goes first.",
    )
    is_vip = serializers.BooleanField(required=False, allow_null=True, default=None)
    notes = text(required=False, allow_blank=True, default="")
    currency = serializers.CharField(max_length=3, required=False, default="GBP")
    status = serializers.ChoiceField(
        choices=[Order.Status.PLACED, Order.Status.DRAFT],
        default=Order.Status.PLACED,
        help_text='"placed" (the default): the order arrives placed. "draft": to finish later.',
    )
    lines = _lines(allow_empty=True)


class OrderUpdateSerializer(serializers.Serializer):
    """The order fields that can be edited; send only those that change."""

    shipping_address = AddressInputSerializer(required=False)
    billing_address = AddressInputSerializer(required=False)
    shipping_method = serializers.CharField(
        max_length=50,
        required=False,
        allow_blank=True,
        help_text="The code of a shipping service offered now (GET /api/v1/carriers/).",
    )
    shipping_price = money("Shipping price", required=False)
    notes = text(required=False, allow_blank=True)
    priority = whole(
        "Priority", minimum=Order.MIN_PRIORITY, maximum=Order.MAX_PRIORITY, required=False
    )
    is_vip = serializers.BooleanField(required=False)
    ship_policy = serializers.ChoiceField(choices=Order.ShipPolicy.choices, required=False)
    lines = _lines(required=False, allow_empty=True)
    version = whole(
        "Version",
        minimum=0,
        maximum=2**31 - 1,
        required=False,
        help_text="The version you loaded; refused with 412 when the order changed since.",
    )


class PaymentInputSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=Payment.Method.choices)
    amount = money("Payment amount")
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True)
    currency = serializers.CharField(
        max_length=3, required=False, help_text="The order's currency if left out."
    )
    status = serializers.ChoiceField(choices=Payment.Status.choices, required=False)


class OrderConfirmSerializer(serializers.Serializer):
    payment = PaymentInputSerializer(required=False, allow_null=True)


class ReasonSerializer(serializers.Serializer):
    reason = text(max_length=REASON_LENGTH, required=False, allow_blank=True, default="")


class NoteSerializer(serializers.Serializer):
    note = text(max_length=REASON_LENGTH, required=False, allow_blank=True, default="")


class CustomerWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    is_vip = serializers.BooleanField(required=False)
    notes = text(required=False, allow_blank=True)
    tax_exempt_reference = serializers.CharField(
        max_length=50,
        required=False,
        allow_blank=True,
        help_text="The customer's tax exemption certificate or number; set: no tax is charged "
        "on their orders from now on (orders already placed keep their tax).",
    )
    default_shipping_address = AddressInputSerializer(required=False, allow_null=True)
    default_billing_address = AddressInputSerializer(required=False, allow_null=True)
