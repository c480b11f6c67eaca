"""Draft purchase orders made from the reorder suggestions, one per supplier."""

from __future__ import annotations

from collections.abc import Iterable

from inventory.models import PurchaseOrder, Supplier, Warehouse
from inventory.services.purchasing import purchase_order_create
from oms.errors import InvalidInput
from oms.locks import lock_rows
from oms.services import require_perm, service
from orders.reorder_selectors import reorder_suggestions

MAX_SUPPLIERS = 500


@service
def reorder_drafts_create(
    *, supplier_ids: Iterable[int], warehouse: Warehouse, user
) -> list[PurchaseOrder]:
    """Make a draft purchase order per supplier for its suggested quantities now.

    The suggestions are worked out again under the suppliers' row locks, so
    a second click (or a second manager) finds the first drafts on order and
    makes nothing more. Suppliers with nothing to reorder are skipped.
    """
    require_perm(user, "inventory.add_purchaseorder", "Only managers create purchase orders.")
    ids = sorted({int(pk) for pk in supplier_ids})
    if not ids:
        raise InvalidInput("Choose at least one supplier.", field="suppliers")
    if len(ids) > MAX_SUPPLIERS:
        raise InvalidInput(f"Choose at most {MAX_SUPPLIERS} suppliers.", field="suppliers")
    suppliers = {s.pk: s for s in lock_rows(Supplier.objects.all(), ids)}
    if len(suppliers) != len(ids):
        raise InvalidInput("One of the suppliers does not exist.", field="suppliers")
    by_supplier: dict[int, list] = {}
    for s in reorder_suggestions(supplier_ids=ids):
        by_supplier.setdefault(s.supplier.pk, []).append((s.product, s.quantity))
    made = []
    for pk in ids:
        lines = by_supplier.get(pk)
        if not lines:
            continue
        made.append(
            purchase_order_create(
                supplier=suppliers[pk],
                warehouse=warehouse,
                lines=lines,
                user=user,
                notes="Made from the reorder suggestions.",
            )
        )
    return made
