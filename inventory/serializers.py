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
from oms.api_inputs import money, text, whole
from oms.services import MAX_QUANTITY

# Bounds of what the API takes, within what the columns hold.
MAX_GRAMS = 10_000_000  # 10 tonnes
MAX_MM = 100_000  # 100 metres
MAX_LINES = 500
SKU, WAREHOUSE, BIN = 64, 16, 48  # a bin is named by its code or its barcode


def _code(max_length: int, **kwargs) -> serializers.CharField:
    return serializers.CharField(max_length=max_length, **kwargs)


def _quantity(label: str = "Quantity", *, minimum: int = 1, **kwargs):
    return whole(label, minimum=minimum, maximum=MAX_QUANTITY, **kwargs)


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

    sku = _code(SKU)
    name = _code(255)
    description = text(required=False, allow_blank=True)
    barcode = _code(48, required=False, allow_blank=True, allow_null=True)
    price = money("Price", required=False)
    weight_grams = whole("Weight", maximum=MAX_GRAMS, required=False)
    length_mm = whole("Length", maximum=MAX_MM, required=False)
    width_mm = whole("Width", maximum=MAX_MM, required=False)
    height_mm = whole("Height", maximum=MAX_MM, required=False)
    reorder_point = _quantity("Reorder point", minimum=0, required=False)
    supplier = _code(
        32, required=False, allow_blank=True, allow_null=True, help_text="Supplier code."
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
    code = _code(WAREHOUSE)
    name = _code(200)
    address = text(required=False, allow_blank=True)
    priority = whole("Priority", maximum=1000, required=False)


class LocationSerializer(serializers.ModelSerializer):
    warehouse = serializers.CharField(source="warehouse.code", read_only=True)

    class Meta:
        model = Location
        fields = ["id", "warehouse", "code", "barcode", "pick_sequence", "is_active"]
        read_only_fields = fields


class LocationCreateSerializer(serializers.Serializer):
    warehouse = _code(WAREHOUSE, help_text="Warehouse code, for example MAIN.")
    code = _code(32, help_text="Bin code, for example A-01-03.")
    pick_sequence = _quantity("Pick sequence", minimum=0, required=False, default=0)
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
    pick_sequence = _quantity("Pick sequence", minimum=0, required=False)
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
    sku = _code(SKU)
    warehouse = _code(WAREHOUSE, help_text="Warehouse code.")
    location = _code(BIN, help_text="Bin code or bin barcode.")
    quantity = _quantity(help_text="How many arrived; at least 1.")
    reference = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="", help_text="PO or delivery."
    )
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class StockAdjustSerializer(serializers.Serializer):
    sku = _code(SKU)
    warehouse = _code(WAREHOUSE, help_text="Warehouse code.")
    location = _code(BIN, help_text="Bin code or bin barcode.")
    counted = _quantity("Counted quantity", minimum=0, help_text="What is in the bin now.")
    count = serializers.BooleanField(
        required=False,
        default=True,
        help_text="True (default): a stock count. False: an adjustment, which needs a reason.",
    )
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class StockTransferSerializer(serializers.Serializer):
    sku = _code(SKU)
    warehouse = _code(WAREHOUSE, help_text="Warehouse code.")
    from_location = _code(BIN, help_text="Bin the stock leaves.")
    to_location = _code(BIN, help_text="Bin the stock goes to.")
    quantity = _quantity(help_text="How many to move; at least 1.")
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
    sku = _code(SKU)
    quantity = _quantity(help_text="How many to order; at least 1.")
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
    supplier = _code(32, help_text="Supplier code.")
    warehouse = _code(WAREHOUSE, help_text="Warehouse code the goods go to.")
    expected_on = serializers.DateField(required=False, allow_null=True, default=None)
    notes = text(required=False, allow_blank=True, default="")
    lines = _po_lines(PurchaseOrderLineWriteSerializer)


class PurchaseOrderReceiveLineSerializer(serializers.Serializer):
    sku = _code(SKU)
    quantity = _quantity(help_text="How many arrived; at least 1.")
    location = _code(BIN, help_text="Bin code or bin barcode.")


class PurchaseOrderReceiveSerializer(serializers.Serializer):
    warehouse = _code(
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


class DropShippedSerializer(serializers.Serializer):
    carrier = serializers.CharField(required=False, allow_blank=True, default="", max_length=50)
    tracking_number = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=100
    )


class PurchaseOrderReceiveResultSerializer(serializers.Serializer):
    purchase_order = PurchaseOrderSerializer()
    movements = MovementSerializer(many=True)
