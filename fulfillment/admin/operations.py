"""Shipments, waves and the scan log in the admin: read, move through the services, print.

Shipments are read-only here apart from their transition buttons, which run
the services the screens run (the same refusals, nothing changed on one),
and the actions on a selection: print labels or packing slips as one PDF (a
large selection is printed by the background worker, ``fulfillment.jobs``)
and build a wave. Sales reps see shipments read-only; the scan log is
read-only for everyone.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from fulfillment import documents, jobs, services
from fulfillment.models import Parcel, ScanEvent, Shipment, ShipmentLine, Wave
from oms import jobs as oms_jobs
from oms.admin_fsm import ServiceTransitionsAdmin
from oms.admin_paging import GrowingTableAdmin
from oms.admin_readonly import ReadOnlyAdmin, ReadOnlyInline
from oms.documents import inline_limit
from oms.errors import DomainError, TransitionRefused
from oms.pdf import pdf_response
from oms.roles import Role, has_role

# The most shipments one print or wave action takes; a larger selection is refused in words.
MAX_ACTION_SHIPMENTS = 2000
PRINT_ROLES = (Role.WAREHOUSE, Role.MANAGER)


def _deliver(shipment, user):
    if not shipment.tracking_number:
        raise TransitionRefused(
            f"Shipment {shipment} has not shipped: it cannot be delivered.", code="not_shipped"
        )
    services.tracking_update(
        tracking_number=shipment.tracking_number,
        user=user,
        carrier=shipment.carrier.code if shipment.carrier_id else "",
    )
    shipment.refresh_from_db()
    return shipment


# Buttons: shipping from the admin takes the service's carrier and, for the local courier,
# makes up the tracking number; any other carrier is refused until the number is scanned on
# the ship screen, exactly as there. Picking and packing are scan work, not buttons.
SHIPMENT_TRANSITIONS = {
    "ship": lambda shipment, user: services.shipment_ship(shipment_id=shipment.pk, user=user),
    "cancel": lambda shipment, user: services.shipment_cancel(
        shipment_id=shipment.pk, user=user, reason="Cancelled in the admin"
    ),
    "deliver": _deliver,
}


class ShipmentLineInline(ReadOnlyInline):
    model = ShipmentLine
    fields = ["product", "location", "quantity", "picked", "packed", "short"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("product", "location")


class ParcelInline(ReadOnlyInline):
    model = Parcel
    fields = ["number", "package_type", "weight_grams", "tracking_number", "closed_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("package_type")


SHIPMENT_FIELDS = [
    "number",
    "order",
    "status",
    "warehouse",
    "wave",
    "wave_position",
    "carrier",
    "shipping_method",
    "tracking_number",
    "ship_to",
    "documents",
    "created_by",
    "created_at",
    "shipped_at",
    "delivered_at",
    "cancelled_at",
]


def _may_print(request) -> bool:
    return has_role(request.user, *PRINT_ROLES) and request.user.has_perm(jobs.BATCH_PRINT_PERM)


@admin.register(Shipment)
class ShipmentAdmin(ServiceTransitionsAdmin, GrowingTableAdmin, admin.ModelAdmin):
    transition_services = SHIPMENT_TRANSITIONS
    list_display = [
        "number",
        "status",
        "order",
        "carrier",
        "wave",
        "warehouse",
        "created_at",
        "shipped_at",
    ]
    list_filter = ["status", "carrier", "warehouse", "created_at"]
    list_select_related = ["order", "carrier", "wave", "warehouse"]
    search_fields = ["number", "order__number", "tracking_number"]
    search_help_text = "A shipment number (SH-…), an order number (SO-…) or a tracking number."
    fields = SHIPMENT_FIELDS
    readonly_fields = SHIPMENT_FIELDS
    inlines = [ShipmentLineInline, ParcelInline]
    actions = ["print_labels", "print_packing_slips", "build_wave"]

    def get_search_results(self, request, queryset, search_term):
        """Find a shipment by its number, its order's or a tracking number, exactly (indexed)."""
        term = search_term.strip()
        if not term:
            return queryset, False
        variants = list(dict.fromkeys([term, term.upper()]))
        found = (
            queryset.filter(number__in=variants)
            | queryset.filter(order__number__in=variants)
            | queryset.filter(tracking_number__in=variants)
        )
        return found, False

    def has_add_permission(self, request):
        return False  # shipments are made from allocated orders (the waves page, the API)

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # The change page carries the transition buttons; nothing on it is edited.
        user = request.user
        return any(
            user.has_perm(f"fulfillment.{perm}")
            for perm in ("ship_shipment", "cancel_shipment", "update_tracking")
        ) and has_role(user, *PRINT_ROLES)

    def has_print_permission(self, request):
        return _may_print(request)

    def has_wave_permission(self, request):
        return request.user.has_perm("fulfillment.add_wave")

    def save_model(self, request, obj, form, change):
        """Save nothing: a shipment changes only through its services."""

    def save_related(self, request, form, formsets, change):
        """Save nothing: lines and parcels change only through the scan screens."""

    @admin.display(description="documents")
    def documents(self, obj):
        if not obj.pk:
            return ""
        links = [
            (reverse("fulfillment:shipment_label", args=[obj.pk]), "Shipping label (PDF)"),
            (reverse("fulfillment:shipment_packing_slip", args=[obj.pk]), "Packing slip (PDF)"),
        ]
        return format_html_join(" · ", '<a href="{}">{}</a>', links)

    def transition_done(self, obj) -> str:
        done = f"Shipment {obj} is now {obj.get_status_display().lower()}"
        return done + (f", tracking {obj.tracking_number}." if obj.tracking_number else ".")

    # --- actions ---------------------------------------------------------------------------

    def _chosen(self, request, queryset) -> list[int] | None:
        ids = list(queryset.order_by("pk").values_list("pk", flat=True)[: MAX_ACTION_SHIPMENTS + 1])
        if len(ids) > MAX_ACTION_SHIPMENTS:
            self.message_user(
                request,
                f"Choose at most {MAX_ACTION_SHIPMENTS:,} shipments at a time "
                "(filter the list first).",
                messages.ERROR,
            )
            return None
        return ids

    def _print(self, request, queryset, *, kind: str, what: str, render):
        ids = self._chosen(request, queryset)
        if not ids:
            return None
        count = documents.batch_document_count(ids)
        if count > inline_limit():
            job = oms_jobs.job_start(
                kind=kind,
                user=request.user,
                title=f"{what.capitalize()} for {len(ids)} shipments",
                params={"shipment_ids": ids},
                unit=what,
                total=count,
            )
            return redirect(job)
        return pdf_response(render(ids), what.replace(" ", "-"), inline=True)

    @admin.action(description="Print shipping labels (one PDF)", permissions=["print"])
    def print_labels(self, request, queryset):
        return self._print(
            request,
            queryset,
            kind="shipment_labels",
            what="labels",
            render=documents.batch_labels_pdf,
        )

    @admin.action(description="Print packing slips (one PDF)", permissions=["print"])
    def print_packing_slips(self, request, queryset):
        return self._print(
            request,
            queryset,
            kind="shipment_packing_slips",
            what="packing slips",
            render=documents.batch_packing_slips_pdf,
        )

    @admin.action(description="Build a wave (pick list) from the ready ones", permissions=["wave"])
    def build_wave(self, request, queryset):
        ids = self._chosen(request, queryset)
        if not ids:
            return None
        try:
            wave = services.wave_create(user=request.user, shipment_ids=ids)
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)
            return None
        url = reverse("admin:fulfillment_wave_change", args=[wave.pk])
        self.message_user(
            request,
            format_html(
                'Wave <a href="{}">{}</a> built with {} shipment(s).',
                url,
                wave,
                wave.shipments.count(),
            ),
            messages.SUCCESS,
        )
        return None


