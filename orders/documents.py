"""Orders' printed document: the invoice, built from the order (rendered by ``oms.pdf``).

``address_context`` prints an order's address the way every document does;
fulfillment's labels and slips use it for a shipment's address too.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from oms import pdf
from oms.documents import company_context
from orders.models import Payment
from orders.payments import amount_received
from orders.taxes import tax_bases

INVOICE = "documents/invoice.html"


def address_context(address) -> dict | None:
    """Return an order's address as the templates print it, or None when there is none."""
    if address is None:
        return None
    return {
        "name": address.name,
        "company": address.company,
        "street": [line for line in (address.line1, address.line2) if line],
        "postal_code": address.postal_code,
        "city": address.city,
        "region": address.region,
        "country": address.country,
        "phone": address.phone,
    }


def payment_status(order) -> tuple[str, str, Decimal]:
    """Return (code, label, amount paid) of an order: paid, partly paid, on account, authorised or unpaid."""
    payments = list(order.payments.all())
    paid = amount_received(payments)
    if order.total and paid >= order.total:
        return "paid", "Paid", paid
    if paid > 0:
        return "partly_paid", "Partly paid", paid
    if any(p.status == Payment.Status.ON_ACCOUNT for p in payments):
        return "on_account", "On account", paid
    if any(p.status == Payment.Status.AUTHORISED for p in payments):
        return "authorised", "Payment authorised", paid
    return "unpaid", "Unpaid", paid


def invoice_context(order) -> dict:
    """Return an order's invoice: its lines with their tax rates, the tax by rate, the payments."""
    status, label, paid = payment_status(order)
    order_lines = list(order.lines.all())
    lines = [
        {
            "sku": line.sku,
            "name": line.name,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "tax_rate": (line.tax_rate * 100).normalize(),
            "total": line.line_total,
        }
        for line in order_lines
    ]
    return {
        "company": company_context(),
        "invoice_number": f"INV-{order.number}",
        "invoice_date": timezone.localdate(),
        "order_number": order.number,
        "order_date": timezone.localdate(order.placed_at) if order.placed_at else None,
        "customer_reference": order.external_reference,
        "customer_email": order.customer.email,
        "billing_address": address_context(order.billing_address or order.shipping_address)
        or {"name": order.customer.name},
        "shipping_address": address_context(order.shipping_address),
        "lines": lines,
        "payments": [
            {
                "date": timezone.localdate(payment.created_at),
                "method": payment.get_method_display(),
                "reference": payment.reference,
                "status": payment.get_status_display(),
                "amount": payment.amount,
            }
            for payment in order.payments.all()
        ],
        "payment_status": status,
        "payment_status_label": label,
        "subtotal": order.subtotal,
        "shipping_price": order.shipping_price,
        "shipping_method": order.shipping_method,
        "total": order.total,
        "paid": paid,
        "balance": max(order.total - paid, Decimal("0.00")),
        "currency": order.currency,
        "prices_include_tax": order.prices_include_tax,
        "tax_total": order.tax_total,
        "tax_bases": tax_bases(order, order_lines),
        "tax_number": getattr(settings, "OMS_SELLER_TAX_NUMBER", ""),
        "tax_note": TAX_NOTES.get(order.tax_note, ""),
        "tax_exempt_reference": order.customer.tax_exempt_reference,
    }


TAX_NOTES = {
    "export": "Export outside the seller's country: zero-rated.",
    "exempt": "The customer is exempt from tax.",
}


def invoice_pdf(order) -> bytes:
    """Print an order's invoice (A4)."""
    return pdf.render_pdf(INVOICE, invoice_context(order))
