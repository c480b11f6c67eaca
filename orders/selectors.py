"""Reads for the sales desk: order and customer lists, one order, search as you type.

Every function costs a fixed number of queries, whatever the number of rows.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from inventory.models import Product
from oms.barcodes import gtin_variants, is_digits
from oms.errors import NotFound
from orders.models import Address, Customer, Order, OrderEvent, OrderLine, Payment

_DIGITS = re.compile(r"\D")


def _phone_digits(text: str) -> str:
    return _DIGITS.sub("", text or "")


# --- customers -------------------------------------------------------------------------------


def customer_search(query: str, *, limit: int = 8) -> list[Customer]:
    """Find customers by name, email or phone, the best match first.

    An exact email or phone comes first, then names starting with the text,
    then anything containing it. Costs one query.
    """
    query = (query or "").strip()
    if not query:
        return []
    digits = _phone_digits(query)
    match = Q(name__icontains=query) | Q(email__icontains=query) | Q(phone__icontains=query)
    rank = [
        When(email__iexact=query, then=Value(0)),
        When(phone=query, then=Value(0)),
        When(name__iexact=query, then=Value(1)),
        When(name__istartswith=query, then=Value(2)),
        When(email__istartswith=query, then=Value(3)),
    ]
    if len(digits) >= 4 and not any(ch.isalpha() for ch in query):
        # "0113 496 0001" finds "+44 113 496 0001": compare the digits' tail too.
        match |= Q(phone__icontains=digits[-4:])
    qs = (
        Customer.objects.filter(match)
        .select_related("default_shipping_address")
        .annotate(rank=Case(*rank, default=Value(5), output_field=IntegerField()))
        .order_by("rank", "name", "pk")
    )
    found = list(qs[: limit * 3 if digits else limit])
    if len(digits) >= 4 and not any(ch.isalpha() for ch in query):
        found = [
            c
            for c in found
            if digits in _phone_digits(c.phone)
            or _phone_digits(c.phone).endswith(digits[-9:])
            or query.lower() in c.name.lower()
            or query.lower() in c.email.lower()
        ]
    return found[:limit]


def customer_get(pk: int) -> Customer:
    """Return one customer with default addresses, or refuse with NotFound."""
    customer = (
        Customer.objects.select_related("default_shipping_address", "default_billing_address")
        .filter(pk=pk)
        .first()
    )
    if customer is None:
        raise NotFound("That customer does not exist.", code="unknown_customer")
    return customer


def customer_list(*, search: str = "", vip: bool | None = None) -> QuerySet[Customer]:
    """List customers with their number of orders; search name, email and phone.

    The order count is a per-row subquery, worked out for the page's rows only.
    """
    orders = (
        Order.objects.filter(customer=OuterRef("pk"))
        .order_by()
        .values("customer")
        .annotate(n=Count("pk"))
        .values("n")
    )
    qs = Customer.objects.select_related("default_shipping_address").annotate(
        order_count=Coalesce(Subquery(orders, output_field=IntegerField()), 0)
    )
    search = (search or "").strip()
    if search:
        qs = qs.filter(
            Q(name__icontains=search) | Q(email__icontains=search) | Q(phone__icontains=search)
        )
    if vip is not None:
        qs = qs.filter(is_vip=vip)
    return qs.order_by("name", "pk")


def customer_addresses(customer: Customer) -> list[Address]:
    """Return the addresses saved for a customer, newest first (one query)."""
    return list(customer.addresses.order_by("-created_at", "-pk"))


def customer_orders(customer: Customer) -> QuerySet[Order]:
    """The customer's orders, newest first, with the backorder flag."""
    return _with_list_annotations(Order.objects.filter(customer=customer)).order_by(
        "-created_at", "-pk"
    )


# --- orders ----------------------------------------------------------------------------------


@dataclass
class OrderFilters:
    search: str = ""
    status: str = ""
    channel: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    customer_id: int | None = None
    vip: bool | None = None
    backordered: bool | None = None


