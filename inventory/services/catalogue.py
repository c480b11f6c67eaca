"""Products, suppliers, warehouses and bins."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from inventory.models import Location, Product, Supplier, Warehouse
from oms.barcodes import gtin_variants, validate_product_barcode
from oms.errors import Conflict, InvalidInput, NotFound
from oms.locks import lock_rows
from oms.services import full_clean_or_raise, require_perm, service, whole_number

PRODUCT_FIELDS = {
    "sku",
    "name",
    "description",
    "barcode",
    "price",
    "weight_grams",
    "length_mm",
    "width_mm",
    "height_mm",
    "reorder_point",
    "supplier",
    "tax_class",
    "is_drop_ship",
    "is_active",
}


def _check_product_unique(*, sku: str, barcode: str | None, exclude_pk: int | None) -> None:
    others = Product.objects.exclude(pk=exclude_pk) if exclude_pk else Product.objects.all()
    errors: dict[str, list[str]] = {}
    clash = others.filter(sku__iexact=sku).first() if sku else None
    if clash:
        errors["sku"] = [f"SKU {sku} is already used by {clash.name!r}."]
    if barcode:
        # 036000291452 (UPC-A) and 0036000291452 (its EAN-13 spelling) are one GTIN.
        clash = others.filter(barcode__in=gtin_variants(barcode)).first()
        if clash:
            errors["barcode"] = [
                f"Barcode {barcode} is already used by {clash.sku} {clash.name!r}."
            ]
    if errors:
        raise Conflict(next(iter(errors.values()))[0], errors=errors, code="duplicate")


def _save_product(product: Product) -> Product:
    product.sku = (product.sku or "").strip()
    product.barcode = (product.barcode or "").strip() or None
    if not product.sku:
        raise InvalidInput("Enter a SKU.", field="sku")
    if len(product.sku) > 64 or any(char.isspace() for char in product.sku):
        raise InvalidInput("A SKU is at most 64 characters, without spaces.", field="sku")
    if product.barcode:
        try:
            validate_product_barcode(product.barcode)
        except ValidationError as error:
            raise InvalidInput(error.messages[0], field="barcode", code="bad_barcode") from None
    _check_product_unique(sku=product.sku, barcode=product.barcode, exclude_pk=product.pk)
    full_clean_or_raise(product, exclude=["sku", "barcode"])
    try:
        with transaction.atomic():
            product.save()
    except IntegrityError as error:  # a concurrent writer took the SKU or barcode first
        raise Conflict(
            "Another product with this SKU or barcode was just saved.", code="duplicate"
        ) from error
    return product


@service
def product_create(*, user=None, **fields) -> Product:
    """Create a product after validating SKU, barcode check digit and uniqueness."""
    require_perm(user, "inventory.add_product", "Only managers can create products.")
    unknown = set(fields) - PRODUCT_FIELDS
    if unknown:
        raise InvalidInput(f"Unknown product field(s): {', '.join(sorted(unknown))}.")
    return _save_product(Product(**fields))


@service
def product_update(*, product: Product, user=None, **fields) -> Product:
    """Change a product's fields; the same validation as creating one."""
    require_perm(user, "inventory.change_product", "Only managers can change products.")
    unknown = set(fields) - PRODUCT_FIELDS
    if unknown:
        raise InvalidInput(f"Unknown product field(s): {', '.join(sorted(unknown))}.")
    product = Product.objects.select_for_update().filter(pk=product.pk).first()
    if product is None:
        raise NotFound("That product does not exist.", code="unknown_product")
    for name, value in fields.items():
        setattr(product, name, value)
    return _save_product(product)


@service
def product_deactivate(*, product: Product, user=None) -> Product:
    """Stop selling a product. Products are never deleted: history keeps pointing at them."""
    return product_update(product=product, user=user, is_active=False)


@service
def supplier_create(*, code: str, name: str, user=None, **fields) -> Supplier:
    """Create a supplier."""
    require_perm(user, "inventory.add_supplier", "Only managers can create suppliers.")
    supplier = Supplier(code=(code or "").strip().upper(), name=name, **fields)
    full_clean_or_raise(supplier)
    supplier.save()
    return supplier


