"""Accounting export batches: which documents went to the accountant, in which file."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from oms.append_only import AppendOnlyModel


class AccountingBatch(models.Model):
    """One export of invoices and credit notes of a date range, in one profile's layout."""

    class Profile(models.TextChoices):
        GENERIC = "generic", "Generic CSV"
        XERO = "xero", "Xero sales invoices (CSV)"
        QUICKBOOKS = "quickbooks", "QuickBooks Online invoices (CSV)"

    number = models.CharField(max_length=20, unique=True, null=True, blank=True)
    profile = models.CharField(max_length=20, choices=Profile.choices)
    date_from = models.DateField()
    date_to = models.DateField()
    reexport_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reexports"
    )
    document_count = models.PositiveIntegerField(default=0)
    total = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    content = models.TextField(help_text="The file as it was handed over.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("export_accounting", "Can export invoices and credit notes")]

    def __str__(self):
        return self.number or f"Batch {self.pk}"

    @property
    def filename(self) -> str:
        return f"{self.number}-{self.profile}-{self.date_from}-{self.date_to}.csv"


class BatchDocument(AppendOnlyModel):
    """A document in a batch; outside re-exports, a document is in one batch only."""

    append_only_name = "An accounting batch"

    batch = models.ForeignKey(AccountingBatch, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=20)
    number = models.CharField(max_length=20)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    is_reexport = models.BooleanField(default=False)

    class Meta:
        ordering = ["batch", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "number"],
                condition=Q(is_reexport=False),
                name="accounting_document_in_one_batch",
            )
        ]

    def __str__(self):
        return f"{self.number} in {self.batch}"
