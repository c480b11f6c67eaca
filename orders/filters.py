"""Query-string filters for the orders API lists (django-filter)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django_filters import rest_framework as filters

from oms.api_inputs import MomentFilter
from oms.errors import InvalidInput
from oms.services import parse_id
from orders.models import Customer, Order, OrderLine


class StableOrderingFilter(filters.OrderingFilter):
    """Order by the fields asked for, then by primary key, so pages never overlap."""

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        if value:
            qs = qs.order_by(*qs.query.order_by, "-pk")
        return qs


class OrderFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(
        choices=Order.Status.choices,
        help_text="One or more statuses: ?status=placed&status=backordered.",
    )
    channel = filters.ChoiceFilter(choices=Order.Channel.choices)
    customer = filters.CharFilter(
        method="filter_customer", help_text="Customer id, or the customer's email."
    )
    q = filters.CharFilter(
        method="filter_q",
        help_text="Search the order number, external reference, customer name and email.",
    )
    is_vip = filters.BooleanFilter(field_name="is_vip")
    has_backorder = filters.BooleanFilter(
        method="filter_has_backorder", help_text="Orders with (or without) backordered lines."
    )
    created_after = MomentFilter(field_name="created_at", lookup_expr="gte")
    created_before = MomentFilter(field_name="created_at", lookup_expr="lt")
    placed_after = MomentFilter(
        field_name="placed_at", lookup_expr="gte", help_text="Placed at or after this moment."
    )
    placed_before = MomentFilter(
        field_name="placed_at", lookup_expr="lt", help_text="Placed before this moment."
    )
    ordering = StableOrderingFilter(
        fields=["created_at", "placed_at", "number", "total", "priority"]
    )

    class Meta:
        model = Order
        fields = ["status", "channel", "is_vip"]

    def filter_customer(self, queryset, name, value):
        value = value.strip()
        if "@" in value:
            return queryset.filter(customer__email__iexact=value)
        try:
            return queryset.filter(customer_id=parse_id(value, field="customer"))
        except InvalidInput:
            return queryset.none()

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value)
            | Q(external_reference__icontains=value)
            | Q(customer__name__icontains=value)
            | Q(customer__email__icontains=value)
        )

    def filter_has_backorder(self, queryset, name, value):
        backordered = OrderLine.objects.filter(order=OuterRef("pk"), quantity_backordered__gt=0)
        return queryset.filter(Exists(backordered) if value else ~Exists(backordered))


class CustomerFilter(filters.FilterSet):
    q = filters.CharFilter(method="filter_q", help_text="Search name, email and phone.")
    is_vip = filters.BooleanFilter(field_name="is_vip")
    email = filters.CharFilter(field_name="email", lookup_expr="iexact", help_text="Exact email.")

    class Meta:
        model = Customer
        fields = ["is_vip"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(email__icontains=value) | Q(phone__icontains=value)
        )
