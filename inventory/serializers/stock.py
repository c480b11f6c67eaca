"""The shapes of the stock API: stock rows, the ledger, receipts, counts and transfers."""

from __future__ import annotations

from rest_framework import serializers

from inventory.models import CountAdjustment, StockLevel, StockMovement
from inventory.serializers.base import BIN, SKU, WAREHOUSE, code_field, quantity_field


class StockLevelSerializer(serializers.ModelSerializer):
    """One stock row: a product in a bin."""

    product = serializers.IntegerField(source="product_id", read_only=True)
    sku = serializers.CharField(source="product.sku", read_only=True)
    product_name = serializers.CharField(source="product.name", read_only=True)
    warehouse = serializers.CharField(source="location.warehouse.code", read_only=True)
    location = serializers.CharField(source="location.code", read_only=True)
    location_barcode = serializers.CharField(source="location.barcode", read_only=True)
    available = serializers.IntegerField(read_only=True)

    class Meta:
        model = StockLevel
        fields = [
            "id",
            "product",
            "sku",
            "product_name",
            "warehouse",
            "location",
            "location_barcode",
            "on_hand",
            "allocated",
            "available",
            "last_counted_at",
            "updated_at",
        ]
        read_only_fields = fields


class MovementSerializer(serializers.ModelSerializer):
    """One row of the stock ledger."""

    product = serializers.IntegerField(source="product_id", read_only=True)
    sku = serializers.CharField(source="product.sku", read_only=True)
    warehouse = serializers.CharField(source="location.warehouse.code", read_only=True)
    location = serializers.CharField(source="location.code", read_only=True)
    user = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = StockMovement
        fields = [
            "id",
            "created_at",
            "kind",
            "product",
            "sku",
            "warehouse",
            "location",
            "quantity",
            "on_hand_after",
            "reason",
            "reference",
            "user",
        ]
        read_only_fields = fields


class StockReceiveSerializer(serializers.Serializer):
    sku = code_field(SKU)
    warehouse = code_field(WAREHOUSE, help_text="Warehouse code.")
    location = code_field(BIN, help_text="Bin code or bin barcode.")
    quantity = quantity_field(help_text="How many arrived; at least 1.")
    reference = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="", help_text="PO or delivery."
    )
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class StockAdjustSerializer(serializers.Serializer):
    sku = code_field(SKU)
    warehouse = code_field(WAREHOUSE, help_text="Warehouse code.")
    location = code_field(BIN, help_text="Bin code or bin barcode.")
    counted = quantity_field("Counted quantity", minimum=0, help_text="What is in the bin now.")
    count = serializers.BooleanField(
        required=False,
        default=True,
        help_text="True (default): a stock count. False: an adjustment, which needs a reason.",
    )
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class StockTransferSerializer(serializers.Serializer):
    sku = code_field(SKU)
    warehouse = code_field(WAREHOUSE, help_text="Warehouse code.")
    from_location = code_field(BIN, help_text="Bin the stock leaves.")
    to_location = code_field(BIN, help_text="Bin the stock goes to.")
    quantity = quantity_field(help_text="How many to move; at least 1.")
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class StockReceiveResultSerializer(serializers.Serializer):
    movement = MovementSerializer()
    stock = StockLevelSerializer()


class CountAdjustmentSerializer(serializers.ModelSerializer):
    """A count too far from the record to book at once, and what a manager decided."""

    sku = serializers.CharField(source="product.sku", read_only=True)
    product_name = serializers.CharField(source="product.name", read_only=True)
    warehouse = serializers.CharField(source="location.warehouse.code", read_only=True)
    location = serializers.CharField(source="location.code", read_only=True)
    difference = serializers.IntegerField(read_only=True)
    difference_value = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    counted_by = serializers.CharField(source="counted_by.username", default=None, read_only=True)
    decided_by = serializers.CharField(source="decided_by.username", default=None, read_only=True)
    movement = serializers.IntegerField(source="movement_id", allow_null=True, read_only=True)

    class Meta:
        model = CountAdjustment
        fields = [
            "id",
            "sku",
            "product_name",
            "warehouse",
            "location",
            "expected",
            "counted",
            "difference",
            "difference_value",
            "status",
            "reference",
            "counted_by",
            "created_at",
            "decided_by",
            "decided_at",
            "note",
            "movement",
        ]
        read_only_fields = fields


class CountDecisionSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class StockAdjustResultSerializer(serializers.Serializer):
    movement = MovementSerializer(
        allow_null=True, help_text="Null when the count matched or waits for approval."
    )
    stock = StockLevelSerializer()
    count_adjustment = CountAdjustmentSerializer(
        allow_null=True,
        required=False,
        help_text="A count too far from the record, waiting for a manager (HTTP 202).",
    )


class StockTransferResultSerializer(serializers.Serializer):
    movements = MovementSerializer(many=True, help_text="The transfer out, then the transfer in.")
    from_stock = StockLevelSerializer()
    to_stock = StockLevelSerializer()
