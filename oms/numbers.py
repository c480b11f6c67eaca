"""Human-readable document numbers: SO-000042, SH-000007, PO-000003, RMA-000001.

A number is made from the row's primary key once the row is saved, so two
transactions never draw the same one and no counter row has to be locked;
a rolled-back row leaves a gap, which is harmless for these documents.
"""

from __future__ import annotations

from django.db import models

WIDTH = 6


def assign_number(obj: models.Model, prefix: str, *, field: str = "number") -> str:
    """Give a saved row its number (``<prefix>-<pk, 6 digits>``) and write it; return it."""
    number = f"{prefix}-{obj.pk:0{WIDTH}d}"
    setattr(obj, field, number)
    type(obj)._default_manager.filter(pk=obj.pk).update(**{field: number})
    return number
