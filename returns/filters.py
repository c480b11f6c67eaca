"""Query-string filters for the returns and refunds API lists (django-filter)."""

from __future__ import annotations

import django_filters

from oms.api_inputs import IdFilter
from returns.models import Refund, Return


class ReturnFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Return.Status.choices)
    order = IdFilter(field_name="order_id")
    customer = IdFilter(field_name="customer_id")
    number = django_filters.CharFilter(field_name="number", lookup_expr="iexact", max_length=20)
    warehouse = django_filters.CharFilter(
        field_name="warehouse__code", lookup_expr="iexact", max_length=16
    )

    class Meta:
        model = Return
        fields = ["status", "order", "customer", "number", "warehouse"]


class RefundFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Refund.Status.choices)
    order = IdFilter(field_name="order_id")
    # "return" is a Python keyword: the filter is added below.

    class Meta:
        model = Refund
        fields = ["status", "order"]


RefundFilter.base_filters["return"] = IdFilter(field_name="rma_id")
