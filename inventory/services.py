"""Every write to inventory: products, warehouses, bins and stock.

Stock rules (SPEC section 4): on_hand and allocated never go negative,
allocated never exceeds on_hand, and every change of on_hand is a
StockMovement row. Stock rows are locked with SELECT ... FOR UPDATE in
ascending primary-key order, so two transactions never wait on each other
in a circle; on SQLite, IMMEDIATE transactions serialise writers instead.
The database CHECK constraints are the last line of defence.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from inventory.models import Location, Product, StockLevel, StockMovement, Supplier, Warehouse
from inventory.signals import stock_became_available
from oms.barcodes import gtin_variants, validate_product_barcode
from oms.errors import Conflict, InvalidInput, NotAllowed, NotFound
from oms.services import full_clean_or_raise, require_perm, whole_number

Kind = StockMovement.Kind

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
    "is_drop_ship",
    "is_active",
}


@dataclass(frozen=True)
class Allocation:
    """A quantity of one product promised from one bin."""

    stock_level_id: int
    product_id: int
    location_id: int
    quantity: int


# --- products, suppliers, warehouses, bins ---------------------------------------------------


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


@transaction.atomic
def product_create(*, user=None, **fields) -> Product:
    """Create a product after validating SKU, barcode check digit and uniqueness."""
    require_perm(user, "inventory.add_product", "Only managers can create products.")
    unknown = set(fields) - PRODUCT_FIELDS
    if unknown:
        raise InvalidInput(f"Unknown product field(s): {', '.join(sorted(unknown))}.")
    return _save_product(Product(**fields))


@transaction.atomic
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


@transaction.atomic
def product_deactivate(*, product: Product, user=None) -> Product:
    """Stop selling a product. Products are never deleted: history keeps pointing at them."""
    return product_update(product=product, user=user, is_active=False)


@transaction.atomic
def supplier_create(*, code: str, name: str, user=None, **fields) -> Supplier:
    """Create a supplier."""
    require_perm(user, "inventory.add_supplier", "Only managers can create suppliers.")
    supplier = Supplier(code=(code or "").strip().upper(), name=name, **fields)
    full_clean_or_raise(supplier)
    supplier.save()
    return supplier


@transaction.atomic
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


@transaction.atomic
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


def announce_available(*, product_ids: Sequence[int]) -> None:
    """Tell other apps, once this transaction commits, that these products have free stock."""
    ids = sorted(set(product_ids))
    transaction.on_commit(lambda: stock_became_available.send(sender=StockLevel, product_ids=ids))


# --- stock -------------------------------------------------------------------------------------


def _lock_level(*, product: Product, location: Location) -> StockLevel:
    """Return the stock row for (product, bin), locked, creating an empty one if needed."""
    level = (
        StockLevel.objects.select_for_update(of=("self",))
        .filter(product=product, location=location)
        .first()
    )
    if level is None:
        try:
            with transaction.atomic():
                StockLevel.objects.create(product=product, location=location)
        except IntegrityError:
            pass  # created by a concurrent transaction; lock that one
        level = StockLevel.objects.select_for_update(of=("self",)).get(
            product=product, location=location
        )
    return level


def _lock_levels_by_pk(filters: dict) -> list[StockLevel]:
    return list(
        StockLevel.objects.select_for_update(of=("self",))
        .filter(**filters)
        .select_related("location", "location__warehouse")
        .order_by("pk")
    )


def _record(
    *, level: StockLevel, kind: str, quantity: int, user, reference: str = "", reason: str = ""
) -> StockMovement:
    return StockMovement.objects.create(
        product_id=level.product_id,
        location_id=level.location_id,
        kind=kind,
        quantity=quantity,
        on_hand_after=level.on_hand,
        reason=(reason or "")[:255],
        reference=(reference or "")[:100],
        user=user if getattr(user, "pk", None) else None,
    )


def _check_stockable(*, product: Product, location: Location) -> None:
    if not product.is_active:
        raise Conflict(
            f"{product.sku} {product.name} is deactivated; reactivate it before booking stock.",
            field="sku",
            code="inactive_product",
        )
    if product.is_drop_ship:
        raise Conflict(
            f"{product.sku} is a drop-ship product: the supplier ships it, it is never stocked.",
            field="sku",
            code="drop_ship",
        )
    if not location.is_active:
        raise Conflict(
            f"Bin {location} is closed; choose another bin.",
            field="location",
            code="inactive_location",
        )
    if not location.warehouse.is_active:
        raise Conflict(
            f"Warehouse {location.warehouse.code} is closed; choose a bin in another warehouse.",
            field="location",
            code="inactive_warehouse",
        )


@transaction.atomic
def stock_receive(
    *,
    product: Product,
    location: Location,
    quantity,
    user=None,
    reference: str = "",
    reason: str = "",
) -> StockMovement:
    """Book goods into a bin: on_hand grows, and a receipt is written to the ledger."""
    require_perm(
        user, "inventory.receive_stock", "Only warehouse staff and managers receive stock."
    )
    quantity = whole_number(quantity, field="quantity")
    _check_stockable(product=product, location=location)
    level = _lock_level(product=product, location=location)
    level.on_hand += quantity
    level.save(update_fields=["on_hand", "updated_at"])
    announce_available(product_ids=[product.pk])
    return _record(
        level=level,
        kind=Kind.RECEIPT,
        quantity=quantity,
        user=user,
        reference=reference,
        reason=reason,
    )


@transaction.atomic
def stock_adjust(
    *,
    product: Product,
    location: Location,
    counted,
    user=None,
    reason: str = "",
    reference: str = "",
    is_count: bool = True,
) -> StockMovement | None:
    """Set a bin's on_hand to the counted quantity; the ledger records the difference.

    A count below what is already promised to orders is refused. Returns the
    movement, or None when the count matched and nothing changed but the
    bin's last-counted time.
    """
    if is_count:
        require_perm(
            user, "inventory.count_stock", "Only warehouse staff and managers count stock."
        )
    else:
        require_perm(user, "inventory.adjust_stock", "Only managers adjust stock.")
        if not (reason or "").strip():
            raise InvalidInput("Give a reason for the adjustment.", field="reason")
    counted = whole_number(counted, field="counted", label="Counted quantity", minimum=0)
    if not location.is_active:
        raise Conflict(f"Bin {location} is closed.", field="location", code="inactive_location")
    if product.is_drop_ship and counted > 0:
        raise Conflict(
            f"{product.sku} is a drop-ship product: the supplier ships it, it is never stocked.",
            field="sku",
            code="drop_ship",
        )
    level = _lock_level(product=product, location=location)
    if counted < level.allocated:
        raise Conflict(
            f"Cannot set {product.sku} in {location} to {counted}: {level.allocated} "
            f"are promised to orders. Count again, or move those orders to another bin first.",
            field="counted",
            code="below_allocated",
        )
    difference = counted - level.on_hand
    level.on_hand = counted
    if is_count:
        level.last_counted_at = timezone.now()
    level.save(update_fields=["on_hand", "last_counted_at", "updated_at"])
    if difference > 0:
        announce_available(product_ids=[product.pk])
    if difference == 0:
        return None
    return _record(
        level=level,
        kind=Kind.COUNT if is_count else Kind.ADJUSTMENT,
        quantity=difference,
        user=user,
        reference=reference,
        reason=reason or ("Stock count" if is_count else ""),
    )


@transaction.atomic
def stock_transfer(
    *,
    product: Product,
    from_location: Location,
    to_location: Location,
    quantity,
    user=None,
    reference: str = "",
) -> tuple[StockMovement, StockMovement]:
    """Move free stock from one bin to another: two ledger rows, out and in."""
    require_perm(user, "inventory.transfer_stock", "Only warehouse staff and managers move stock.")
    quantity = whole_number(quantity, field="quantity")
    if from_location.pk == to_location.pk:
        raise InvalidInput(
            "The stock is already in that bin; choose a different bin.",
            field="to_location",
            code="same_location",
        )
    _check_stockable(product=product, location=to_location)
    # Make sure both rows exist, then lock them in primary-key order.
    source_exists = StockLevel.objects.filter(product=product, location=from_location).exists()
    if not source_exists:
        raise Conflict(
            f"There is no {product.sku} in {from_location}.",
            field="from_location",
            code="insufficient_stock",
        )
    try:
        with transaction.atomic():
            StockLevel.objects.get_or_create(product=product, location=to_location)
    except IntegrityError:
        pass
    locked = {
        level.location_id: level
        for level in _lock_levels_by_pk(
            {"product": product, "location__in": [from_location, to_location]}
        )
    }
    source, target = locked[from_location.pk], locked[to_location.pk]
    if source.available < quantity:
        raise Conflict(
            f"Only {source.available} of {product.sku} can be moved from {from_location} "
            f"({source.on_hand} on hand, {source.allocated} promised to orders).",
            field="quantity",
            code="insufficient_stock",
        )
    source.on_hand -= quantity
    target.on_hand += quantity
    source.save(update_fields=["on_hand", "updated_at"])
    target.save(update_fields=["on_hand", "updated_at"])
    reference = reference or f"{from_location} -> {to_location}"
    out = _record(
        level=source, kind=Kind.TRANSFER_OUT, quantity=-quantity, user=user, reference=reference
    )
    into = _record(
        level=target, kind=Kind.TRANSFER_IN, quantity=quantity, user=user, reference=reference
    )
    return out, into


def _walking_order(level: StockLevel):
    location = level.location
    return (
        location.warehouse.priority,
        location.warehouse_id,
        location.pick_sequence,
        location.code,
    )


@transaction.atomic
def stock_allocate_many(
    *, requests: Sequence[tuple[Product, int]], warehouse: Warehouse | None = None
) -> dict[int, list[Allocation]]:
    """Promise stock to several products at once; return what each could get, bin by bin.

    All stock rows involved are locked in one query in primary-key order, then
    each product takes from its bins in walking order (warehouse priority,
    pick sequence). A product gets less than asked when stock is short; the
    caller backorders the rest.
    """
    wanted: dict[int, int] = {}
    for product, quantity in requests:
        wanted[product.pk] = wanted.get(product.pk, 0) + whole_number(quantity, field="quantity")
    filters: dict = {
        "product_id__in": list(wanted),
        "location__is_active": True,
        "location__warehouse__is_active": True,
    }
    if warehouse is not None:
        filters["location__warehouse"] = warehouse
    by_product: dict[int, list[StockLevel]] = {pk: [] for pk in wanted}
    for level in _lock_levels_by_pk(filters):
        by_product[level.product_id].append(level)

    result: dict[int, list[Allocation]] = {}
    changed: list[StockLevel] = []
    now = timezone.now()
    for product_id, quantity in wanted.items():
        remaining = quantity
        taken: list[Allocation] = []
        for level in sorted(by_product[product_id], key=_walking_order):
            if remaining == 0:
                break
            share = min(level.available, remaining)
            if share <= 0:
                continue
            level.allocated += share
            level.updated_at = now
            changed.append(level)
            remaining -= share
            taken.append(Allocation(level.pk, product_id, level.location_id, share))
        result[product_id] = taken
    if changed:
        # One statement for every bin: the rows are locked above, and the CHECK
        # constraint (allocated <= on_hand) still refuses an oversell.
        try:
            StockLevel.objects.bulk_update(changed, ["allocated", "updated_at"])
        except IntegrityError as error:
            raise Conflict("Stock changed while allocating; try again.", code="retry") from error
    return result


def stock_allocate(
    *, product: Product, quantity, warehouse: Warehouse | None = None
) -> list[Allocation]:
    """Promise up to ``quantity`` of one product; return the bins and quantities taken."""
    return stock_allocate_many(requests=[(product, quantity)], warehouse=warehouse)[product.pk]


def allocated_total(allocations: Iterable[Allocation]) -> int:
    """Add up the quantities of a list of allocations."""
    return sum(a.quantity for a in allocations)


@transaction.atomic
def stock_release(*, product: Product, location: Location, quantity) -> StockLevel:
    """Give back stock promised to an order (cancelled line, short pick, shipment cancelled)."""
    quantity = whole_number(quantity, field="quantity")
    level = _lock_level(product=product, location=location)
    if level.allocated < quantity:
        raise Conflict(
            f"Cannot release {quantity} of {product.sku} in {location}: only "
            f"{level.allocated} are allocated there.",
            code="over_release",
        )
    level.allocated -= quantity
    level.save(update_fields=["allocated", "updated_at"])
    announce_available(product_ids=[product.pk])
    return level


@transaction.atomic
def stock_consume(
    *,
    product: Product,
    location: Location,
    quantity,
    user=None,
    reference: str = "",
    kind: str = Kind.SHIPMENT,
) -> StockMovement:
    """Take promised stock out of a bin for good (it was picked and shipped)."""
    quantity = whole_number(quantity, field="quantity")
    level = _lock_level(product=product, location=location)
    if level.allocated < quantity:
        raise Conflict(
            f"Cannot ship {quantity} of {product.sku} from {location}: only "
            f"{level.allocated} are allocated there.",
            code="not_allocated",
        )
    level.allocated -= quantity
    level.on_hand -= quantity
    level.save(update_fields=["allocated", "on_hand", "updated_at"])
    return _record(level=level, kind=kind, quantity=-quantity, user=user, reference=reference)


# --- scan screens: undo a receipt, count a bin ---------------------------------------------------


def receipt_undo_reason(movement_id: int) -> str:
    """Return the ledger reason that marks the reversal of one receipt."""
    return f"Undo of receipt #{movement_id}"


@transaction.atomic
def stock_receipt_undo(*, movement: StockMovement, user=None) -> StockMovement:
    """Take back a receipt booked by mistake with a reversing adjustment.

    Refused when the receipt was already undone, or when the goods are no
    longer free in the bin (promised to orders, moved or shipped). The
    reversal is logged with reference ``UNDO <original reference>``.
    """
    require_perm(
        user, "inventory.receive_stock", "Only warehouse staff and managers receive stock."
    )
    if movement.kind != Kind.RECEIPT:
        raise Conflict("Only a receipt can be undone here.", code="not_a_receipt")
    if (
        user is not None
        and movement.user_id != getattr(user, "pk", None)
        and not user.has_perm("inventory.adjust_stock")
    ):
        raise NotAllowed("You can only undo your own receipts.")
    product, location = movement.product, movement.location
    level = _lock_level(product=product, location=location)
    reason = receipt_undo_reason(movement.pk)
    if StockMovement.objects.filter(kind=Kind.ADJUSTMENT, reason=reason).exists():
        raise Conflict(
            f"The receipt of {product.name} ({movement.quantity}) into {location.code} "
            "was already undone.",
            code="already_undone",
        )
    if level.available < movement.quantity:
        raise Conflict(
            f"Cannot undo the receipt of {product.name} ({movement.quantity}): only "
            f"{max(level.available, 0)} still free in {location.code} "
            f"({level.on_hand} on hand, {level.allocated} promised to orders).",
            field="quantity",
            code="insufficient_stock",
        )
    level.on_hand -= movement.quantity
    level.save(update_fields=["on_hand", "updated_at"])
    return _record(
        level=level,
        kind=Kind.ADJUSTMENT,
        quantity=-movement.quantity,
        user=user,
        reference=f"UNDO {movement.reference}".strip(),
        reason=reason,
    )


@dataclass(frozen=True)
class CountLine:
    """One product counted in a bin: what the system expected and what was found."""

    product: Product
    expected: int
    counted: int

    @property
    def difference(self) -> int:
        return self.counted - self.expected


@transaction.atomic
def stock_count_bin(
    *, location: Location, counts: Sequence[tuple[Product, int]], user=None, reference: str = ""
) -> list[CountLine]:
    """Record a bin count, all or nothing: each counted product's on_hand becomes the count.

    Rows are locked in product order. One refusal (a count below what is
    promised to orders) rolls back every line.
    """
    merged: dict[int, tuple[Product, int]] = {}
    for product, counted in counts:
        number = whole_number(counted, field="counted", label="Counted quantity", minimum=0)
        previous = merged.get(product.pk, (product, 0))[1]
        merged[product.pk] = (product, previous + number)
    lines = []
    for _, (product, counted) in sorted(merged.items()):
        movement = stock_adjust(
            product=product,
            location=location,
            counted=counted,
            user=user,
            reference=reference,
            is_count=True,
        )
        expected = counted - (movement.quantity if movement else 0)
        lines.append(CountLine(product=product, expected=expected, counted=counted))
    return lines


def stock_lock_products(*, product_ids: Sequence[int]) -> None:
    """Lock every stock row of these products, in primary-key order, for this transaction."""
    _lock_levels_by_pk({"product_id__in": list(product_ids)})
