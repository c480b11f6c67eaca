"""The shapes the returns and refunds API reads and writes.

Input serializers check shape and bounds only (``oms.api_inputs``); which
units may come back, what may be refunded and from which state is the
services' job, so the API and the pages refuse the same things in the same
words. Output is plain dictionaries built from rows ``returns.selectors``
loaded (no further queries).
"""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from oms.api_inputs import money, object_id, text, whole
from oms.services import MAX_QUANTITY
from returns.models import Disposition, Refund
from returns.services.batches import MAX_BATCH_LINES
from returns.services.requests import MAX_RETURN_LINES, NOTE_LENGTH


def _many(child, *, limit: int, **kwargs):
    return child(
        many=True,
        min_length=1,
        max_length=limit,
        error_messages={
            "max_length": f"Give at most {limit} lines.",
            "min_length": "Give at least one line.",
            "empty": "Give at least one line.",
        },
        **kwargs,
    )


def _quantity(**kwargs):
    return whole("Quantity", minimum=1, maximum=MAX_QUANTITY, **kwargs)


# --- input -------------------------------------------------------------------------------------


class ReturnLineInputSerializer(serializers.Serializer):
    sku = text(max_length=64, required=False, allow_blank=True, help_text="The item's SKU.")
    order_line = object_id("Order line", required=False, help_text="Or the order line's id.")
    quantity = _quantity()
    reason = text(
        max_length=30,
        help_text="damaged, defective, wrong_item, not_as_described, no_longer_needed or other.",
    )
    note = text(
        max_length=NOTE_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="Needed by some reasons (other).",
    )


class ReturnCreateSerializer(serializers.Serializer):
    order = object_id("Order")
    lines = _many(ReturnLineInputSerializer, limit=MAX_RETURN_LINES)
    notes = text(max_length=2000, required=False, allow_blank=True, default="")


class ReturnAuthorizeSerializer(serializers.Serializer):
    quantities = serializers.DictField(
        child=whole("Quantity", minimum=0, maximum=MAX_QUANTITY),
        required=False,
        default=dict,
        help_text="{return line id: units}, to authorize fewer than asked.",
    )
    outside_window_reason = text(max_length=255, required=False, allow_blank=True, default="")
    carrier = text(max_length=100, required=False, allow_blank=True, default="")
    tracking_number = text(max_length=100, required=False, allow_blank=True, default="")

    def validate_quantities(self, value):
        if len(value) > MAX_RETURN_LINES:
            raise serializers.ValidationError(f"Give at most {MAX_RETURN_LINES} lines.")
        return value


class ReturnReasonInputSerializer(serializers.Serializer):
    reason = text(max_length=255)


class ReturnNoteSerializer(serializers.Serializer):
    note = text(max_length=255, required=False, allow_blank=True, default="")


class ReceiveLineSerializer(serializers.Serializer):
    sku = text(max_length=64, required=False, allow_blank=True)
    line = object_id("Return line", required=False, help_text="Or the return line's id.")
    quantity = _quantity(required=False, default=1)


class ReceiveSerializer(serializers.Serializer):
    lines = _many(ReceiveLineSerializer, limit=MAX_BATCH_LINES)


class InspectLineSerializer(ReceiveLineSerializer):
    disposition = serializers.ChoiceField(
        choices=Disposition.Kind.choices,
        error_messages={"invalid_choice": "Choose restock, scrap, quarantine or replace."},
    )
    location = text(
        max_length=32,
        required=False,
        allow_blank=True,
        default="",
        help_text="The bin restocked units go to (its code).",
    )
    goods = serializers.ChoiceField(
        choices=[("restock", "restock"), ("scrap", "scrap")],
        required=False,
        default="restock",
        help_text="For a replacement: restock or scrap the returned units.",
    )
    note = text(max_length=500, required=False, allow_blank=True, default="")


class InspectSerializer(serializers.Serializer):
    lines = _many(InspectLineSerializer, limit=MAX_BATCH_LINES)


class RefundLineInputSerializer(serializers.Serializer):
    sku = text(max_length=64, required=False, allow_blank=True)
    return_line = object_id("Return line", required=False, help_text="Or the return line's id.")
    quantity = _quantity()


class RefundCreateSerializer(serializers.Serializer):
    order = object_id("Order")
    # "return" is a Python keyword: get_fields adds that field.
    lines = RefundLineInputSerializer(
        many=True,
        required=False,
        default=list,
        max_length=MAX_BATCH_LINES,
        error_messages={"max_length": f"Give at most {MAX_BATCH_LINES} lines."},
    )
    amount = money("Amount", required=False, allow_null=True, default=None)
    shipping_amount = money("Shipping refunded", required=False, default="0")
    method = serializers.ChoiceField(
        choices=Refund.Method.choices,
        required=False,
        default=Refund.Method.ORIGINAL,
        error_messages={"invalid_choice": "Choose how the money goes back."},
    )
    reason = text(max_length=255)

    def get_fields(self):
        fields = super().get_fields()
        fields["return"] = object_id(
            "Return",
            required=False,
            allow_null=True,
            default=None,
            help_text="The return it pays back (managers may refund without one).",
        )
        return fields


