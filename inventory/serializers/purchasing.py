"""The shapes of the purchase-orders API."""

from __future__ import annotations

from rest_framework import serializers

from inventory.models import PurchaseOrder, PurchaseOrderLine
from inventory.serializers.base import BIN, MAX_LINES, SKU, WAREHOUSE, code_field, quantity_field
from inventory.serializers.stock import MovementSerializer
from oms.api_inputs import money, text


class PurchaseOrderLineSerializer(serializers.ModelSerializer):
    product = serializers.IntegerField(source="product_id", read_only=True)
    sku = serializers.CharField(source="product.sku", read_only=True)
    name = serializers.CharField(source="product.name", read_only=True)
    quantity_open = serializers.IntegerField(read_only=True)

    class Meta:
        model = PurchaseOrderLine
        fields = [
            "id",
            "product",
            "sku",
            "name",
            "quantity_ordered",
            "quantity_received",
            "quantity_open",
            "unit_cost",
        ]
        read_only_fields = fields


class PurchaseOrderSerializer(serializers.ModelSerializer):
    """A purchase order with its lines; supplier and warehouse by code."""

    supplier = serializers.CharField(source="supplier.code", read_only=True)
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)
    warehouse = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    created_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    lines = PurchaseOrderLineSerializer(many=True, read_only=True)

    class Meta:
        model = PurchaseOrder
        fields = [
            "id",
            "number",
            "status",
            "supplier",
            "supplier_name",
            "warehouse",
            "is_drop_ship",
            "ship_to",
            "customer_reference",
            "expected_on",
            "notes",
            "carrier",
            "tracking_number",
            "created_by",
            "sent_at",
            "received_at",
            "version",
            "created_at",
            "updated_at",
            "lines",
        ]
        read_only_fields = fields


class PurchaseOrderLineWriteSerializer(serializers.Serializer):
    sku = code_field(SKU)
    quantity = quantity_field(help_text="How many to order; at least 1.")
    unit_cost = money("Unit cost", required=False, default=None, allow_null=True)


def _po_lines(line_serializer: type[serializers.Serializer]):
    return line_serializer(
        many=True,
        allow_empty=True,
        max_length=MAX_LINES,
        error_messages={"max_length": f"A purchase order can have at most {MAX_LINES} lines."},
        help_text=f"At most {MAX_LINES} lines.",
    )


class PurchaseOrderCreateSerializer(serializers.Serializer):
    supplier = code_field(32, help_text="Supplier code.")
    warehouse = code_field(WAREHOUSE, help_text="Warehouse code the goods go to.")
    expected_on = serializers.DateField(required=False, allow_null=True, default=None)
    notes = text(required=False, allow_blank=True, default="")
    lines = _po_lines(PurchaseOrderLineWriteSerializer)


class PurchaseOrderReceiveLineSerializer(serializers.Serializer):
    sku = code_field(SKU)
    quantity = quantity_field(help_text="How many arrived; at least 1.")
    location = code_field(BIN, help_text="Bin code or bin barcode.")


class PurchaseOrderReceiveSerializer(serializers.Serializer):
    warehouse = code_field(
        WAREHOUSE,
        required=False,
        allow_blank=True,
        default="",
        help_text="Warehouse code; the purchase order's warehouse when left out.",
    )
    lines = _po_lines(PurchaseOrderReceiveLineSerializer)
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class PurchaseOrderCancelSerializer(serializers.Serializer):
    reason = text(max_length=500, required=False, allow_blank=True, default="")


class PurchaseOrderReceiveResultSerializer(serializers.Serializer):
    purchase_order = PurchaseOrderSerializer()
    movements = MovementSerializer(many=True)
