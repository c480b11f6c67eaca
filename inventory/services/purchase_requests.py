"""Purchase orders raised for backorders: open orders must cover what customers wait for.

Automatic requests for backordered products (which hold their stock rows
already) lock the suppliers' rows in primary-key order first (the one lock
order of ``oms.locks``: stock rows, then suppliers, then purchase orders),
so two backorders at the same moment never raise two draft orders to one
supplier, and never wait on each other in a circle.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F

from inventory.models import (
    Product,
    PurchaseOrder,
    PurchaseOrderLine,
    StockLevel,
    Supplier,
    Warehouse,
)
from inventory.services.purchasing import new_purchase_order, save_purchase_order
from oms.locks import lock_rows
from oms.services import service, whole_number

Status = PurchaseOrder.Status


@dataclass(frozen=True)
class PurchaseRequest:
    """What ``purchase_order_request`` did for one backordered product."""

    product: Product
    shortfall: int
    covered: int  # units still to arrive on open purchase orders before this request
    quantity: int = 0  # units added to a draft purchase order (0 when already covered)
    purchase_order: PurchaseOrder | None = None  # the draft created or topped up
    created: bool = False
    numbers: list[str] = field(default_factory=list)  # open POs now covering the product


def _preferred_warehouse(product: Product) -> Warehouse | None:
    """Return where a product is normally stocked: the first open warehouse holding its bins.

    Without any stock row, the first open warehouse by priority.
    """
    level = (
        StockLevel.objects.filter(
            product=product, location__is_active=True, location__warehouse__is_active=True
        )
        .select_related("location__warehouse")
        .order_by("location__warehouse__priority", "location__warehouse__code")
        .first()
    )
    if level is not None:
        return level.location.warehouse
    return Warehouse.objects.filter(is_active=True).order_by("priority", "code").first()


def purchase_order_lock_suppliers(*, product_ids: Sequence[int]) -> None:
    """Lock the suppliers of these products, in primary-key order, for this transaction.

    Call it before reading the backorders a request will be based on: a second
    transaction then waits, and reads the first one's backorders and purchase
    orders once it may go on.
    """
    supplier_ids = Product.objects.filter(pk__in=list(product_ids), supplier__isnull=False).values(
        "supplier_id"
    )
    lock_rows(Supplier.objects.filter(pk__in=supplier_ids))


def _open_cover(product: Product) -> tuple[int, list[str]]:
    rows = PurchaseOrderLine.objects.filter(
        product=product,
        purchase_order__status__in=PurchaseOrder.OPEN,
        purchase_order__is_drop_ship=False,
    ).values_list("purchase_order__number", "quantity_ordered", "quantity_received")
    covered = 0
    numbers: set[str] = set()
    for number, ordered, received in rows:
        if ordered > received:
            covered += ordered - received
            numbers.add(number)
    return covered, sorted(numbers)


@service
def purchase_order_request(*, product: Product, shortfall, user=None) -> PurchaseRequest | None:
    """Make sure open purchase orders cover a product's backordered quantity.

    ``shortfall`` is everything customers are waiting for (all orders). Units
    still to arrive on open stock purchase orders (draft, sent, partially
    received) count as cover; when they fall short, the difference plus the
    product's reorder point is added to the supplier's draft purchase order for
    the product's warehouse (topping up the product's line, or adding one), or
    a new draft is raised. Returns None when the product cannot be bought: no
    supplier, an inactive supplier, a drop-ship product, or no open warehouse.
    The supplier row is locked, so two requests at once raise one draft.
    """
    shortfall = whole_number(shortfall, field="shortfall", label="Shortfall", minimum=0)
    if product.is_drop_ship or not product.supplier_id:
        return None
    supplier = next(iter(lock_rows(Supplier.objects.all(), [product.supplier_id])), None)
    if supplier is None or not supplier.is_active:
        return None
    covered, numbers = _open_cover(product)
    if covered >= shortfall:
        return PurchaseRequest(
            product=product, shortfall=shortfall, covered=covered, numbers=numbers
        )
    warehouse = _preferred_warehouse(product)
    if warehouse is None:
        return None
    quantity = shortfall - covered + product.reorder_point
    po = (
        PurchaseOrder.objects.select_for_update(of=("self",))
        .filter(supplier=supplier, warehouse=warehouse, status=Status.DRAFT, is_drop_ship=False)
        .order_by("pk")
        .first()
    )
    created = po is None
    if created:
        po = new_purchase_order(
            supplier=supplier,
            warehouse=warehouse,
            lines=[(product, quantity, Decimal("0.00"))],
            user=user,
            notes="Raised automatically for backordered customer orders.",
        )
    else:
        updated = PurchaseOrderLine.objects.filter(purchase_order=po, product=product).update(
            quantity_ordered=F("quantity_ordered") + quantity
        )
        if not updated:
            PurchaseOrderLine.objects.create(
                purchase_order=po, product=product, quantity_ordered=quantity
            )
        save_purchase_order(po)
    return PurchaseRequest(
        product=product,
        shortfall=shortfall,
        covered=covered,
        quantity=quantity,
        purchase_order=po,
        created=created,
        numbers=sorted({*numbers, po.number}),
    )
