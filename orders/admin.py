from django.contrib import admin

from oms.admin_exports import csv_export_action
from oms.admin_fsm import ServiceTransitionsAdmin
from oms.admin_readonly import ReadOnlyAdmin, ReadOnlyInline
from orders import selectors, services
from orders.models import Address, Customer, LineAllocation, Order, OrderEvent, OrderLine, Payment

# Admin transition buttons run the same services as the pages and the API, so a
# confirmation from the admin allocates stock, writes the timeline and sends email.
TRANSITION_SERVICES = {
    "place": lambda order, user: services.order_place(order_id=order.pk, user=user),
    "confirm": lambda order, user: services.order_confirm(order_id=order.pk, user=user),
    "cancel": lambda order, user: services.order_cancel(
        order_id=order.pk, user=user, reason="Cancelled in the admin"
    ),
    "hold": lambda order, user: services.order_hold(
        order_id=order.pk, user=user, reason="Held in the admin"
    ),
    "release": lambda order, user: services.order_release(order_id=order.pk, user=user),
}


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = [
        "sku",
        "name",
        "unit_price",
        "quantity",
        "quantity_allocated",
        "quantity_backordered",
        "quantity_shipped",
        "quantity_returned",
        "is_drop_ship",
    ]
    readonly_fields = fields


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ["created_at", "method", "amount", "currency", "reference", "status", "user"]
    readonly_fields = fields


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ["created_at", "type", "from_status", "to_status", "note", "user"]
    readonly_fields = fields
    ordering = ["created_at", "pk"]


@admin.register(Order)
class OrderAdmin(ServiceTransitionsAdmin, admin.ModelAdmin):
    transition_services = TRANSITION_SERVICES
    list_display = [
        "number",
        "created_at",
        "customer",
        "channel",
        "status",
        "total",
        "is_vip",
        "ship_policy",
    ]
    list_filter = ["status", "channel", "is_vip", "ship_policy", "created_at"]
    search_fields = ["number", "external_reference", "customer__name", "customer__email"]
    list_select_related = ["customer"]
    date_hierarchy = "created_at"
    actions = [csv_export_action("orders")]
    inlines = [OrderLineInline, PaymentInline, OrderEventInline]
    readonly_fields = [
        "number",
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
        "status",
        "status_before_hold",
        "version",
        "placed_at",
        "confirmed_at",
        "created_by",
        "created_at",
        "updated_at",
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False  # orders are taken on the sales desk or arrive through the API

    def has_delete_permission(self, request, obj=None):
        return False

    def get_search_results(self, request, queryset, search_term):
        """Search as the order list does (number, reference, customer), with its indexes."""
        return selectors.order_search(queryset, search_term), False

    def transition_done(self, obj) -> str:
        return f"Order {obj} is now {obj.get_status_display().lower()}."


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "phone", "is_vip", "created_at"]
    actions = [csv_export_action("customers")]
    list_filter = ["is_vip"]
    search_fields = ["name", "email", "phone"]
    raw_id_fields = ["default_shipping_address", "default_billing_address"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Address)
class AddressAdmin(ReadOnlyAdmin):
    """Addresses, read only: orders and shipments keep the copy they were made with, so an
    address changes by giving the order or customer a new one (through their services)."""

    list_display = ["name", "line1", "city", "postal_code", "country", "customer"]
    search_fields = ["name", "line1", "city", "postal_code"]
    raw_id_fields = ["customer"]


@admin.register(LineAllocation)
class LineAllocationAdmin(ReadOnlyAdmin):
    list_display = ["line", "location", "quantity"]
    list_select_related = ["line", "line__order", "location", "location__warehouse"]