@service
def warehouse_create(*, code: str, name: str, user=None, **fields) -> Warehouse:
    """Create a warehouse; its code is stored upper-case."""
    require_perm(user, "inventory.add_warehouse", "Only managers can create warehouses.")
    code = (code or "").strip().upper()
    if Warehouse.objects.filter(code=code).exists():
        raise Conflict(f"Warehouse {code} already exists.", field="code", code="duplicate")
    warehouse = Warehouse(code=code, name=name, **fields)
    full_clean_or_raise(warehouse)
    warehouse.save()
    return warehouse


@service
def location_create(
    *, warehouse: Warehouse, code: str, pick_sequence: int = 0, barcode: str = "", user=None
) -> Location:
    """Create a bin in a warehouse; its barcode defaults to BIN-<warehouse>-<code>."""
    require_perm(user, "inventory.add_location", "Only warehouse staff and managers add bins.")
    code = (code or "").strip().upper()
    if not code:
        raise InvalidInput("Enter the bin code, for example A-01-03.", field="code")
    if Location.objects.filter(warehouse=warehouse, code=code).exists():
        raise Conflict(
            f"Bin {code} already exists in warehouse {warehouse.code}.",
            field="code",
            code="duplicate",
        )
    barcode = (barcode or "").strip().upper() or Location.default_barcode(warehouse.code, code)
    if Location.objects.filter(barcode=barcode).exists():
        raise Conflict(
            f"Bin barcode {barcode} is already in use.", field="barcode", code="duplicate"
        )
    location = Location(
        warehouse=warehouse,
        code=code,
        barcode=barcode,
        pick_sequence=whole_number(
            pick_sequence, field="pick_sequence", label="Pick sequence", minimum=0
        ),
    )
    full_clean_or_raise(location)
    location.save()
    return location


LOCATION_FIELDS = {"warehouse", "code", "barcode", "pick_sequence", "is_active"}


def location_check_update(*, location: Location, **fields) -> dict:
    """Return the cleaned changes to a bin, or refuse them in plain words.

    A bin holding stock (on hand, or a count waiting for approval) cannot move
    to another warehouse: move its stock to other bins first.
    """
    unknown = set(fields) - LOCATION_FIELDS
    if unknown:
        raise InvalidInput(f"Unknown bin field(s): {', '.join(sorted(unknown))}.")
    changes = dict(fields)
    warehouse = changes.get("warehouse", location.warehouse)
    if "code" in changes:
        changes["code"] = (changes["code"] or "").strip().upper()
        if not changes["code"]:
            raise InvalidInput("Enter the bin code, for example A-01-03.", field="code")
    if "barcode" in changes:
        changes["barcode"] = (changes["barcode"] or "").strip().upper() or (
            Location.default_barcode(warehouse.code, changes.get("code", location.code))
        )
    if "pick_sequence" in changes:
        changes["pick_sequence"] = whole_number(
            changes["pick_sequence"], field="pick_sequence", label="Pick sequence", minimum=0
        )
    if warehouse.pk != location.warehouse_id:
        held = location.stock_levels.filter(on_hand__gt=0).count()
        pending = location.count_adjustments.filter(status="pending").count()
        if held or pending:
            what = f"{held} product(s) on hand" if held else "a count waiting for approval"
            raise Conflict(
                f"Bin {location.code} holds stock ({what}): it cannot move to warehouse "
                f"{warehouse.code}. Move its stock to other bins first.",
                field="warehouse",
                code="bin_holds_stock",
            )
    code = changes.get("code", location.code)
    if Location.objects.filter(warehouse=warehouse, code=code).exclude(pk=location.pk).exists():
        raise Conflict(
            f"Bin {code} already exists in warehouse {warehouse.code}.",
            field="code",
            code="duplicate",
        )
    barcode = changes.get("barcode", location.barcode)
    if Location.objects.filter(barcode=barcode).exclude(pk=location.pk).exists():
        raise Conflict(
            f"Bin barcode {barcode} is already in use.", field="barcode", code="duplicate"
        )
    return changes


@service
def location_update(*, location: Location, user=None, **fields) -> Location:
    """Change a bin: code, barcode, pick sequence, open or closed, or (when empty) warehouse."""
    require_perm(user, "inventory.change_location", "Only warehouse staff and managers edit bins.")
    rows = lock_rows(Location.objects.select_related("warehouse"), [location.pk])
    if not rows:
        raise NotFound("That bin does not exist.", code="unknown_location")
    location = rows[0]
    changes = location_check_update(location=location, **fields)
    for name, value in changes.items():
        setattr(location, name, value)
    full_clean_or_raise(location)
    location.save()
    return location