class WaveShipmentInline(ReadOnlyInline):
    model = Shipment
    fk_name = "wave"
    fields = ["wave_position", "number", "order", "status", "carrier"]
    readonly_fields = fields
    show_change_link = True
    ordering = ["wave_position", "pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("order", "carrier")


WAVE_FIELDS = ["number", "status", "created_by", "created_at", "finished_at", "documents"]


@admin.register(Wave)
class WaveAdmin(GrowingTableAdmin, admin.ModelAdmin):
    list_display = ["number", "status", "shipment_count", "created_by", "created_at", "pick_list"]
    list_filter = ["status", "created_at"]
    search_fields = ["number"]
    list_select_related = ["created_by"]
    fields = WAVE_FIELDS
    readonly_fields = WAVE_FIELDS
    inlines = [WaveShipmentInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(shipment_total=Count("shipments"))

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(number__in=list(dict.fromkeys([term, term.upper()]))), False

    def has_add_permission(self, request):
        return False  # waves are built from shipments (the action, the waves page, the API)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="shipments", ordering="shipment_total")
    def shipment_count(self, obj):
        return obj.shipment_total

    @admin.display(description="pick list")
    def pick_list(self, obj):
        url = reverse("fulfillment:wave_pick_list", args=[obj.pk])
        return format_html('<a href="{}">Pick list (PDF)</a>', url)

    @admin.display(description="documents")
    def documents(self, obj):
        if not obj.pk:
            return ""
        links = [
            (reverse("fulfillment:wave_pick_list", args=[obj.pk]), "Pick list (PDF)"),
            (reverse("fulfillment:wave_labels", args=[obj.pk]), "Shipping labels (PDF)"),
            (reverse("fulfillment:wave_packing_slips", args=[obj.pk]), "Packing slips (PDF)"),
        ]
        return format_html_join(" · ", '<a href="{}">{}</a>', links)


SCAN_FIELDS = [
    "created_at",
    "user",
    "screen",
    "entry",
    "code",
    "result",
    "status",
    "action",
    "quantity",
    "message",
    "wave",
    "shipment",
    "location",
    "product",
    "undoes",
]


@admin.register(ScanEvent)
class ScanEventAdmin(GrowingTableAdmin, ReadOnlyAdmin):
    """Every scan of the pick, pack and ship screens, as it was answered. Read-only."""

    list_display = ["created_at", "user", "screen", "action", "code", "result", "message"]
    list_filter = ["screen", "result", "action", "user"]
    list_select_related = ["user"]
    search_fields = ["=code"]
    fields = SCAN_FIELDS
    readonly_fields = SCAN_FIELDS
    ordering = ["-created_at", "-pk"]
