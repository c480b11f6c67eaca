"""The accounting export: invoices and credit notes of a date range, as one batch file.

Apps hand their documents over through ``register_source``: orders its
invoices, the returns app its credit notes (from its ``AppConfig.ready``)::

    from oms.accounting import register_source
    register_source("credit_note", credit_notes_between)   # (start, end) -> [Document]

A credit note is a ``Document`` of kind ``credit_note`` whose amounts are
positive as on the note; the profiles write it as the accounting package
expects (negative quantities for Xero and QuickBooks). Rules:

- a document goes into one batch only (a database constraint); a batch is
  re-exported only on purpose (``accounting_batch_reexport``), as a new
  batch marked as a copy;
- a file whose lines do not add up to each document's tax and total is
  refused, and nothing is written.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction

from oms.cells import safe_row
from oms.errors import Conflict, InvalidInput, NotFound
from oms.models import AccountingBatch, BatchDocument
from oms.numbers import assign_number

Profile = AccountingBatch.Profile
MAX_DAYS = 366
PAYMENT_DAYS = 30
SALES_ACCOUNT = "200"  # Xero's default sales account code


@dataclass(frozen=True)
class Line:
    description: str
    quantity: int
    unit_price: Decimal
    net: Decimal
    tax_rate: Decimal
    tax: Decimal
    sku: str = ""


@dataclass(frozen=True)
class Document:
    kind: str  # "invoice" or "credit_note"
    number: str
    date: datetime.date
    customer: str
    email: str
    currency: str
    tax_total: Decimal
    total: Decimal
    lines: tuple[Line, ...]
    reference: str = ""


_SOURCES: dict[str, Callable[[datetime.date, datetime.date], Iterable[Document]]] = {}


def register_source(kind: str, documents: Callable) -> None:
    """Add a kind of document: ``documents(start, end)`` gives those dated in [start, end]."""
    _SOURCES[kind] = documents


def check_totals(documents: Iterable[Document]) -> None:
    """Refuse documents whose lines do not add up to their tax and total (nothing is written)."""
    wrong = []
    for doc in documents:
        net = sum((line.net for line in doc.lines), Decimal("0"))
        tax = sum((line.tax for line in doc.lines), Decimal("0"))
        if tax != doc.tax_total or net + tax != doc.total:
            wrong.append(f"{doc.number} (lines {net + tax}, document {doc.total})")
    if wrong:
        raise InvalidInput(
            "The lines of these documents do not add up to their totals, so nothing was "
            "exported: " + ", ".join(wrong[:10]) + (" …" if len(wrong) > 10 else ""),
            code="totals_mismatch",
        )


def _sign(doc: Document) -> int:
    return -1 if doc.kind == "credit_note" else 1


def _generic(doc: Document, line: Line) -> list:
    return [
        doc.kind, doc.number, doc.date.isoformat(), doc.reference, doc.customer, doc.email,
        doc.currency, line.sku, line.description, line.quantity, line.unit_price, line.net,
        line.tax_rate, line.tax, line.net + line.tax,
    ]  # fmt: skip


def _percent(rate: Decimal) -> str:
    """20 for 0.2000, 17.5 for 0.1750."""
    text = f"{Decimal(rate) * 100:.1f}"
    return text[:-2] if text.endswith(".0") else text


def xero_tax_type(rate: Decimal) -> str:
    """Xero's UK tax type for a sales line at this rate (0: zero-rated)."""
    if not rate:
        return "Zero Rated Income"
    return f"{_percent(rate)}% (VAT on Income)"


def quickbooks_tax_code(rate: Decimal) -> str:
    """QuickBooks Online's UK VAT code for a sales line: standard (S), reduced (R), zero (Z)."""
    if not rate:
        return "0.0% Z"
    percent = Decimal(rate) * 100
    return f"{percent:.1f}% {'R' if percent < 10 else 'S'}"


def _xero(doc: Document, line: Line) -> list:
    due = doc.date + datetime.timedelta(days=PAYMENT_DAYS)
    tax_type = xero_tax_type(line.tax_rate)
    return [
        doc.customer, doc.email, doc.number, doc.reference, doc.date.strftime("%d/%m/%Y"),
        due.strftime("%d/%m/%Y"), line.sku, line.description, _sign(doc) * line.quantity,
        line.unit_price, SALES_ACCOUNT, tax_type, _sign(doc) * line.tax, doc.currency,
    ]  # fmt: skip


