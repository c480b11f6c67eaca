"""Returns, refunds, credit notes, reasons and the bench's scan log in the admin.

Returns and refunds are read-only here apart from their transition buttons,
which run the services the pages run (the same role checks and refusals,
nothing changed on one). Credit notes and the scan log are read-only for
everyone; reasons are kept by managers and deactivated, never deleted.
Nothing here is ever deleted.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from oms.admin_fsm import ServiceTransitionsAdmin
from oms.admin_paging import GrowingTableAdmin
from oms.admin_readonly import ReadOnlyInline
from oms.errors import Conflict
from returns import services
from returns.models import (
    CreditNote,
    Refund,
    RefundLine,
    Return,
    ReturnEvent,
    ReturnLine,
    ReturnReason,
    ReturnScan,
)


def _refund_pay(refund, user):
    """Pay from the admin only what needs no provider's reference (cash, store credit)."""
    if refund.method not in (Refund.Method.CASH, Refund.Method.STORE_CREDIT):
        raise Conflict(
            f"Refund {refund} goes back by {refund.get_method_display().lower()}: record it as "
            "paid on the refunds page, with the payment provider's reference.",
            code="reference_needed",
        )
    return services.refund_pay(refund_id=refund.pk, user=user)


RETURN_TRANSITIONS = {
    "authorize": lambda rma, user: services.return_authorize(return_id=rma.pk, user=user),
    "reject": lambda rma, user: services.return_reject(
        return_id=rma.pk, user=user, reason="Rejected in the admin"
    ),
    "cancel": lambda rma, user: services.return_cancel(
        return_id=rma.pk, user=user, reason="Cancelled in the admin"
    ),
    "close": lambda rma, user: services.return_close(return_id=rma.pk, user=user),
}
REFUND_TRANSITIONS = {
    "approve": lambda refund, user: services.refund_approve(refund_id=refund.pk, user=user),
    "reject": lambda refund, user: services.refund_reject(
        refund_id=refund.pk, user=user, reason="Rejected in the admin"
    ),
    "pay": _refund_pay,
}


