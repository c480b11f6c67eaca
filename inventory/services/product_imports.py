"""Products from a manager's file, checked and written in bulk by the same rules as one by one.

``product_create`` and ``product_update`` check a product with two queries
each (the SKU and the barcode against every other product). A file of
thousands of rows checks its rows against what ``ProductImportBatch`` loaded
once per batch (the file's SKUs and barcodes), and against the rows before it
in the same file, then writes them with ``bulk_create`` / ``bulk_update``: the
same rules, a few statements per batch instead of several per row. The
database's unique constraints stay the last line of defence: a product saved
by someone else meanwhile fails the batch, which rolls back whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db.models.functions import Upper
from django.utils import timezone

from inventory.models import Product, Supplier
from oms.barcodes import gtin_variants, validate_product_barcode
from oms.errors import NotAllowed
from oms.services import require_perm, service

IMPORT_PERMS = ("inventory.add_product", "inventory.change_product")


def check_import_allowed(user) -> None:
    """Refuse a user who may not both create and change products."""
    if user is not None and not user.has_perms(IMPORT_PERMS):
        raise NotAllowed("Only managers import products.")


class ProductImportBatch:
    """What a batch of product rows is checked against: existing products, earlier rows."""

    def __init__(self, skus: Iterable[str], barcodes: Iterable[str]):
        keys = {sku.strip().upper() for sku in skus if sku and sku.strip()}
        self.by_sku: dict[str, Product] = {
            product.sku_key: product
            for product in Product.objects.annotate(sku_key=Upper("sku")).filter(sku_key__in=keys)
        }
        spellings = {v for code in barcodes if code for v in gtin_variants(code.strip())}
        self.by_barcode: dict[str, Product] = {
            product.barcode: product
            for product in Product.objects.filter(barcode__in=spellings).only(
                "pk", "sku", "name", "barcode"
            )
        }
        self.seen_sku: dict[str, int] = {}
        self.seen_barcode: dict[str, str] = {}
        self._suppliers: dict[str, Supplier | None] = {}

    def existing(self, sku: str) -> Product | None:
        """Return the product this SKU (any case) names, or None."""
        return self.by_sku.get((sku or "").strip().upper())

    def supplier(self, code: str) -> Supplier | None:
        """Return the supplier with this code (any case), or None; each code is read once."""
        key = (code or "").strip().upper()
        if key not in self._suppliers:
            self._suppliers[key] = Supplier.objects.filter(code__iexact=key).first()
        return self._suppliers[key]

    def check(self, product: Product, *, line: int) -> dict[str, list[str]]:
        """Return what is wrong with a product row, by field (nothing: it may be written)."""
        errors: dict[str, list[str]] = {}
        product.sku = (product.sku or "").strip()
        product.barcode = (product.barcode or "").strip() or None
        sku_key = product.sku.upper()
        if not product.sku:
            errors["sku"] = ["Enter a SKU."]
        elif len(product.sku) > 64 or any(char.isspace() for char in product.sku):
            errors["sku"] = ["A SKU is at most 64 characters, without spaces."]
        elif sku_key in self.seen_sku:
            errors["sku"] = [f"SKU {product.sku} is already on line {self.seen_sku[sku_key]}."]
        if product.barcode:
            try:
                validate_product_barcode(product.barcode)
            except ValidationError as error:
                errors["barcode"] = list(error.messages)
            else:
                for spelling in gtin_variants(product.barcode):
                    owner = self.by_barcode.get(spelling)
                    if owner is not None and owner.pk != product.pk:
                        errors["barcode"] = [
                            f"Barcode {product.barcode} is already used by {owner.sku} "
                            f"{owner.name!r}."
                        ]
                    if spelling in self.seen_barcode and self.seen_barcode[spelling] != sku_key:
                        errors["barcode"] = [
                            f"Barcode {product.barcode} is also given to "
                            f"{self.seen_barcode[spelling]} in this file."
                        ]
        try:
            product.full_clean(
                exclude=["sku", "barcode", "supplier", "tax_class", *errors],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.setdefault(name, []).extend(messages)
        if not errors:
            self.seen_sku[sku_key] = line
            if product.barcode:
                for spelling in gtin_variants(product.barcode):
                    self.seen_barcode[spelling] = sku_key
        return errors


@service
def products_import_write(
    *, create: Sequence[Product], update: Sequence[Product], fields: Sequence[str], user=None
) -> int:
    """Write a checked batch of products (``ProductImportBatch.check``); return how many.

    Products are never deleted: a row with is_active false deactivates one.
    """
    require_perm(user, "inventory.add_product", "Only managers import products.")
    require_perm(user, "inventory.change_product", "Only managers import products.")
    if create:
        Product.objects.bulk_create(create)
    if update:
        now = timezone.now()
        for product in update:
            product.updated_at = now
        changed = [name for name in fields if name != "sku"] + ["updated_at"]
        # Small statements: bulk_update builds a CASE per column over the whole batch.
        Product.objects.bulk_update(update, changed, batch_size=100)
    return len(create) + len(update)
