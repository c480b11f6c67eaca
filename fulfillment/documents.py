"""Printed documents of the warehouse floor: shipping labels, packing slips and pick lists.

Each ``*_context`` function turns models into the plain dictionary its
template under ``templates/documents/`` expects; each ``*_pdf`` function
renders it with ``oms.pdf``. Batch functions (a wave's labels or slips) read
everything in a constant number of queries and lay the documents out in one
WeasyPrint pass, one page (or more) per document. The invoice is orders'
(``orders.documents``), bin and product labels inventory's
(``inventory.documents``).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from fulfillment import selectors
from fulfillment.models import Shipment, Wave
from oms import pdf
from oms.documents import company_context
from orders.documents import address_context

SHIPPING_LABEL = "documents/shipping_label.html"
PACKING_SLIP = "documents/packing_slip.html"
PICK_LIST = "documents/pick_list.html"

DEFAULT_RETURN_INSTRUCTIONS = (
    "Not what you wanted? Return unused items within 30 days. Put them back in the parcel "
    "with this slip, quote the order number above, and we will refund or replace them as "
    "soon as they arrive."
)
PICK_COMMANDS = [
    {"code": "CMD-SHORT", "label": "Short pick"},
    {"code": "CMD-UNDO", "label": "Undo last scan"},
    {"code": "CMD-DONE", "label": "Finish"},
]
SHIPPED_STATES = {Shipment.Status.SHIPPED, Shipment.Status.DELIVERED}


# --- parts shared by several documents ---------------------------------------------------------


def sender_context(shipment: Shipment) -> dict:
    """Return who a parcel comes from: the company and the shipping warehouse's address."""
    warehouse = shipment.warehouse
    lines = [warehouse.name]
    lines += [
        line.strip() for line in warehouse.address.replace("\n", ",").split(",") if line.strip()
    ]
    return {"name": settings.OMS_COMPANY_NAME, "lines": lines}


def format_weight(grams: int | None) -> str:
    """Print a weight in kilograms, e.g. 1250 -> '1.25 kg'; '' when unknown."""
    if not grams:
        return ""
    return f"{Decimal(grams) / 1000:.2f} kg"


def _method(shipment: Shipment) -> tuple[str, str]:
    carrier = shipment.carrier.name if shipment.carrier_id else ""
    service = shipment.shipping_method.name if shipment.shipping_method_id else ""
    if not carrier and shipment.shipping_method_id:
        carrier = shipment.shipping_method.carrier.name
    return carrier, service


# --- shipping labels ---------------------------------------------------------------------------


def shipment_label_contexts(shipment: Shipment) -> list[dict]:
    """Return one label per parcel (parcel n of m); one label when nothing is boxed yet."""
    order = shipment.order
    parcels = list(shipment.parcels.all())
    carrier, service = _method(shipment)
    common = {
        "sender": sender_context(shipment),
        "recipient": address_context(shipment.ship_to) or {"name": order.customer.name},
        "carrier": carrier,
        "service": service,
        "order_number": order.number,
        "shipment_number": shipment.number,
        "ship_date": timezone.localdate(shipment.shipped_at) if shipment.shipped_at else None,
    }
    if not parcels:
        return [
            {
                **common,
                "weight": "",
                "parcel_number": 1,
                "parcel_count": 1,
                "tracking_number": shipment.tracking_number,
            }
        ]
    return [
        {
            **common,
            "weight": format_weight(parcel.weight_grams),
            "parcel_number": parcel.number,
            "parcel_count": len(parcels),
            "tracking_number": parcel.tracking_number or shipment.tracking_number,
        }
        for parcel in parcels
    ]


def shipment_label_pdf(shipment: Shipment) -> bytes:
    """Print a shipment's labels (4 x 6 in), one page per parcel."""
    return pdf.render_many(SHIPPING_LABEL, shipment_label_contexts(shipment))


def wave_label_contexts(wave: Wave) -> list[dict]:
    """Return the labels of every live shipment of a wave, in tote order."""
    return [
        context
        for shipment in _wave_shipments(wave)
        for context in shipment_label_contexts(shipment)
    ]


def shipping_labels_pdf(contexts: list[dict], *, progress=None) -> bytes:
    """Print shipping labels into one PDF, reporting ``progress`` when given."""
    return pdf.render_many(SHIPPING_LABEL, contexts, progress=progress)


def wave_labels_pdf(wave: Wave, *, progress=None) -> bytes:
    """Print the labels of every live shipment of a wave into one PDF, in tote order."""
    return shipping_labels_pdf(wave_label_contexts(wave), progress=progress)


def _wave_shipments(wave: Wave) -> list[Shipment]:
    """Return the wave's shipments that still go out, with everything a document prints."""
    return list(
        selectors.shipments()
        .filter(wave=wave)
        .exclude(status=Shipment.Status.CANCELLED)
        .order_by("wave_position", "pk")
    )


# --- packing slips -----------------------------------------------------------------------------


