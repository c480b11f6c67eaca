"""Working out tax: which rate applies, and the tax of a line, in one place.

The rule for which rate applies to goods of a tax class sent to a country
on a day:

1. a customer who is tax exempt (with a reference) pays none;
2. goods sent outside the seller's country (``OMS_SELLER_COUNTRY``) are
   zero-rated exports when ``OMS_ZERO_RATE_EXPORTS`` is on (the default);
3. otherwise the class's rate for the destination country valid on that day,
   else its rate in the seller's country;
4. a class with no rate at all is refused in plain words (a manager adds one).

Rounding: tax is worked out per line and rounded half up to the cent; an
order's tax is the sum of its lines' and its shipping's, so the totals always
add up whatever the rates. Prices are entered with tax included or not
(``OMS_PRICES_INCLUDE_TAX``; each order keeps the setting it was taken with):

- included: gross = price * quantity; tax = gross * rate / (1 + rate); net = gross - tax;
- excluded: net = price * quantity; tax = net * rate; gross = net + tax.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Q

from oms.errors import Conflict, NotFound
from oms.models import TaxClass, TaxRate

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
STANDARD = "standard"


@dataclass(frozen=True)
class Charge:
    """One priced line with its tax: what it costs net, in tax and gross, at which rate."""

    rate: Decimal
    net: Decimal
    tax: Decimal
    gross: Decimal


def seller_country() -> str:
    return getattr(settings, "OMS_SELLER_COUNTRY", "GB").upper()


def prices_include_tax() -> bool:
    return bool(getattr(settings, "OMS_PRICES_INCLUDE_TAX", True))


def charge(amount: Decimal, rate: Decimal, *, included: bool) -> Charge:
    """Split a line's amount (price * quantity) into net, tax and gross at ``rate``."""
    amount = Decimal(amount)
    if included:
        gross = amount.quantize(CENT, ROUND_HALF_UP)
        tax = (amount * rate / (1 + rate)).quantize(CENT, ROUND_HALF_UP)
        return Charge(rate, gross - tax, tax, gross)
    net = amount.quantize(CENT, ROUND_HALF_UP)
    tax = (amount * rate).quantize(CENT, ROUND_HALF_UP)
    return Charge(rate, net, tax, net + tax)


def tax_class_get(code: str, *, field: str = "tax_class") -> TaxClass:
    """Return the active tax class with this code, or refuse naming the ones there are."""
    code = (code or "").strip()
    found = TaxClass.objects.filter(code__iexact=code, is_active=True).first()
    if found is None:
        known = ", ".join(TaxClass.objects.filter(is_active=True).values_list("code", flat=True))
        raise NotFound(
            f"There is no tax class {code!r}; the classes are: {known}.",
            field=field,
            code="unknown_tax_class",
        )
    return found


class Rates:
    """The rates that apply to one order: destination, day, exemption, read in one query.

    ``rate(tax_class_id)`` answers from the rows read when the object was made,
    so an order of a hundred lines costs one query for its rates (none for an
    export or an exempt customer).
    """

    def __init__(self, *, country: str, on: datetime.date, exempt: bool = False):
        self.country = (country or "").upper()
        self.on = on
        self.exempt = exempt
        self.seller = seller_country()
        self.export = self.country != self.seller and getattr(
            settings, "OMS_ZERO_RATE_EXPORTS", True
        )
        self._rates: dict[tuple[int, str], Decimal] = {}
        self._class_ids: dict[str, int] = {}
        if not (exempt or self.export):
            valid = Q(valid_from__lte=on) & (Q(valid_until__isnull=True) | Q(valid_until__gt=on))
            rows = (
                TaxRate.objects.filter(valid, country__in={self.country, seller_country()})
                .order_by("valid_from")
                .values_list("tax_class_id", "tax_class__code", "country", "rate")
            )
            for class_id, code, country, rate in rows:
                self._rates[(class_id, country)] = rate
                self._class_ids[code] = class_id

    @property
    def reason(self) -> str:
        """Say why no tax is charged, or "" when it is."""
        if self.exempt:
            return "exempt"
        if self.export:
            return "export"
        return ""

    def rate(self, tax_class_id: int | None) -> Decimal:
        """Return the rate of a tax class here (None: the standard class)."""
        if self.exempt or self.export:
            return Decimal("0")
        if tax_class_id is None:
            tax_class_id = self._class_ids.get(STANDARD)
        for country in (self.country, self.seller):
            found = self._rates.get((tax_class_id, country))
            if found is not None:
                return found
        name = TaxClass.objects.filter(pk=tax_class_id).values_list("name", flat=True).first()
        raise Conflict(
            f"There is no tax rate for {name or 'the standard tax class'} in {self.country} "
            f"on {self.on:%d %b %Y}: a manager adds one in the admin (tax rates).",
            code="no_tax_rate",
        )

    def shipping_rate(self) -> Decimal:
        """Return the rate of the shipping charge (``OMS_SHIPPING_TAX_CLASS``, standard)."""
        if self.exempt or self.export:
            return Decimal("0")
        code = getattr(settings, "OMS_SHIPPING_TAX_CLASS", STANDARD)
        return self.rate(self._class_ids.get(code))
