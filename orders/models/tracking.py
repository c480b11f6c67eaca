"""The customer's way to their order's status page: links sent by email, and every lookup.

A link (``/track/<token>/``) carries a random token of 192 bits; only its
SHA-256 is stored, so a copy of the database opens no order page. Each email
that carries a link gets its own, minted when the email is sent, expiring
``OMS_TRACK_LINK_DAYS`` later. Every lookup (by link or by order number) is a
row of ``TrackingLookup``: who asked from where, what they typed, and what
they got.
"""

from django.db import models

from oms.append_only import AppendOnlyModel


class TrackingLink(models.Model):
    """One link to an order's status page, by the hash of its token."""

    class Via(models.TextChoices):
        EMAIL = "email", "Sent by email"
        LOOKUP = "lookup", "Found by order number"

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    via = models.CharField(max_length=10, choices=Via.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Link to order {self.order_id} ({self.get_via_display()})"


class TrackingLookup(AppendOnlyModel):
    """One attempt to open an order's status page, kept whatever its outcome."""

    append_only_name = "The tracking lookup log"

    class Via(models.TextChoices):
        LINK = "link", "Link"
        LOOKUP = "lookup", "Order number"

    class Outcome(models.TextChoices):
        SHOWN = "shown", "Shown"
        MISSED = "missed", "Not found"
        EXPIRED = "expired", "Link expired"
        LIMITED = "limited", "Too many tries"

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    client = models.CharField(max_length=45, help_text="The client's address.")
    via = models.CharField(max_length=10, choices=Via.choices)
    number = models.CharField(max_length=30, blank=True, help_text="The order number typed.")
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_via_display()} from {self.client}: {self.get_outcome_display()}"
