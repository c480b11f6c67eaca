"""Tax rates as data: classes of goods, and each class's rate per country over time.

A manager keeps them in the admin. A rate applies from ``valid_from`` to the
day before ``valid_until`` (open-ended when empty), so a change of rate on a
date is a new row: orders placed before keep the rate they were placed with
(each order line records its rate and tax: ``orders``).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q


class TaxClass(models.Model):
    """What kind of goods or service, for tax: standard, reduced, zero, exempt, or more."""

    code = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "tax classes"

    def __str__(self):
        return self.name


class TaxRate(models.Model):
    """A tax class's rate in one destination country, from one day, until another."""

    tax_class = models.ForeignKey(TaxClass, on_delete=models.PROTECT, related_name="rates")
    country = models.CharField(max_length=2, help_text="ISO 3166 two-letter code, e.g. GB.")
    rate = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text="A share: 0.2000 is 20 %.",
    )
    valid_from = models.DateField()
    valid_until = models.DateField(
        null=True, blank=True, help_text="The first day it no longer applies; empty: open."
    )
    name = models.CharField(max_length=100, blank=True, help_text="Printed on invoices.")

    class Meta:
        ordering = ["tax_class", "country", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["tax_class", "country", "valid_from"], name="tax_rate_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(rate__gte=0) & Q(rate__lte=1), name="tax_rate_a_share"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=F("valid_from")),
                name="tax_rate_ends_after_it_starts",
            ),
        ]

    def __str__(self):
        return f"{self.tax_class} {self.country} {self.percent} % from {self.valid_from}"

    @property
    def percent(self) -> Decimal:
        return (self.rate * 100).normalize()
