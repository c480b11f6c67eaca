from django import forms
from django.contrib import admin, messages

from inventory import services
from inventory.models import (
    CountAdjustment,
    Location,
    Product,
    PurchaseOrder,
    PurchaseOrderLine,
    StockLevel,
    StockMovement,
    Supplier,
    Warehouse,
)
from oms.admin_exports import csv_export_action
from oms.admin_fsm import ServiceTransitionsAdmin
from oms.admin_paging import GrowingTableAdmin
from oms.admin_readonly import NoDeleteAdmin, ReadOnlyAdmin, ReadOnlyInline
from oms.errors import DomainError


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
    actions = ["deactivate", "activate", csv_export_action("products")]
    fieldsets = [
        (
            None,
            {"fields": ["sku", "name", "description", "barcode", "price", "tax_class", "supplier"]},
        ),
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


class LocationAdminForm(forms.ModelForm):
    """Refuse bin changes the services refuse (a bin holding stock changing warehouse)."""

    class Meta:
        model = Location
        fields = ["warehouse", "code", "barcode", "pick_sequence", "is_active"]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and not self.errors:
            changes = {
                name: cleaned[name]
                for name in self.changed_data
                if name in services.LOCATION_FIELDS
            }
            try:
                services.location_check_update(location=self.instance, **changes)
            except DomainError as error:
                raise forms.ValidationError(error.errors or error.message) from None
        return cleaned


def save_location(request, form) -> Location:
    """Create or change a bin from an admin form through the services."""
    location = form.instance
    changes = {
        name: form.cleaned_data[name]
        for name in form.changed_data
        if name in services.LOCATION_FIELDS
    }
    if location.pk:
        return services.location_update(location=location, user=request.user, **changes)
    data = form.cleaned_data
    return services.location_create(
        warehouse=data.get("warehouse") or location.warehouse,
        code=data["code"],
        pick_sequence=data.get("pick_sequence") or 0,
        barcode=data.get("barcode") or "",
        user=request.user,
    )


class LocationInline(admin.TabularInline):
    model = Location
    form = LocationAdminForm
    fields = ["code", "barcode", "pick_sequence", "is_active"]
    extra = 0
    can_delete = False


@admin.register(Warehouse)
class WarehouseAdmin(NoDeleteAdmin):
    list_display = ["code", "name", "priority", "is_active"]
    search_fields = ["code", "name"]
    inlines = [LocationInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is not Location:
            return super().save_formset(request, form, formset, change)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.forms:
            if not inline_form.has_changed():
                continue
            inline_form.instance.warehouse = form.instance
            is_new = inline_form.instance.pk is None
            location = save_location(request, inline_form)
            if is_new:
                formset.new_objects.append(location)
            else:
                formset.changed_objects.append((location, inline_form.changed_data))
        return None


@admin.register(Location)
class LocationAdmin(NoDeleteAdmin):
    form = LocationAdminForm
    list_display = ["code", "warehouse", "barcode", "pick_sequence", "is_active"]
    list_filter = ["warehouse", "is_active"]
    search_fields = ["code", "barcode"]
    list_select_related = ["warehouse"]
    ordering = ["warehouse", "pick_sequence", "code"]

    def save_model(self, request, obj, form, change):
        obj.pk = save_location(request, form).pk


@admin.register(StockLevel)
class StockLevelAdmin(ReadOnlyAdmin):
    list_display = ["product", "location", "on_hand", "allocated", "available", "last_counted_at"]
    list_filter = ["location__warehouse"]
    search_fields = ["product__sku", "product__name", "location__code"]
    list_select_related = ["product", "location", "location__warehouse"]


@admin.register(StockMovement)
class StockMovementAdmin(GrowingTableAdmin, ReadOnlyAdmin):
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
    list_filter = ["kind", "location__warehouse", "created_at"]
    search_fields = ["product__sku", "reference", "reason"]
    list_select_related = ["product", "location", "location__warehouse", "user"]


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


class PurchaseOrderLineInline(ReadOnlyInline):
    model = PurchaseOrderLine
    fields = ["product", "quantity_ordered", "quantity_received", "unit_cost"]
    readonly_fields = fields


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(ServiceTransitionsAdmin, NoDeleteAdmin):
    transition_services = PURCHASE_ORDER_TRANSITIONS
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


# --- counts waiting for approval ---------------------------------------------------------------

COUNT_TRANSITIONS = {
    "approve": lambda count, user: services.count_adjustment_approve(
        adjustment_id=count.pk, user=user, note="In the admin"
    ),
    "reject": lambda count, user: services.count_adjustment_reject(
        adjustment_id=count.pk, user=user, note="In the admin"
    ),
}


@admin.register(CountAdjustment)
class CountAdjustmentAdmin(ServiceTransitionsAdmin, ReadOnlyAdmin):
    """Counts too far from the record; approve or reject them with the transition buttons."""

    transition_services = COUNT_TRANSITIONS
    list_display = [
        "created_at",
        "product",
        "location",
        "expected",
        "counted",
        "difference",
        "status",
        "counted_by",
        "decided_by",
    ]
    list_filter = ["status", "location__warehouse"]
    search_fields = ["product__sku", "product__name", "location__code", "reference"]
    list_select_related = ["product", "location", "location__warehouse", "counted_by", "decided_by"]
    date_hierarchy = "created_at"
    fields = [
        "product",
        "location",
        "expected",
        "counted",
        "status",
        "reference",
        "counted_by",
        "created_at",
        "decided_by",
        "decided_at",
        "note",
        "movement",
    ]
    readonly_fields = fields

    def has_change_permission(self, request, obj=None):
        # The change page carries the approve/reject buttons; nothing on it is editable.
        return request.user.has_perm("inventory.approve_countadjustment")

    def save_model(self, request, obj, form, change):
        """Save nothing: a count changes only through its transitions (the services)."""

    def transition_done(self, obj) -> str:
        return (
            f"Count of {obj.product.sku} in {obj.location.code}: "
            f"{obj.get_status_display().lower()}."
        )