class PaySerializer(serializers.Serializer):
    reference = text(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text="The payment provider's reference (not needed for cash or store credit).",
    )


# --- output ------------------------------------------------------------------------------------


def moment(value) -> str | None:
    return value.isoformat() if value else None


def _user(user) -> str | None:
    return user.get_username() if user is not None else None


def return_as_dict(rma, *, full: bool = True) -> dict:
    """Serialise a return loaded by ``selectors.return_get`` or ``selectors.returns_for_api``."""
    data = {
        "id": rma.pk,
        "number": rma.number,
        "status": rma.status,
        "source": rma.source,
        "order": {"id": rma.order_id, "number": rma.order.number},
        "customer": {"id": rma.customer_id, "name": rma.customer.name},
        "warehouse": rma.warehouse.code,
        "window_ends_on": rma.window_ends_on.isoformat() if rma.window_ends_on else None,
        "outside_window_reason": rma.outside_window_reason,
        "notes": rma.notes,
        "carrier": rma.carrier,
        "tracking_number": rma.tracking_number,
        "created_at": moment(rma.created_at),
        "authorized_at": moment(rma.authorized_at),
        "received_at": moment(rma.received_at),
        "inspected_at": moment(rma.inspected_at),
        "closed_at": moment(rma.closed_at),
        "version": rma.version,
        "lines": [_return_line(line, full=full) for line in rma.lines.all()],
    }
    if full:
        data["refunds"] = [
            {"id": r.pk, "number": r.number, "status": r.status, "amount": str(r.amount)}
            for r in rma.refunds.all()
        ]
        data["events"] = [
            {
                "at": moment(event.created_at),
                "from_status": event.from_status,
                "to_status": event.to_status,
                "note": event.note,
                "user": _user(event.user),
            }
            for event in rma.events.all()
        ]
    return data


def _return_line(line, *, full: bool) -> dict:
    data = {
        "id": line.pk,
        "order_line": line.order_line_id,
        "sku": line.order_line.sku,
        "name": line.order_line.name,
        "quantity_requested": line.quantity_requested,
        "quantity_authorized": line.quantity_authorized,
        "quantity_received": line.quantity_received,
        "quantity_decided": line.quantity_decided,
        "reason": line.reason.code,
        "note": line.note,
    }
    if full:
        data["dispositions"] = [
            {
                "kind": d.kind,
                "quantity": d.quantity,
                "location": d.location.code if d.location_id else None,
                "goods_restocked": d.goods_restocked,
                "replacement_order": d.replacement_order.number if d.replacement_order_id else None,
                "at": moment(d.created_at),
                "user": _user(d.user),
            }
            for d in line.dispositions.all()
            if d.undone_at is None
        ]
    return data


def refund_as_dict(refund) -> dict:
    """Serialise a refund loaded by ``selectors.refunds_for_api`` (no further queries)."""
    note = getattr(refund, "credit_note", None)
    return {
        "id": refund.pk,
        "number": refund.number,
        "status": refund.status,
        "order": {"id": refund.order_id, "number": refund.order.number},
        "return": {"id": refund.rma_id, "number": refund.rma.number} if refund.rma_id else None,
        "amount": str(refund.amount),
        "shipping_amount": str(refund.shipping_amount),
        "currency": refund.currency,
        "method": refund.method,
        "reason": refund.reason,
        "provider_reference": refund.provider_reference,
        "rejection_reason": refund.rejection_reason,
        "requested_by": _user(refund.requested_by),
        "approved_by": _user(refund.approved_by),
        "approved_at": moment(refund.approved_at),
        "paid_at": moment(refund.paid_at),
        "created_at": moment(refund.created_at),
        "lines": [
            {
                "return_line": line.return_line_id,
                "sku": line.return_line.order_line.sku,
                "quantity": line.quantity,
                "amount": str(line.amount),
            }
            for line in refund.lines.all()
        ],
        "credit_note": (
            {
                "number": note.number,
                "issued_on": note.issued_on.isoformat(),
                "net": str(note.net),
                "tax": str(note.tax),
                "gross": str(note.gross),
                "pdf": reverse("returns:credit_note_pdf", args=[note.pk]),
            }
            if note is not None
            else None
        ),
    }
