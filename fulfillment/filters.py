"""Query-string filters for the warehouse floor's API lists (django-filter)."""

from __future__ import annotations

import django_filters

from fulfillment.models import Shipment
from oms.api_inputs import IdFilter


class ShipmentFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Shipment.Status.choices)
    order = IdFilter(field_name="order_id")
    wave = IdFilter(field_name="wave_id")
    warehouse = django_filters.CharFilter(
        field_name="warehouse__code", lookup_expr="iexact", max_length=16
    )
    tracking_number = django_filters.CharFilter(max_length=100)

    class Meta:
        model = Shipment
        fields = ["status", "order", "wave", "warehouse", "tracking_number"]
