"""The returns app's printed documents: the return label, the RMA slip, the credit note."""

from __future__ import annotations

from decimal import Decimal

from oms import pdf
from oms.documents import company_context
from orders.documents import address_context
from returns.models import CreditNote, Return

INSTRUCTIONS = (
    "Pack the items with the RMA slip inside, stick this label on the parcel and hand it to "
    "the carrier."
)


def warehouse_address(rma: Return) -> dict:
    """Return where returns go: the company at the receiving warehouse's address."""
    company = company_context()
    parts = [p.strip() for p in rma.warehouse.address.replace("\n", ",").split(",") if p.strip()]
    parts = parts or list(company["lines"])
    postal, city = "", ""
    if len(parts) >= 2:
        city = parts[-1]
        postal = parts[-2] if len(parts) >= 3 else ""
        street = parts[: len(parts) - (2 if postal else 1)]
    else:
        street = parts
    return {
        "name": f"{company['name']} Returns",
        "company": f"{rma.warehouse.name} · {rma.number}",
        "street": street,
        "postal_code": postal,
        "city": city,
        "country": "",
    }


def return_label_context(rma: Return) -> dict:
    sender = address_context(rma.order.shipping_address) or {
        "name": rma.customer.name,
        "street": [],
    }
    return {
        "sender": sender,
        "recipient": warehouse_address(rma),
        "rma_number": rma.number,
        "order_number": rma.order.number,
        "carrier": rma.carrier,
        "service": "",
        "tracking_number": rma.tracking_number,
        "instructions": INSTRUCTIONS,
    }


def return_label_pdf(rma: Return) -> bytes:
    """Render the 4x6 in return label: the warehouse as destination, the RMA as a barcode."""
    return pdf.render_pdf("documents/return_label.html", return_label_context(rma))


def rma_slip_pdf(rma: Return) -> bytes:
    """Render the A4 slip the customer puts in the parcel: what comes back and why."""
    return pdf.render_pdf(
        "documents/rma_slip.html",
        {
            "company": company_context(),
            "rma": rma,
            "lines": [
                line
                for line in rma.lines.all()
                if line.quantity_authorized or line.quantity_requested
            ],
            "customer": rma.customer,
            "address": address_context(rma.order.shipping_address),
            "instructions": INSTRUCTIONS,
        },
    )


def credit_note_context(note: CreditNote) -> dict:
    rates: dict[str, dict] = {}
    for row in note.lines:
        bucket = rates.setdefault(
            row["rate"], {"net": Decimal(0), "tax": Decimal(0), "gross": Decimal(0)}
        )
        for key in ("net", "tax", "gross"):
            bucket[key] += Decimal(row[key])
    return {
        "company": company_context(),
        "note": note,
        "lines": [
            {**row, "rate_percent": (Decimal(row["rate"]) * 100).normalize()} for row in note.lines
        ],
        "tax_bases": [
            {"rate": (Decimal(rate) * 100).normalize(), **values}
            for rate, values in sorted(rates.items())
        ],
        "billing_address": address_context(
            note.order.billing_address or note.order.shipping_address
        ),
        "refund": note.refund,
    }


def credit_note_pdf(note: CreditNote) -> bytes:
    """Render a credit note (A4): number, date, the order it corrects, lines, tax by rate."""
    return pdf.render_pdf("documents/credit_note.html", credit_note_context(note))
