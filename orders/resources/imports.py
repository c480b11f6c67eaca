"""Import of marketplace orders from a file shaped like the Online Retail data set.

A django-import-export resource run by ``oms.imports`` (upload, preview,
confirm) and by the admin's import on orders. The library reads rows; an
order is an invoice, so ``before_import`` gathers the rows of each InvoiceNo
into one row to import (keeping every line's number), and each is placed by
``marketplace_order_import``. No bulk mode: each order goes through the order
services (number, totals and tax, timeline), which bulk writes would skip.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from import_export import resources
from import_export.results import RowResult

from oms import imports
from oms.errors import DomainError
from orders.services.imports import (
    COLUMNS,
    IMPORT_PERM,
    marketplace_invoice_read,
    marketplace_order_import,
)

ROWS = "rows"


class MarketplaceOrderImportResource(resources.Resource):
    """One marketplace order per invoice; an invoice already imported is skipped."""

    class Meta:
        store_row_values = True
        use_transactions = True
        instance_loader_class = imports.NoInstances

    def __init__(self, *, user=None, filename: str = "", **options):
        super().__init__()
        self.user = user
        self.source = filename

    def before_import(self, dataset, **kwargs):
        """Gather the rows of each invoice into one row: InvoiceNo, first line, the rows."""
        headers = list(dataset.headers or [])
        at_line = headers.index(imports.LINE) if imports.LINE in headers else None
        invoices: dict[str, list[tuple[int, dict]]] = {}
        for index, values in enumerate(dataset, start=2):
            row = dict(zip(headers, values, strict=False))
            line = int(values[at_line]) if at_line is not None else index
            number = str(row.get("InvoiceNo") or "").strip().upper()
            invoices.setdefault(number, []).append((line, row))
        dataset.wipe()
        dataset.headers = ["InvoiceNo", imports.LINE, ROWS]
        for number, rows in invoices.items():
            dataset.append([number, rows[0][0], rows])

    def import_row(self, row, instance_loader, **kwargs):
        row_result = self.get_row_result_class()()
        rows = row.get(ROWS) or []
        row_result.row_values = {"InvoiceNo": row.get("InvoiceNo")}
        row_result.oms_entry = {
            "line": row.get(imports.LINE),
            "key": str(row.get("InvoiceNo") or "")[:20],
            "rows": [
                {"line": line, "values": {name: str(values.get(name, "")) for name in COLUMNS}}
                for line, values in rows
            ],
        }
        try:
            read = marketplace_invoice_read(rows)
            outcome = marketplace_order_import(read=read, user=self.user, source=self.source)
        except DomainError as error:
            row_result.import_type = RowResult.IMPORT_TYPE_INVALID
            row_result.oms_entry["reasons"] = list((error.errors or {}).get("rows") or []) or [
                error.message
            ]
            row_result.validation_error = ValidationError(row_result.oms_entry["reasons"])
        except Exception as error:
            row_result.import_type = RowResult.IMPORT_TYPE_ERROR
            row_result.errors.append(
                self.get_error_result_class()(error, row=row, number=kwargs.get("row_number"))
            )
        else:
            row_result.import_type = outcome.kind
            row_result.oms_entry["summary"] = outcome.summary
        return row_result


imports.register(
    imports.ImportKind(
        name="marketplace_orders",
        title="Marketplace orders",
        resource=MarketplaceOrderImportResource,
        permissions=(IMPORT_PERM, "orders.add_order"),
        required=COLUMNS,
        group_by="InvoiceNo",
        help=(
            "The Online Retail shape: one row per order line; the rows of one InvoiceNo are one "
            "marketplace order, placed at the file's prices for the CustomerID's customer (an "
            "empty one: the country's guest orders). Postage codes become the shipping price; "
            "fees and discounts are left out. An invoice with a bad line is refused whole; an "
            "invoice imported before is skipped; cancellations (C-invoices) are refused."
        ),
    )
)
