"""The shapes the inventory API reads and writes.

Input serializers check shape only (types, required fields, lengths of
columns); every business rule (SKU and barcode rules, quantities, stock
limits) is the services' job, so the API and the staff pages refuse the
same things with the same words.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from inventory.models import (
    CountAdjustment,
    Location,
    Product,
    PurchaseOrder,
    PurchaseOrderLine,
    StockLevel,
    StockMovement,
    Warehouse,
)


def _whole(label: str, **kwargs) -> serializers.IntegerField:
    message = f"{label} must be a whole number."
    return serializers.IntegerField(
        error_messages={"invalid": message, "max_string_length": message}, **kwargs
    )


# --- errors (for the schema) -------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    """The body of every error: a message, a stable code and messages per field."""

    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


# --- products ----------------------------------------------------------------------------------


class ProductSerializer(serializers.ModelSerializer):
    """A product with its stock summed over every bin."""

    supplier = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    on_hand = serializers.IntegerField(source="total_on_hand", read_only=True)
    allocated = serializers.IntegerField(source="total_allocated", read_only=True)
    available = serializers.IntegerField(source="total_available", read_only=True)
    is_low_stock = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = [
            "id",
            "sku",
            "name",
            "description",
            "barcode",
            "price",
            "weight_grams",
            "length_mm",
            "width_mm",
            "height_mm",
            "reorder_point",
            "supplier",
            "is_drop_ship",
            "is_active",
            "on_hand",
            "allocated",
            "available",
            "is_low_stock",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.BooleanField())
    def get_is_low_stock(self, product: Product) -> bool:
        return bool(
            product.is_active
            and not product.is_drop_ship
            and product.reorder_point > 0
            and product.total_available <= product.reorder_point
        )


class ProductWriteSerializer(serializers.Serializer):
    """The fields of a product that can be set; the supplier is named by its code."""

    sku = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField(required=False, allow_blank=True)
    barcode = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    price = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)
    weight_grams = _whole("Weight", required=False)
    length_mm = _whole("Length", required=False)
    width_mm = _whole("Width", required=False)
    height_mm = _whole("Height", required=False)
    reorder_point = _whole("Reorder point", required=False)
    supplier = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, help_text="Supplier code."
    )
    is_drop_ship = serializers.BooleanField(required=False)
    is_active = serializers.BooleanField(required=False)


# --- warehouses and bins -----------------------------------------------------------------------


class WarehouseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Warehouse
        fields = ["id", "code", "name", "address", "priority", "is_active"]
        read_only_fields = fields


class WarehouseCreateSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=16)
    name = serializers.CharField(max_length=200)
    address = serializers.CharField(required=False, allow_blank=True)
    priority = _whole("Priority", required=False)


class LocationSerializer(serializers.ModelSerializer):
    warehouse = serializers.CharField(source="warehouse.code", read_only=True)

    class Meta:
        model = Location
        fields = ["id", "warehouse", "code", "barcode", "pick_sequence", "is_active"]
        read_only_fields = fields


class LocationCreateSerializer(serializers.Serializer):
    warehouse = serializers.CharField(help_text="Warehouse code, for example MAIN.")
    code = serializers.CharField(max_length=32, help_text="Bin code, for example A-01-03.")
    pick_sequence = _whole("Pick sequence", required=False, default=0)
    barcode = serializers.CharField(
        max_length=48,
        required=False,
        allow_blank=True,
        default="",
        help_text="Printed bin barcode; BIN-<warehouse>-<code> when left out.",
    )


class LocationUpdateSerializer(serializers.Serializer):
    warehouse = serializers.CharField(
        max_length=16, required=False, help_text="Warehouse code; only for a bin with no stock."
    )
    code = serializers.CharField(max_length=32, required=False)
    barcode = serializers.CharField(max_length=48, required=False, allow_blank=True)
    pick_sequence = _whole("Pick sequence", required=False, min_value=0, max_value=2_147_483_647)
    is_active = serializers.BooleanField(required=False)


# --- stock -------------------------------------------------------------------------------------


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
    sku = serializers.CharField()
    warehouse = serializers.CharField(help_text="Warehouse code.")
    location = serializers.CharField(help_text="Bin code or bin barcode.")
    quantity = _whole("Quantity", help_text="How many arrived; at least 1.")
    reference = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="", help_text="PO or delivery."
    )
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class StockAdjustSerializer(serializers.Serializer):
    sku = serializers.CharField()
    warehouse = serializers.CharField(help_text="Warehouse code.")
    location = serializers.CharField(help_text="Bin code or bin barcode.")
    counted = _whole("Counted quantity", help_text="What is in the bin now.")
    count = serializers.BooleanField(
        required=False,
        default=True,
        help_text="True (default): a stock count. False: an adjustment, which needs a reason.",
    )
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class StockTransferSerializer(serializers.Serializer):
    sku = serializers.CharField()
    warehouse = serializers.CharField(help_text="Warehouse code.")
    from_location = serializers.CharField(help_text="Bin the stock leaves.")
    to_location = serializers.CharField(help_text="Bin the stock goes to.")
    quantity = _whole("Quantity", help_text="How many to move; at least 1.")
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


# --- purchase orders ---------------------------------------------------------------------------


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
    sku = serializers.CharField()
    quantity = _whole("Quantity", help_text="How many to order; at least 1.")
    unit_cost = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, default=None, allow_null=True
    )


class PurchaseOrderCreateSerializer(serializers.Serializer):
    supplier = serializers.CharField(help_text="Supplier code.")
    warehouse = serializers.CharField(help_text="Warehouse code the goods go to.")
    expected_on = serializers.DateField(required=False, allow_null=True, default=None)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    lines = PurchaseOrderLineWriteSerializer(many=True, allow_empty=True)


class PurchaseOrderReceiveLineSerializer(serializers.Serializer):
    sku = serializers.CharField()
    quantity = _whole("Quantity", help_text="How many arrived; at least 1.")
    location = serializers.CharField(help_text="Bin code or bin barcode.")


class PurchaseOrderReceiveSerializer(serializers.Serializer):
    warehouse = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Warehouse code; the purchase order's warehouse when left out.",
    )
    lines = PurchaseOrderReceiveLineSerializer(many=True, allow_empty=True)
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class PurchaseOrderCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class DropShippedSerializer(serializers.Serializer):
    carrier = serializers.CharField(required=False, allow_blank=True, default="", max_length=50)
    tracking_number = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=100
    )


class PurchaseOrderReceiveResultSerializer(serializers.Serializer):
    purchase_order = PurchaseOrderSerializer()
    movements = MovementSerializer(many=True)
