"""Reads about stock on its way from suppliers: when more of a product is expected."""

from __future__ import annotations

import datetime

from django.db.models import F
from django.utils import timezone

from inventory.models import PurchaseOrder, PurchaseOrderLine


def expected_arrivals(product_ids) -> dict[int, datetime.date]:
    """Return {product id: the earliest day an open purchase order expects more of it}.

    Counts the purchase orders still open (draft, sent, partly received) with
    units not yet received; one without a date is expected its supplier's lead
    time after it was made. One query.
    """
    rows = (
        PurchaseOrderLine.objects.filter(
            product_id__in=list(product_ids),
            purchase_order__status__in=PurchaseOrder.OPEN,
            quantity_received__lt=F("quantity_ordered"),
        )
        .values_list(
            "product_id",
            "purchase_order__expected_on",
            "purchase_order__created_at",
            "purchase_order__supplier__lead_time_days",
        )
        .order_by()
    )
    found: dict[int, datetime.date] = {}
    for product_id, expected_on, created_at, lead_days in rows:
        day = expected_on or (timezone.localdate(created_at) + datetime.timedelta(days=lead_days))
        if product_id not in found or day < found[product_id]:
            found[product_id] = day
    return found
