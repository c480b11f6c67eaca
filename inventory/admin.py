from django.contrib import admin, messages
from django_fsm.admin import FSMAdminMixin

from inventory import services
from inventory.models import (
    Location,
    Product,
    PurchaseOrder,
    PurchaseOrderLine,
    StockLevel,
    StockMovement,
    Supplier,
    Warehouse,
)
from oms.errors import DomainError


class NoDeleteAdmin(admin.ModelAdmin):
    """Nothing is hard-deleted: products and bins are deactivated instead."""

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(NoDeleteAdmin):
    """Stock rows and the ledger change only through the stock services."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Supplier)
class SupplierAdmin(NoDeleteAdmin):
    list_display = ["code", "name", "email", "phone", "lead_time_days", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name", "email"]


class StockLevelInline(admin.TabularInline):
    model = StockLevel
    fields = ["location", "on_hand", "allocated", "last_counted_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Product)
class ProductAdmin(NoDeleteAdmin):
    list_display = [
        "sku",
        "name",
        "barcode",
        "price",
        "reorder_point",
        "supplier",
        "is_drop_ship",
        "is_active",
    ]
    list_filter = ["is_active", "is_drop_ship", "supplier"]
    search_fields = ["sku", "name", "barcode"]
    list_select_related = ["supplier"]
    autocomplete_fields = ["supplier"]
    inlines = [StockLevelInline]
    actions = ["deactivate", "activate"]
    fieldsets = [
        (None, {"fields": ["sku", "name", "description", "barcode", "price", "supplier"]}),
        ("Stock", {"fields": ["reorder_point", "is_drop_ship", "is_active"]}),
        ("Size and weight", {"fields": ["weight_grams", "length_mm", "width_mm", "height_mm"]}),
    ]

    def save_model(self, request, obj, form, change):
        fields = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name in services.PRODUCT_FIELDS
        }
        if change:
            saved = services.product_update(product=obj, user=request.user, **fields)
        else:
            data = {
                name: value
                for name, value in form.cleaned_data.items()
                if name in services.PRODUCT_FIELDS
            }
            saved = services.product_create(user=request.user, **data)
        obj.pk = saved.pk

    @admin.action(description="Deactivate the selected products", permissions=["change"])
    def deactivate(self, request, queryset):
        self._set_active(request, queryset, active=False)

    @admin.action(description="Reactivate the selected products", permissions=["change"])
    def activate(self, request, queryset):
        self._set_active(request, queryset, active=True)

    def _set_active(self, request, queryset, *, active: bool):
        done = 0
        for product in queryset:
            try:
                services.product_update(product=product, user=request.user, is_active=active)
                done += 1
            except DomainError as error:
                self.message_user(request, f"{product.sku}: {error.message}", messages.ERROR)
        self.message_user(
            request, f"{done} product(s) {'reactivated' if active else 'deactivated'}."
        )


class LocationInline(admin.TabularInline):
    model = Location
    fields = ["code", "barcode", "pick_sequence", "is_active"]
    extra = 0
    can_delete = False


@admin.register(Warehouse)
class WarehouseAdmin(NoDeleteAdmin):
    list_display = ["code", "name", "priority", "is_active"]
    search_fields = ["code", "name"]
    inlines = [LocationInline]


@admin.register(Location)
class LocationAdmin(NoDeleteAdmin):
    list_display = ["code", "warehouse", "barcode", "pick_sequence", "is_active"]
    list_filter = ["warehouse", "is_active"]
    search_fields = ["code", "barcode"]
    list_select_related = ["warehouse"]
    ordering = ["warehouse", "pick_sequence", "code"]


@admin.register(StockLevel)
class StockLevelAdmin(ReadOnlyAdmin):
    list_display = ["product", "location", "on_hand", "allocated", "available", "last_counted_at"]
    list_filter = ["location__warehouse"]
    search_fields = ["product__sku", "product__name", "location__code"]
    list_select_related = ["product", "location", "location__warehouse"]


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "kind",
        "product",
        "location",
        "quantity",
        "on_hand_after",
        "reference",
        "reason",
        "user",
    ]
    list_filter = ["kind", "location__warehouse"]
    search_fields = ["product__sku", "reference", "reason"]
    list_select_related = ["product", "location", "location__warehouse", "user"]
    date_hierarchy = "created_at"


# --- purchase orders --------------------------------------------------------------------------

# Admin transition buttons run the same services as the API: sending checks the
# supplier, cancelling is refused once goods arrived. Receiving needs bins, so it is
# done on the receive scan screen or through the API, not from the admin.
PURCHASE_ORDER_TRANSITIONS = {
    "send": lambda po, user: services.purchase_order_send(purchase_order_id=po.pk, user=user),
    "cancel": lambda po, user: services.purchase_order_cancel(
        purchase_order_id=po.pk, user=user, reason="Cancelled in the admin"
    ),
}


class PurchaseOrderLineInline(admin.TabularInline):
    model = PurchaseOrderLine
    fields = ["product", "quantity_ordered", "quantity_received", "unit_cost"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(FSMAdminMixin, NoDeleteAdmin):
    fsm_fields = ["status"]
    list_display = [
        "number",
        "created_at",
        "supplier",
        "warehouse",
        "status",
        "is_drop_ship",
        "customer_reference",
        "expected_on",
    ]
    list_filter = ["status", "is_drop_ship", "supplier", "warehouse"]
    search_fields = ["number", "customer_reference", "supplier__name", "supplier__code"]
    list_select_related = ["supplier", "warehouse"]
    date_hierarchy = "created_at"
    inlines = [PurchaseOrderLineInline]
    readonly_fields = [
        "number",
        "supplier",
        "warehouse",
        "status",
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
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False  # raised through the API or automatically for backorders and drop-ship

    def _apply_fsm_transition(self, *, obj, transition_name, request, kwargs=None) -> bool:
        service = PURCHASE_ORDER_TRANSITIONS.get(transition_name)
        if service is None:
            self.message_user(
                request, f"'{transition_name}' cannot be run from the admin.", messages.ERROR
            )
            return False
        try:
            po = service(obj, request.user)
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)
            return False
        self.message_user(
            request, f"{po} is now {po.get_status_display().lower()}.", messages.SUCCESS
        )
        return True