def _with_list_annotations(qs: QuerySet[Order]) -> QuerySet[Order]:
    """Add the backorder flag and the line count as per-row subqueries.

    Subqueries, not a GROUP BY over every line: the database works them out
    only for the rows of the page, so a list costs the same with half a
    million lines behind it (bench/pages.py), and counting the list does not
    touch the lines at all.
    """
    backordered = OrderLine.objects.filter(order=OuterRef("pk"), quantity_backordered__gt=0)
    lines = (
        OrderLine.objects.filter(order=OuterRef("pk"))
        .order_by()
        .values("order")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return qs.select_related("customer").annotate(
        has_backorder=Exists(backordered),
        line_count=Coalesce(Subquery(lines, output_field=IntegerField()), 0),
    )


def order_search(qs: QuerySet[Order], search: str) -> QuerySet[Order]:
    """Keep the orders whose number, reference, or customer's name, email or phone hold ``search``.

    The customers are matched in a subquery of their own, so that each side
    can use its trigram indexes on PostgreSQL (migration orders 0005) instead
    of scanning every order joined to its customer.
    """
    search = search.strip()
    if not search:
        return qs
    customers = Customer.objects.filter(
        Q(name__icontains=search) | Q(email__icontains=search) | Q(phone__icontains=search)
    ).values("pk")
    match = (
        Q(number__icontains=search)
        | Q(external_reference__icontains=search)
        | Q(customer_id__in=Subquery(customers))
    )
    if is_digits(search) and len(search) <= 18:
        # "123" finds SO-000123 as typed on the phone.
        match |= Q(number=f"SO-{int(search):06d}")
    return qs.filter(match)


def _filtered(filters: OrderFilters, *, with_status: bool) -> QuerySet[Order]:
    qs = Order.objects.all()
    qs = order_search(qs, filters.search)
    if with_status and filters.status:
        qs = qs.filter(status=filters.status)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.date_from:
        qs = qs.filter(created_at__date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(created_at__date__lte=filters.date_to)
    if filters.customer_id:
        qs = qs.filter(customer_id=filters.customer_id)
    if filters.vip is not None:
        qs = qs.filter(is_vip=filters.vip)
    if filters.backordered is not None:
        waiting = OrderLine.objects.filter(order=OuterRef("pk"), quantity_backordered__gt=0)
        qs = qs.filter(Exists(waiting) if filters.backordered else ~Exists(waiting))
    return qs


def order_list(filters: OrderFilters) -> QuerySet[Order]:
    """List orders matching the filters, newest first, with customer and backorder flag."""
    return _with_list_annotations(_filtered(filters, with_status=True)).order_by(
        "-created_at", "-pk"
    )


def order_status_counts(filters: OrderFilters) -> dict[str, int]:
    """Count the orders per status under every filter but the status itself (one query)."""
    rows = (
        _filtered(filters, with_status=False)
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return dict(rows)


def order_detail(pk: int) -> Order:
    """Return one order with lines, payments, timeline and addresses, or NotFound.

    Costs the same number of queries for one line or a hundred.
    """
    order = (
        Order.objects.select_related(
            "customer", "shipping_address", "billing_address", "created_by"
        )
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.order_by("position", "pk")),
            Prefetch("payments", queryset=Payment.objects.select_related("user").order_by("pk")),
            Prefetch(
                "events",
                queryset=OrderEvent.objects.select_related("user").order_by("-created_at", "-pk"),
            ),
        )
        .filter(pk=pk)
        .first()
    )
    if order is None:
        raise NotFound("That order does not exist.", code="unknown_order")
    return order


# --- products for the desk --------------------------------------------------------------------


def product_search(query: str, *, limit: int = 8) -> list[Product]:
    """Find sellable products by SKU, name or barcode, with availability; best match first."""
    query = (query or "").strip()
    if not query:
        return []
    variants = gtin_variants(query)
    rank = [
        When(barcode__in=variants, then=Value(0)),
        When(sku__iexact=query, then=Value(0)),
        When(sku__istartswith=query, then=Value(1)),
        When(name__istartswith=query, then=Value(2)),
    ]
    qs = (
        Product.objects.with_stock()
        .filter(is_active=True)
        .filter(Q(sku__icontains=query) | Q(name__icontains=query) | Q(barcode__in=variants))
        .annotate(rank=Case(*rank, default=Value(5), output_field=IntegerField()))
        .order_by("rank", "sku")
    )
    return list(qs[:limit])


def products_with_stock_by_sku(skus) -> dict[str, Product]:
    """Return {upper-case SKU: product with stock totals} for the SKUs (one query)."""
    wanted = {str(s).strip().upper() for s in skus if str(s).strip()}
    if not wanted:
        return {}
    q = Q()
    for sku in wanted:
        q |= Q(sku__iexact=sku)
    return {p.sku.upper(): p for p in Product.objects.with_stock().filter(q)}
