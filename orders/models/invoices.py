"""Invoices: numbered (INV-000001) when an order has shipped in full, then never changed.

A correction is a credit note (the returns app's), never an edit. The rows
are imported into ``orders.models`` so that Django finds them there.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models

from oms.append_only import AppendOnlyModel

ZERO = Decimal("0.00")


class Invoice(models.Model):
    """The bill for an order, issued once it shipped in full; its amounts never change."""

    number = models.CharField(max_length=20, unique=True, null=True, blank=True)
    order = models.OneToOneField("orders.Order", on_delete=models.PROTECT, related_name="invoice")
    issued_at = models.DateTimeField(db_index=True)
    customer_name = models.CharField(max_length=200)
    customer_email = models.CharField(max_length=254, blank=True)
    currency = models.CharField(max_length=3)
    net_total = models.DecimalField(max_digits=12, decimal_places=2)
    tax_total = models.DecimalField(max_digits=12, decimal_places=2)
    total = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["issued_at", "pk"]

    def __str__(self):
        return self.number or f"Invoice {self.pk}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError("An invoice cannot be changed: issue a credit note instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("An invoice cannot be deleted: issue a credit note instead.")


class InvoiceLine(AppendOnlyModel):
    """One line of an invoice as it was billed: goods or shipping, net, tax and total."""

    append_only_name = "An invoice"

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveSmallIntegerField()
    sku = models.CharField(max_length=64, blank=True)
    description = models.CharField(max_length=255)
    quantity = models.IntegerField()
    unit_price = models.DecimalField(max_digits=12, decimal_places=4, help_text="Net, per unit.")
    net = models.DecimalField(max_digits=12, decimal_places=2)
    tax_rate = models.DecimalField(max_digits=5, decimal_places=4)
    tax = models.DecimalField(max_digits=12, decimal_places=2)
    total = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["invoice", "position"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "position"], name="invoice_line_position")
        ]

    def __str__(self):
        return f"{self.invoice} #{self.position} {self.description}"