def _quickbooks(doc: Document, line: Line) -> list:
    due = doc.date + datetime.timedelta(days=PAYMENT_DAYS)
    return [
        doc.number, doc.customer, doc.date.strftime("%m/%d/%Y"), due.strftime("%m/%d/%Y"),
        line.sku or "Shipping", line.description, _sign(doc) * line.quantity, line.unit_price,
        _sign(doc) * line.net, quickbooks_tax_code(line.tax_rate), _sign(doc) * line.tax,
        doc.currency,
    ]  # fmt: skip


LAYOUTS = {
    Profile.GENERIC: (
        ["Type", "Number", "Date", "Reference", "Customer", "Email", "Currency", "SKU",
         "Description", "Quantity", "UnitPrice", "Net", "TaxRate", "Tax", "Total"],
        _generic,
    ),
    Profile.XERO: (
        ["*ContactName", "EmailAddress", "*InvoiceNumber", "Reference", "*InvoiceDate",
         "*DueDate", "InventoryItemCode", "*Description", "*Quantity", "*UnitAmount",
         "*AccountCode", "*TaxType", "TaxAmount", "Currency"],
        _xero,
    ),
    Profile.QUICKBOOKS: (
        ["InvoiceNo", "Customer", "InvoiceDate", "DueDate", "Item(Product/Service)",
         "ItemDescription", "ItemQuantity", "ItemRate", "ItemAmount", "ItemTaxCode",
         "ItemTaxAmount", "Currency"],
        _quickbooks,
    ),
}  # fmt: skip


def render(profile: str, documents: list[Document]) -> str:
    """Write the documents in a profile's layout, one row per line."""
    header, row = LAYOUTS[profile]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for doc in documents:
        for line in doc.lines:
            writer.writerow(safe_row(row(doc, line)))
    return out.getvalue()


def _documents(start: datetime.date, end: datetime.date) -> list[Document]:
    found = []
    for documents in _SOURCES.values():
        found.extend(documents(start, end))
    return sorted(found, key=lambda d: (d.date, d.kind, d.number))


def _check_range(start, end, profile) -> None:
    if profile not in Profile.values:
        raise InvalidInput("Choose generic, Xero or QuickBooks.", code="profile", field="profile")
    if start > end:
        raise InvalidInput("The end date is before the start date.", field="date_to")
    if (end - start).days >= MAX_DAYS:
        raise InvalidInput(f"Choose at most {MAX_DAYS} days.", field="date_from")


def _write(batch: AccountingBatch, documents: list[Document], *, reexport: bool) -> None:
    batch.content = render(batch.profile, documents)
    batch.document_count = len(documents)
    batch.total = sum((_sign(d) * d.total for d in documents), Decimal("0"))
    batch.save()
    assign_number(batch, "ACC")
    BatchDocument.objects.bulk_create(
        BatchDocument(
            batch=batch, kind=d.kind, number=d.number, total=d.total, is_reexport=reexport
        )
        for d in documents
    )


def accounting_batch_create(
    *, date_from: datetime.date, date_to: datetime.date, profile: str, user
) -> AccountingBatch:
    """Export the range's documents that no earlier batch holds; refuse a file that does not add up."""
    _check_range(date_from, date_to, profile)
    with transaction.atomic():
        taken = set(BatchDocument.objects.filter(is_reexport=False).values_list("kind", "number"))
        documents = [d for d in _documents(date_from, date_to) if (d.kind, d.number) not in taken]
        if not documents:
            raise InvalidInput(
                "There is nothing new to export in these dates: every document is already in a "
                "batch (re-export that batch to get its file again).",
                code="nothing_to_export",
            )
        check_totals(documents)
        batch = AccountingBatch(
            profile=profile, date_from=date_from, date_to=date_to, created_by=user
        )
        try:
            with transaction.atomic():
                _write(batch, documents, reexport=False)
        except IntegrityError as error:
            raise Conflict(
                "Another export took some of these documents just now; try again."
            ) from error
    return batch


def accounting_batch_reexport(
    *, batch_id: int, user, profile: str | None = None
) -> AccountingBatch:
    """Export a batch's documents again, on purpose, as a new batch marked as a copy."""
    original = AccountingBatch.objects.filter(pk=batch_id, reexport_of__isnull=True).first()
    if original is None:
        raise NotFound("That batch does not exist.", code="unknown_batch")
    profile = profile or original.profile
    _check_range(original.date_from, original.date_to, profile)
    wanted = set(original.documents.values_list("kind", "number"))
    documents = [
        d for d in _documents(original.date_from, original.date_to) if (d.kind, d.number) in wanted
    ]
    check_totals(documents)
    with transaction.atomic():
        batch = AccountingBatch(
            profile=profile,
            date_from=original.date_from,
            date_to=original.date_to,
            reexport_of=original,
            created_by=user,
        )
        _write(batch, documents, reexport=True)
    return batch
