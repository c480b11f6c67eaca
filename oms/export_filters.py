"""Read a list's query string through its django-filter FilterSet for an export."""

from __future__ import annotations

from django.db.models import QuerySet

from oms.errors import InvalidInput


def filterset_rows(filterset_class, params, queryset: QuerySet) -> QuerySet:
    """Return the queryset under the FilterSet's filters; refuse filters it cannot read, in words."""
    filterset = filterset_class(params, queryset=queryset)
    if not filterset.is_valid():
        problems = "; ".join(
            f"{name}: {' '.join(str(e) for e in errors)}"
            for name, errors in filterset.errors.items()
        )
        raise InvalidInput(f"These filters cannot be read: {problems}", code="bad_filter")
    return filterset.qs
