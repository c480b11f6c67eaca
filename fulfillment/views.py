"""Warehouse floor pages: waves, the pick screen, the pack bench and the ship form.

Each scan is a POST answered at once (``oms.scan_views.scan_response``):
with htmx a partial replaces the screen's panel, without JavaScript the POST
redirects back to the page. Every scan is saved in the scan log by its
service the moment it is answered, and the screens rebuild themselves from
the log (current bin, current shipment, the last answer, the last scans),
so a reload, another device or a new login resumes where the user was.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from fulfillment import selectors, services
from fulfillment.models import ScanEvent
from fulfillment.totes import tote_label
from oms.access import staff_view
from oms.errors import DomainError
from oms.scan_views import scan_response

HISTORY_SIZE = 10


def _screen(perm: str, *, post: bool = False) -> Callable:
    """Guard a view: log in first, then the permission (403), then the method."""

    return staff_view(perm, post=post)


def document_url(name: str, *args) -> str:
    """Return the URL of a printed document, or '' while that document does not exist."""
    try:
        return reverse(f"fulfillment:{name}", args=args)
    except NoReverseMatch:
        return ""


# --- waves --------------------------------------------------------------------------------------


@_screen("fulfillment.view_wave")
def wave_list(request):
    """List waves and the shipments ready to pick; build shipments and waves."""
    return render(
        request,
        "fulfillment/wave_list.html",
        {
            "waves": list(selectors.waves()[:50]),
            "ready": list(selectors.ready_shipments()[:200]),
            "carriers": list(selectors.carriers()),
        },
    )


@_screen("fulfillment.add_shipment", post=True)
def shipments_ready(request):
    """Make shipments for every order that is ready to ship."""
    try:
        created = services.shipments_create_ready(user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{len(created)} shipment(s) made from ready orders.")
    return redirect("fulfillment:wave_list")


@_screen("fulfillment.add_wave", post=True)
def wave_build(request):
    """Build a wave from the filters on the wave page."""
    try:
        wave = services.wave_create(
            user=request.user,
            carrier=request.POST.get("carrier", ""),
            min_priority=request.POST.get("min_priority") or None,
            vip_only=request.POST.get("vip_only") == "on",
            max_orders=request.POST.get("max_orders") or None,
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("fulfillment:wave_list")
    messages.success(request, f"{wave} built: {wave.shipments.count()} shipment(s).")
    return redirect("fulfillment:wave_detail", pk=wave.pk)


@_screen("fulfillment.view_wave")
def wave_detail(request, pk: int):
    """Show a wave's pick list in walking order, with the split per order and tote."""
    wave = selectors.wave_get(pk)
    if wave is None:
        raise Http404("That wave does not exist.")
    return render(
        request,
        "fulfillment/wave_detail.html",
        {
            "wave": wave,
            "plist": selectors.pick_list(wave),
            "shipments": selectors.wave_shipments(wave),
            "pick_list_url": document_url("wave_pick_list", wave.pk),
            "labels_url": document_url("wave_labels", wave.pk),
            "slips_url": document_url("wave_packing_slips", wave.pk),
        },
    )


# --- pick ---------------------------------------------------------------------------------------


def _last_answer(request, screen: str, **filters):
    event = selectors.last_scan(user=request.user, screen=screen, **filters)
    return event.answer if event is not None else None


def _pick_context(request, wave, answer=None) -> dict:
    plist = selectors.pick_list(wave)
    current = selectors.last_bin(wave_id=wave.pk, user=request.user)
    next_row = plist.next_row
    here = None
    if current is not None:
        here = next((row for row in plist.rows_for(location_id=current.pk) if not row.done), None)
    focus = here or next_row
    return {
        "wave": wave,
        "plist": plist,
        "current": current,
        "focus": focus,
        "focus_splits": [
            {**split.__dict__, "label": tote_label(split.tote), "left": split.left}
            for split in (focus.splits if focus else [])
            if split.left
        ],
        "answer": answer or _last_answer(request, ScanEvent.Screen.PICK, wave=wave),
        "history": selectors.scan_history(
            user=request.user, screen=ScanEvent.Screen.PICK, limit=HISTORY_SIZE, wave=wave
        ),
    }


@_screen("fulfillment.pick_shipment")
def pick(request, pk: int):
    """Show the pick screen of a wave: next bin, product, quantity left, totes, progress."""
    wave = selectors.wave_get(pk)
    if wave is None:
        raise Http404("That wave does not exist.")
    return render(request, "fulfillment/pick.html", _pick_context(request, wave))


@_screen("fulfillment.pick_shipment", post=True)
def pick_scan(request, pk: int):
    """Answer one scan on the pick screen."""
    wave = selectors.wave_get(pk)
    if wave is None:
        raise Http404("That wave does not exist.")
    code = request.POST.get("code", "")
    quantity = (request.POST.get("quantity") or "").strip() or None

    def panel(answer):
        wave.refresh_from_db()
        return render(request, "fulfillment/_pick_panel.html", _pick_context(request, wave, answer))

    return scan_response(
        request,
        lambda: services.pick_scan(
            user=request.user,
            code=code,
            wave_id=wave.pk,
            quantity=quantity,
            entry=request.POST.get("entry", ""),
        ),
        page=reverse("fulfillment:pick", args=[wave.pk]),
        panel=panel,
    )


