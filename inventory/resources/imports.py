"""Imports of the rows inventory owns: products, and stock counts booked through the ledger.

Both are django-import-export resources run by ``oms.imports`` (the managers'
upload, preview and confirm) and by the admin's import.

Products use the library's bulk mode: ``use_bulk`` with ``batch_size`` 1000
(a batch is checked against what ``ProductImportBatch`` read once for it, then
written with one ``bulk_create`` and one ``bulk_update``); ``skip_unchanged``
so a row equal to the product is neither written nor counted as a change (the
same file imported again writes nothing); ``skip_diff`` stays off because
``skip_unchanged`` needs the row's original to compare with, but
``skip_html_diff`` is on: the preview lists the changed fields itself and
never renders the library's HTML diff of every row.

Stock counts do not use bulk mode, on purpose: each row is a count booked by
``stock_count`` (the bin's stock row locked, a count movement in the ledger,
the bin stamped as counted), never a write of stock levels.
"""

from __future__ import annotations

import copy
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone
from import_export import fields, resources
from import_export.instance_loaders import BaseInstanceLoader
from import_export.results import RowResult

from inventory.models import Product
from inventory.services.count_imports import IMPORT_PERMS as COUNT_PERMS
from inventory.services.count_imports import stock_count_import
from inventory.services.product_imports import (
    IMPORT_PERMS as PRODUCT_PERMS,
)
from inventory.services.product_imports import (
    ProductImportBatch,
    check_import_allowed,
    products_import_write,
)
from oms import imports
from oms.errors import DomainError

PRODUCT_REQUIRED = ("sku", "name", "price")
PRODUCT_OPTIONAL = (
    "barcode",
    "description",
    "weight_grams",
    "length_mm",
    "width_mm",
    "height_mm",
    "reorder_point",
    "supplier",
    "is_drop_ship",
    "is_active",
)
WHOLE = ("weight_grams", "length_mm", "width_mm", "height_mm", "reorder_point")
YES = {"1", "yes", "y", "true", "t"}
NO = {"0", "no", "n", "false", "f"}


def _shown(value) -> str:
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(getattr(value, "code", value))[:80]


class _BatchLoader(BaseInstanceLoader):
    """Find a row's product among those the batch read in one query (SKU in any case)."""

    def get_instance(self, row):
        product = self.resource.batch.existing(row.get("sku"))
        return copy.copy(product) if product is not None else None


def _line(row, kwargs) -> int:
    try:
        return int(row.get(imports.LINE) or kwargs.get("row_number", 0) + 1)
    except (TypeError, ValueError):
        return kwargs.get("row_number", 0) + 1


class ProductImportResource(resources.ModelResource):
    """Products by SKU: a new SKU creates a product, a known one changes it; never deletes."""

    supplier = fields.Field(attribute="supplier", column_name="supplier")

    class Meta:
        model = Product
        fields = PRODUCT_REQUIRED + PRODUCT_OPTIONAL
        import_id_fields = ("sku",)
        instance_loader_class = _BatchLoader
        use_bulk = True
        batch_size = 1000
        skip_unchanged = True
        skip_diff = False
        skip_html_diff = True
        store_row_values = True
        clean_model_instances = False  # validate_instance runs the product rules
        use_transactions = True

    def __init__(self, *, user=None, **options):
        super().__init__()
        self.user = user
        self.batch: ProductImportBatch | None = None
        self._line = 0
        self._entry: dict = {}

    def before_import(self, dataset, **kwargs):
        check_import_allowed(self.user)
        headers = dataset.headers or []
        skus = dataset["sku"] if "sku" in headers else []
        barcodes = dataset["barcode"] if "barcode" in headers else []
        previous = self.batch
        self.batch = ProductImportBatch(skus, barcodes)
        if previous is not None:  # later batches of one file: rows before are still "seen"
            self.batch.seen_sku.update(previous.seen_sku)
            self.batch.seen_barcode.update(previous.seen_barcode)

    def before_import_row(self, row, **kwargs):
        self._line = _line(row, kwargs)
        self._entry = {"line": self._line, "key": str(row.get("sku") or "")[:64]}

    def import_instance(self, instance, row, **kwargs):
        """Set each given, non-empty cell on the product; an empty cell keeps what it was."""
        errors: dict[str, list[str]] = {}
        for name in PRODUCT_REQUIRED + PRODUCT_OPTIONAL:
            if name not in row:
                continue
            raw = str(row[name] if row[name] is not None else "").strip()
            if raw == "" and not (name in PRODUCT_REQUIRED and instance.pk is None):
                continue
            try:
                setattr(instance, name, self._parse(name, raw))
            except ValueError as error:
                errors[name] = [str(error)]
        if errors:
            raise ValidationError(errors)

    def _parse(self, name: str, raw: str):
        if name in ("sku", "name", "description", "barcode"):
            limit = {"sku": 64, "name": 255, "barcode": 48, "description": 5000}[name]
            if len(raw) > limit:
                raise ValueError(f"At most {limit} characters.")
            if not raw and name in ("sku", "name"):
                raise ValueError(f"Enter the {name if name == 'name' else 'SKU'}.")
            return raw
        if name == "price":
            try:
                price = Decimal(raw)
            except InvalidOperation:
                raise ValueError(f"{raw!r} is not an amount such as 9.90.") from None
            if not price.is_finite() or price < 0 or price >= Decimal("10000000000"):
                raise ValueError(f"{raw!r} is not a price from 0 to 9,999,999,999.99.")
            if price.as_tuple().exponent < -2:
                raise ValueError(f"{raw!r} has more than two decimals.")
            return price.quantize(Decimal("0.01"))
        if name in WHOLE:
            if not raw.isdigit() or int(raw) > 2_000_000_000:
                raise ValueError(f"{raw!r} is not a whole number from 0.")
            return int(raw)
        if name in ("is_drop_ship", "is_active"):
            if raw.lower() in YES:
                return True
            if raw.lower() in NO:
                return False
            raise ValueError(f"{raw!r} is not yes or no.")
        if name == "supplier":
            supplier = self.batch.supplier(raw) if raw else None
            if raw and supplier is None:
                raise ValueError(f"There is no supplier with code {raw!r}.")
            return supplier
        raise ValueError("Unknown column.")

    def skip_row(self, instance, original, row, import_validation_errors=None):
        skip = super().skip_row(instance, original, row, import_validation_errors)
        if original is not None and original.pk:
            changed = [
                f"{field.column_name}: {_shown(field.get_value(original))} → "
                f"{_shown(field.get_value(instance))}"
                for field in self.get_import_fields()
                if field.get_value(instance) != field.get_value(original)
            ]
            self._entry["summary"] = "; ".join(changed)[:500]
        else:
            self._entry["summary"] = f"{instance.name} at {instance.price}"[:500]
        return skip

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        for name, messages in self.batch.check(instance, line=self._line).items():
            if name not in errors:
                errors[name] = messages
        if errors:
            raise ValidationError(errors)

    def after_import_row(self, row, row_result, **kwargs):
        row_result.oms_entry = dict(self._entry)

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        self._write(create=True, result=result, raise_errors=raise_errors)

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        self._write(create=False, result=result, raise_errors=raise_errors)

    def _write(self, *, create: bool, result, raise_errors: bool) -> None:
        rows = self.create_instances if create else self.update_instances
        if not rows:
            return
        try:
            products_import_write(
                create=rows if create else [],
                update=[] if create else rows,
                fields=list(PRODUCT_REQUIRED + PRODUCT_OPTIONAL),
                user=self.user,
            )
        except Exception as error:
            self.handle_import_error(result, error, raise_errors)
        finally:
            rows.clear()


