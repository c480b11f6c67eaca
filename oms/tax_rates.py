"""Keeping tax classes and rates: the services the admin (and anything else) calls.

A rate is never rewritten once orders may have used it: a change of rate is a
new row from the day it applies. Adding a rate for a class and country that
has an open-ended rate starting earlier closes that one the day before the new
one applies; any other overlap is refused. A rate's end day and its printed
name may change; its value, class, country and start may not (orders keep the
rate they were placed with whatever happens here). Nothing is deleted: a class
no longer used is deactivated, and is then not offered for products.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.db.models import Q

from oms.errors import Conflict, InvalidInput
from oms.models import TaxClass, TaxRate
from oms.services import full_clean_or_raise, require_perm, service

PERMISSION_MESSAGE = "Only managers keep tax rates."


def _rate_value(value) -> Decimal:
    try:
        rate = Decimal(str(value).strip().rstrip("%").strip())
    except (InvalidOperation, ValueError):
        raise InvalidInput("Give the rate as a share, e.g. 0.20 for 20 %.", field="rate") from None
    if not rate.is_finite() or rate < 0 or rate > 1:
        raise InvalidInput("A rate is a share from 0 to 1 (0.20 is 20 %).", field="rate")
    if rate != rate.quantize(Decimal("0.0001")):
        raise InvalidInput("Give the rate to at most four decimals (0.1750).", field="rate")
    return rate


@service
def tax_class_save(*, tax_class: TaxClass, user=None) -> TaxClass:
    """Create or change a tax class (code, name, active)."""
    perm = "oms.change_taxclass" if tax_class.pk else "oms.add_taxclass"
    require_perm(user, perm, PERMISSION_MESSAGE)
    tax_class.code = (tax_class.code or "").strip().lower()
    tax_class.name = (tax_class.name or "").strip()
    if tax_class.pk:
        before = TaxClass.objects.select_for_update().get(pk=tax_class.pk)
        if before.code != tax_class.code:
            raise Conflict(
                "A tax class keeps its code (products and settings name it); change its name.",
                field="code",
                code="code_fixed",
            )
    if TaxClass.objects.filter(code=tax_class.code).exclude(pk=tax_class.pk).exists():
        raise Conflict(f"There is a tax class {tax_class.code!r} already.", field="code")
    full_clean_or_raise(tax_class)
    tax_class.save()
    return tax_class


@service
def tax_rate_add(
    *,
    tax_class: TaxClass,
    country: str,
    rate,
    valid_from: datetime.date,
    valid_until: datetime.date | None = None,
    name: str = "",
    user=None,
) -> TaxRate:
    """Add a rate for a class in a country from a day (closing the open one it follows)."""
    require_perm(user, "oms.add_taxrate", PERMISSION_MESSAGE)
    country = (country or "").strip().upper()
    if len(country) != 2 or not country.isalpha():
        raise InvalidInput("Give the country as its two-letter code, e.g. GB.", field="country")
    if valid_until is not None and valid_until <= valid_from:
        raise InvalidInput("A rate ends after the day it starts.", field="valid_until")
    new = TaxRate(
        tax_class=tax_class,
        country=country,
        rate=_rate_value(rate),
        valid_from=valid_from,
        valid_until=valid_until,
        name=(name or "").strip(),
    )
    same = TaxRate.objects.select_for_update().filter(tax_class=tax_class, country=country)
    end = valid_until or datetime.date.max
    clashes = same.filter(
        Q(valid_until__isnull=True) | Q(valid_until__gt=valid_from), valid_from__lt=end
    )
    for other in clashes:
        if other.valid_until is None and other.valid_from < valid_from:
            other.valid_until = valid_from
            other.save(update_fields=["valid_until"])
            continue
        raise Conflict(
            f"{tax_class} in {country} already has a rate for part of that time "
            f"({other.percent} % from {other.valid_from:%d %b %Y}"
            + (f" until {other.valid_until:%d %b %Y}" if other.valid_until else "")
            + "): end it first, or start this one later.",
            field="valid_from",
            code="rate_overlap",
        )
    full_clean_or_raise(new)
    new.save()
    return new


@service
def tax_rate_change(
    *, tax_rate: TaxRate, valid_until: datetime.date | None, name: str, user=None
) -> TaxRate:
    """Change a rate's end day or printed name; refuse an end that overlaps the next rate."""
    require_perm(user, "oms.change_taxrate", PERMISSION_MESSAGE)
    row = TaxRate.objects.select_for_update().get(pk=tax_rate.pk)
    if valid_until is not None and valid_until <= row.valid_from:
        raise InvalidInput("A rate ends after the day it starts.", field="valid_until")
    later = TaxRate.objects.filter(
        tax_class_id=row.tax_class_id, country=row.country, valid_from__gt=row.valid_from
    ).order_by("valid_from")
    following = later.first()
    if following is not None and (valid_until is None or valid_until > following.valid_from):
        raise Conflict(
            f"The next rate starts on {following.valid_from:%d %b %Y}: this one must end by then.",
            field="valid_until",
            code="rate_overlap",
        )
    row.valid_until = valid_until
    row.name = (name or "").strip()
    full_clean_or_raise(row)
    row.save(update_fields=["valid_until", "name"])
    return row