# --- pack ---------------------------------------------------------------------------------------


def _pack_context(request, answer=None) -> dict:
    shipment = selectors.current_pack_shipment(request.user)
    if shipment is not None and shipment.status in ("shipped", "delivered", "cancelled"):
        shipment = None
    open_parcel = None
    suggested = None
    if shipment is not None:
        open_parcel = next((p for p in shipment.parcels.all() if p.is_open), None)
        suggested = services.suggested_weight(open_parcel)
    package_types = list(selectors.package_types())
    return {
        "shipment": shipment,
        "lines": list(shipment.lines.all()) if shipment else [],
        "parcels": list(shipment.parcels.all()) if shipment else [],
        "open_parcel": open_parcel,
        "suggested_weight": suggested,
        "package_types": package_types,
        "answer": answer or _last_answer(request, ScanEvent.Screen.PACK),
        "history": selectors.scan_history(
            user=request.user, screen=ScanEvent.Screen.PACK, limit=HISTORY_SIZE
        ),
        "label_url": document_url("shipment_label", shipment.pk) if shipment else "",
        "slip_url": document_url("shipment_packing_slip", shipment.pk) if shipment else "",
    }


def _pack_respond(request, call):
    return scan_response(
        request,
        call,
        page=reverse("fulfillment:pack"),
        panel=lambda answer: render(
            request, "fulfillment/_pack_panel.html", _pack_context(request, answer)
        ),
    )


@_screen("fulfillment.pack_shipment")
def pack(request):
    """Show the pack bench: scan the shipment or order, then every item; close parcels."""
    return render(request, "fulfillment/pack.html", _pack_context(request))


@_screen("fulfillment.pack_shipment", post=True)
def pack_scan(request):
    """Answer one scan at the pack bench."""
    current = selectors.current_pack_shipment(request.user)
    return _pack_respond(
        request,
        lambda: services.pack_scan(
            user=request.user,
            code=request.POST.get("code", ""),
            shipment_id=current.pk if current else None,
            quantity=(request.POST.get("quantity") or "").strip() or None,
            package_type_id=request.POST.get("package_type") or None,
            entry=request.POST.get("entry", ""),
        ),
    )


@_screen("fulfillment.pack_shipment", post=True)
def pack_close(request):
    """Close the open parcel with the chosen box and weight."""
    current = selectors.current_pack_shipment(request.user)
    return _pack_respond(
        request,
        lambda: services.parcel_close(
            user=request.user,
            shipment_id=current.pk if current else None,
            package_type_id=request.POST.get("package_type") or None,
            weight_grams=(request.POST.get("weight_grams") or "").strip() or None,
        ),
    )


# --- shipments and shipping ---------------------------------------------------------------------


@_screen("fulfillment.view_shipment")
def shipment_detail(request, pk: int):
    """Show a shipment and, when packed, the ship form: carrier, service, tracking number."""
    shipment = selectors.shipment_get(pk)
    if shipment is None:
        raise Http404("That shipment does not exist.")
    return render(
        request,
        "fulfillment/shipment_detail.html",
        {
            "shipment": shipment,
            "carriers": list(selectors.carriers()),
            "methods": list(selectors.shipping_methods()),
            "label_url": document_url("shipment_label", shipment.pk),
            "slip_url": document_url("shipment_packing_slip", shipment.pk),
            "error": request.session.pop(f"ship_error_{pk}", None),
        },
    )


@_screen("fulfillment.ship_shipment", post=True)
def shipment_ship(request, pk: int):
    """Ship a packed shipment; a refusal is shown on the form, the typed values kept."""
    try:
        shipment = services.shipment_ship(
            shipment_id=pk,
            user=request.user,
            carrier=request.POST.get("carrier", ""),
            shipping_method_id=request.POST.get("shipping_method") or None,
            tracking_number=request.POST.get("tracking_number", ""),
        )
    except DomainError as error:
        request.session[f"ship_error_{pk}"] = {
            "message": error.message,
            "field": error.field or "",
            "tracking_number": request.POST.get("tracking_number", ""),
        }
        return redirect("fulfillment:shipment_detail", pk=pk)
    messages.success(
        request, f"{shipment} shipped with {shipment.carrier}, tracking {shipment.tracking_number}."
    )
    return redirect("fulfillment:shipment_detail", pk=pk)


@_screen("fulfillment.cancel_shipment", post=True)
def shipment_cancel(request, pk: int):
    """Cancel a shipment before it ships."""
    try:
        services.shipment_cancel(
            shipment_id=pk, user=request.user, reason=request.POST.get("reason", "")
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Shipment cancelled; its items stay allocated to the order.")
    return redirect("fulfillment:shipment_detail", pk=pk)