class StockCountImportResource(resources.Resource):
    """Counted quantities per bin and product, each booked as a count movement."""

    warehouse = fields.Field(column_name="warehouse")
    bin = fields.Field(column_name="bin")
    sku = fields.Field(column_name="sku")
    counted = fields.Field(column_name="counted")

    class Meta:
        store_row_values = True
        use_transactions = True
        instance_loader_class = imports.NoInstances

    def __init__(self, *, user=None, reference: str = "", taken_at=None, **options):
        super().__init__()
        self.user = user
        self.reference = reference or "IMPORT"
        self.taken_at = taken_at or timezone.now()
        self.seen: dict[tuple[str, str, str], int] = {}

    def import_row(self, row, instance_loader, **kwargs):
        row_result = self.get_row_result_class()()
        row_result.row_values = row
        line = _line(row, kwargs)
        key = tuple(
            str(row.get(name) or "").strip().upper() for name in ("warehouse", "bin", "sku")
        )
        row_result.oms_entry = {"line": line, "key": " ".join(key)[:120]}
        try:
            if key in self.seen:
                raise ValidationError(
                    f"This bin and product are already counted on line {self.seen[key]}."
                )
            outcome = stock_count_import(
                warehouse=row.get("warehouse"),
                bin=row.get("bin"),
                sku=row.get("sku"),
                counted=str(row.get("counted") or "").strip(),
                taken_at=self.taken_at,
                user=self.user,
                reference=self.reference,
            )
        except DomainError as error:
            row_result.import_type = RowResult.IMPORT_TYPE_INVALID
            row_result.validation_error = ValidationError(error.message)
        except ValidationError as error:
            row_result.import_type = RowResult.IMPORT_TYPE_INVALID
            row_result.validation_error = error
        except Exception as error:
            row_result.import_type = RowResult.IMPORT_TYPE_ERROR
            row_result.errors.append(
                self.get_error_result_class()(error, row=row, number=kwargs.get("row_number"))
            )
        else:
            self.seen[key] = line
            row_result.import_type = outcome.kind
            row_result.oms_entry["summary"] = outcome.summary
        return row_result


imports.register(
    imports.ImportKind(
        name="products",
        title="Products",
        resource=ProductImportResource,
        permissions=PRODUCT_PERMS,
        required=PRODUCT_REQUIRED,
        optional=PRODUCT_OPTIONAL,
        help=(
            "One row per product, found by SKU (any case): a new SKU is created, a known one "
            "changed. An empty cell keeps the product's value; is_active no deactivates it "
            "(products are never deleted). Barcodes: EAN-13, UPC-A, EAN-8 or Code 128 text; "
            "supplier by its code."
        ),
    )
)

imports.register(
    imports.ImportKind(
        name="stock_counts",
        title="Stock counts",
        resource=StockCountImportResource,
        permissions=COUNT_PERMS,
        required=("warehouse", "bin", "sku", "counted"),
        help=(
            "One row per product counted in a bin: the quantity found. Each difference from "
            "the record is booked as a count movement. A bin counted again after the file was "
            "first uploaded is left as it is; a count below what is promised to orders is "
            "refused."
        ),
    )
)