class ReturnLineInline(ReadOnlyInline):
    model = ReturnLine
    fields = [
        "order_line",
        "quantity_requested",
        "quantity_authorized",
        "quantity_received",
        "quantity_decided",
        "reason",
        "note",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("order_line", "reason")


class ReturnEventInline(ReadOnlyInline):
    model = ReturnEvent
    fields = ["created_at", "from_status", "to_status", "note", "user"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


class ServiceRowsAdmin(admin.ModelAdmin):
    """Rows that change only through services: viewed here and moved on by the transition
    buttons (the change page stays open for them), never added, saved from a form or deleted."""

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        """Save nothing: these rows change only through their services."""

    def save_related(self, request, form, formsets, change):
        """Save nothing: lines change only through their services."""


RETURN_FIELDS = [
    "number",
    "status",
    "order",
    "customer",
    "warehouse",
    "source",
    "external_reference",
    "window_ends_on",
    "outside_window_reason",
    "notes",
    "carrier",
    "tracking_number",
    "documents",
    "created_by",
    "created_at",
    "authorized_by",
    "authorized_at",
    "received_at",
    "inspected_at",
    "closed_at",
]


@admin.register(Return)
class ReturnAdmin(ServiceTransitionsAdmin, ServiceRowsAdmin):
    transition_services = RETURN_TRANSITIONS
    list_display = ["number", "status", "order", "customer", "warehouse", "source", "created_at"]
    list_filter = ["status", "source", "warehouse", "created_at"]
    list_select_related = ["order", "customer", "warehouse"]
    search_fields = ["=number", "=order__number", "customer__name"]
    search_help_text = "A return number (RMA-…), an order number (SO-…) or a customer's name."
    fields = RETURN_FIELDS
    readonly_fields = RETURN_FIELDS
    inlines = [ReturnLineInline, ReturnEventInline]

    def has_change_permission(self, request, obj=None):
        # The change page carries the transition buttons; nothing on it is edited.
        return request.user.has_perm("returns.authorize_return")

    def transition_done(self, obj) -> str:
        return f"Return {obj} is now {obj.get_status_display().lower()}."

    @admin.display(description="documents")
    def documents(self, obj):
        if not obj.pk:
            return ""
        links = [
            (reverse("returns:return_detail", args=[obj.pk]), "The return's page"),
            (reverse("returns:return_label", args=[obj.pk]), "Return label (PDF)"),
            (reverse("returns:return_slip", args=[obj.pk]), "RMA slip (PDF)"),
        ]
        return format_html_join(" · ", '<a href="{}">{}</a>', links)


class RefundLineInline(ReadOnlyInline):
    model = RefundLine
    fields = ["return_line", "quantity", "amount"]
    readonly_fields = fields


REFUND_FIELDS = [
    "number",
    "status",
    "order",
    "rma",
    "amount",
    "shipping_amount",
    "currency",
    "method",
    "reason",
    "provider_reference",
    "rejection_reason",
    "credit_note_link",
    "requested_by",
    "created_at",
    "approved_by",
    "approved_at",
    "paid_by",
    "paid_at",
]


@admin.register(Refund)
class RefundAdmin(ServiceTransitionsAdmin, ServiceRowsAdmin):
    transition_services = REFUND_TRANSITIONS
    list_display = ["number", "status", "order", "rma", "amount", "method", "created_at"]
    list_filter = ["status", "method", "created_at"]
    list_select_related = ["order", "rma"]
    search_fields = ["=number", "=order__number", "=rma__number", "=provider_reference"]
    search_help_text = "A refund (RF-…), order (SO-…) or return (RMA-…) number, or a reference."
    fields = REFUND_FIELDS
    readonly_fields = REFUND_FIELDS
    inlines = [RefundLineInline]

    def has_change_permission(self, request, obj=None):
        user = request.user
        return user.has_perm("returns.approve_refund") or user.has_perm("returns.pay_refund")

    def transition_done(self, obj) -> str:
        return f"Refund {obj} is now {obj.get_status_display().lower()}."

    @admin.display(description="credit note")
    def credit_note_link(self, obj):
        note = CreditNote.objects.filter(refund=obj).first() if obj.pk else None
        if note is None:
            return "—"
        url = reverse("returns:credit_note_pdf", args=[note.pk])
        return format_html('<a href="{}">{} (PDF)</a>', url, note.number)


CREDIT_NOTE_FIELDS = [
    "number",
    "refund",
    "order",
    "customer",
    "issued_on",
    "currency",
    "net",
    "tax",
    "gross",
    "pdf",
    "created_at",
]


@admin.register(CreditNote)
class CreditNoteAdmin(ServiceRowsAdmin):
    """Credit notes are immutable: read and printed, never changed."""

    list_display = ["number", "issued_on", "order", "customer", "net", "tax", "gross"]
    list_filter = ["issued_on", "currency"]
    list_select_related = ["order", "customer"]
    search_fields = ["=number", "=order__number"]
    fields = CREDIT_NOTE_FIELDS
    readonly_fields = CREDIT_NOTE_FIELDS

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="PDF")
    def pdf(self, obj):
        url = reverse("returns:credit_note_pdf", args=[obj.pk])
        return format_html('<a href="{}">{}.pdf</a>', url, obj.number)


@admin.register(ReturnReason)
class ReturnReasonAdmin(admin.ModelAdmin):
    """The reasons offered for a return; a reason in use is deactivated, never deleted."""

    list_display = ["code", "name", "needs_note", "position", "is_active"]
    list_editable = ["position", "is_active"]
    list_filter = ["is_active", "needs_note"]

    def get_readonly_fields(self, request, obj=None):
        # A code is what returns and reports keep: it is never renamed.
        return ["code"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False


SCAN_FIELDS = ["created_at", "user", "action", "code", "result", "message", "rma", "line"]


@admin.register(ReturnScan)
class ReturnScanAdmin(GrowingTableAdmin, ServiceRowsAdmin):
    """Every scan of the returns bench, as it was answered. Read-only."""

    list_display = ["created_at", "user", "action", "code", "result", "message"]
    list_filter = ["result", "action", "user"]
    list_select_related = ["user"]
    search_fields = ["=code"]
    fields = SCAN_FIELDS
    readonly_fields = SCAN_FIELDS
    ordering = ["-created_at", "-pk"]

    def has_change_permission(self, request, obj=None):
        return False
