"""Refunds, the lines they pay back, and the credit notes paying them issues."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round
from django.urls import reverse
from django_fsm import FSMField, FSMModelMixin, transition

from oms.append_only import AppendOnlyModel, AppendOnlyQuerySet
from oms.models import TimeStampedModel
from returns.models.rma import Return, ReturnLine

USER = settings.AUTH_USER_MODEL


class Refund(FSMModelMixin, TimeStampedModel):
    """Money going back to a customer: requested, approved by a manager, paid."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved"
        PAID = "paid", "Paid"
        REJECTED = "rejected", "Rejected"

    class Method(models.TextChoices):
        ORIGINAL = "original", "Back to the original payment"
        CARD = "card", "Card"
        BANK_TRANSFER = "bank_transfer", "Bank transfer"
        CASH = "cash", "Cash"
        STORE_CREDIT = "store_credit", "Store credit"

    # States whose amount counts against what was paid.
    COUNTED = [Status.PENDING, Status.APPROVED, Status.PAID]

    number = models.CharField(max_length=20, unique=True, null=True, blank=True)
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="refunds")
    rma = models.ForeignKey(
        Return, null=True, blank=True, on_delete=models.PROTECT, related_name="refunds"
    )
    status = FSMField(
        max_length=20, choices=Status.choices, default=Status.PENDING, protected=True, db_index=True
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    shipping_amount = models.DecimalField(
        "of which shipping", max_digits=12, decimal_places=2, default=Decimal("0.00")
    )
    currency = models.CharField(max_length=3, default="GBP")
    method = models.CharField(max_length=20, choices=Method.choices, default=Method.ORIGINAL)
    reason = models.CharField(max_length=255)
    provider_reference = models.CharField(max_length=100, blank=True)
    rejection_reason = models.CharField(max_length=255, blank=True)
    requested_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    paid_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            models.CheckConstraint(
                condition=Q(shipping_amount__gte=0) & Q(shipping_amount__lte=F("amount")),
                name="refund_shipping_within_amount",
            ),
        ]
        permissions = [
            ("approve_refund", "Can approve and reject refunds"),
            ("pay_refund", "Can record refunds as paid"),
            ("goodwill_refund", "Can refund without a return"),
        ]

    def __str__(self):
        return self.number or f"Refund {self.pk}"

    def get_absolute_url(self):
        return reverse("returns:refund_list") + f"#refund-{self.pk}"

    @transition(field=status, source=Status.PENDING, target=Status.APPROVED)
    def approve(self):
        pass

    @transition(field=status, source=Status.PENDING, target=Status.REJECTED)
    def reject(self):
        pass

    @transition(field=status, source=Status.APPROVED, target=Status.PAID)
    def pay(self):
        pass


class RefundLine(models.Model):
    """Units of a return line that a refund pays back, and how much for them (gross)."""

    refund = models.ForeignKey(Refund, on_delete=models.PROTECT, related_name="lines")
    return_line = models.ForeignKey(ReturnLine, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["refund", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="refund_line_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="refund_line_amount_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.quantity} × line {self.return_line_id}: {self.amount}"


class CreditNoteQuerySet(AppendOnlyQuerySet):
    """A credit note is never changed, except for the number it gets once it is saved."""

    def update(self, **kwargs):
        if set(kwargs) == {"number"}:
            return models.QuerySet.update(self.filter(number__isnull=True), **kwargs)
        return super().update(**kwargs)

    update.queryset_only = True


class CreditNote(AppendOnlyModel):
    """The accounting document of a paid refund: numbered, dated, net/tax/gross; never changed.

    ``lines`` keeps what was credited as it was printed: description, quantity,
    tax rate, net, tax and gross of each line (goods, shipping, goodwill).
    """

    append_only_name = "A credit note"

    number = models.CharField(max_length=20, unique=True, null=True, blank=True)
    refund = models.OneToOneField(Refund, on_delete=models.PROTECT, related_name="credit_note")
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey("orders.Customer", on_delete=models.PROTECT, related_name="+")
    issued_on = models.DateField()
    currency = models.CharField(max_length=3)
    net = models.DecimalField(max_digits=12, decimal_places=2)
    tax = models.DecimalField(max_digits=12, decimal_places=2)
    gross = models.DecimalField(max_digits=12, decimal_places=2)
    lines = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = CreditNoteQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "-pk"]
        constraints = [
            # Rounded to the cent: SQLite adds decimal columns as floats (0.39 + 0.08 is
            # not 0.47 there); on PostgreSQL the sum is exact and rounding changes nothing.
            models.CheckConstraint(
                condition=Q(gross=Round(F("net") + F("tax"), 2)), name="credit_note_adds_up"
            ),
        ]

    def __str__(self):
        return self.number or f"Credit note {self.pk}"