def packing_slip_context(shipment: Shipment) -> dict:
    """Return a shipment's packing slip: what is in the box, what was ordered, what follows."""
    order = shipment.order
    carrier, service = _method(shipment)
    shipped = shipment.status in SHIPPED_STATES
    rows: dict[int, dict] = {}
    for line in shipment.lines.all():
        order_line = line.order_line
        row = rows.get(order_line.pk)
        if row is None:
            row = rows[order_line.pk] = {
                "sku": order_line.sku,
                "name": order_line.name,
                "ordered": order_line.quantity,
                "already_shipped": order_line.quantity_shipped,
                "quantity": 0,
            }
        row["quantity"] += line.packed if line.packed else line.quantity - line.short
    lines = []
    for row in rows.values():
        elsewhere = row.pop("already_shipped") - (row["quantity"] if shipped else 0)
        row["to_follow"] = max(0, row["ordered"] - elsewhere - row["quantity"])
        lines.append(row)
    parcels = list(shipment.parcels.all())
    return {
        "company": company_context(),
        "order_number": order.number,
        "order_date": timezone.localdate(order.placed_at) if order.placed_at else None,
        "customer_reference": order.external_reference,
        "shipment_number": shipment.number,
        "ship_date": timezone.localdate(shipment.shipped_at) if shipment.shipped_at else None,
        "shipping_address": address_context(shipment.ship_to),
        "billing_address": address_context(order.billing_address),
        "carrier": carrier,
        "service": service,
        "tracking_number": shipment.tracking_number,
        "parcel_count": len(parcels),
        "lines": lines,
        "total_quantity": sum(row["quantity"] for row in lines),
        "return_instructions": getattr(
            settings, "OMS_RETURN_INSTRUCTIONS", DEFAULT_RETURN_INSTRUCTIONS
        ),
    }


def packing_slip_pdf(shipment: Shipment) -> bytes:
    """Print a shipment's packing slip (A4)."""
    return pdf.render_pdf(PACKING_SLIP, packing_slip_context(shipment))


def wave_packing_slip_contexts(wave: Wave) -> list[dict]:
    """Return the packing slips of every live shipment of a wave, in tote order."""
    return [packing_slip_context(shipment) for shipment in _wave_shipments(wave)]


def packing_slips_pdf(contexts: list[dict], *, progress=None) -> bytes:
    """Print packing slips into one PDF, reporting ``progress`` when given."""
    return pdf.render_many(PACKING_SLIP, contexts, progress=progress)


def wave_packing_slips_pdf(wave: Wave, *, progress=None) -> bytes:
    """Print the packing slips of every live shipment of a wave into one PDF."""
    return packing_slips_pdf(wave_packing_slip_contexts(wave), progress=progress)


# --- pick lists --------------------------------------------------------------------------------


def pick_list_context(wave: Wave) -> dict:
    """Return a wave's pick list: stops in walking order, each bin with its products and totes."""
    pick = selectors.pick_list(wave)
    stops: list[dict] = []
    for row in pick.rows:
        location = row.location
        if not stops or stops[-1]["location_id"] != location.pk:
            stops.append(
                {
                    "location_id": location.pk,
                    "bin_code": location.code,
                    "bin_barcode": location.barcode,
                    "lines": [],
                }
            )
        stops[-1]["lines"].append(
            {
                "sku": row.product.sku,
                "name": row.product.name,
                "barcode": row.product.barcode or "",
                "quantity": row.quantity,
                "split": [
                    {"tote": split.tote, "order_number": split.order, "quantity": split.quantity}
                    for split in row.splits
                ],
            }
        )
    shipments = [s for s in selectors.wave_shipments(wave) if s.status != Shipment.Status.CANCELLED]
    totes = []
    for shipment in shipments:
        carrier, service = _method(shipment)
        totes.append(
            {
                "tote": shipment.wave_position,
                "order_number": shipment.order.number,
                "shipment_number": shipment.number,
                "customer": shipment.order.customer.name,
                "ship_with": " ".join(part for part in (carrier, service) if part),
                "vip": shipment.order.is_vip,
            }
        )
    warehouse = stops and pick.rows[0].location.warehouse
    return {
        "company": company_context(),
        "wave": {
            "number": wave.number or f"WAVE-{wave.pk}",
            "created_at": wave.created_at,
            "created_by": wave.created_by.get_username() if wave.created_by_id else "",
            "warehouse": str(warehouse) if warehouse else "",
        },
        "totes": totes,
        "stops": stops,
        "totals": {"orders": len(totes), "stops": len(stops), "units": pick.units_total},
        "commands": PICK_COMMANDS,
    }


def pick_list_pdf(wave: Wave) -> bytes:
    """Print a wave's pick list (A4) in walking order."""
    return pdf.render_pdf(PICK_LIST, pick_list_context(wave))


# --- a chosen batch of shipments (the admin's print actions) -----------------------------------


def _chosen_shipments(shipment_ids) -> list[Shipment]:
    """Return the named shipments with everything a document prints, in number order."""
    return list(selectors.shipments().filter(pk__in=list(shipment_ids)).order_by("pk"))


def batch_document_count(shipment_ids) -> int:
    """Return how many labels the named shipments print: one per parcel, at least one each."""
    ids = list(shipment_ids)
    parcels = (
        Shipment.objects.filter(pk__in=ids)
        .annotate(boxes=models.Count("parcels"))
        .values_list("boxes", flat=True)
    )
    return sum(max(1, boxes) for boxes in parcels)


def batch_labels_pdf(shipment_ids, *, progress=None) -> bytes:
    """Print the labels of the named shipments into one PDF, one page per parcel."""
    contexts = [
        context
        for shipment in _chosen_shipments(shipment_ids)
        for context in shipment_label_contexts(shipment)
    ]
    return shipping_labels_pdf(contexts, progress=progress)


def batch_packing_slips_pdf(shipment_ids, *, progress=None) -> bytes:
    """Print the packing slips of the named shipments into one PDF."""
    contexts = [packing_slip_context(shipment) for shipment in _chosen_shipments(shipment_ids)]
    return packing_slips_pdf(contexts, progress=progress)
