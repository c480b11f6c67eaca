"""The receive and count screens' scan log, and each person's count of a bin."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition

from oms.models import TimeStampedModel
from oms.scanlog import ScanLog


class CountSession(FSMModelMixin, TimeStampedModel):
    """One person's count of one bin: open while they scan its items, then finished or discarded.

    The tally is the session's count scans that were not undone (``StockScan``
    rows), so a reload, a logout or another device of the same person carries
    on with it. A person counts one bin at a time. ``result`` keeps what
    finishing found (the differences, the products with stock that were not
    scanned) on screen until the person starts another bin or puts it away.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Counting"
        FINISHED = "finished", "Finished"
        ABANDONED = "abandoned", "Discarded"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(
        "inventory.Location", on_delete=models.PROTECT, related_name="count_sessions"
    )
    status = FSMField(
        max_length=20, choices=Status.choices, default=Status.OPEN, protected=True, db_index=True
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(default=dict, blank=True)
    dismissed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the person put the finished count's result away."
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(status="open"), name="count_session_one_open_per_user"
            ),
        ]

    def __str__(self):
        return f"Count of {self.location_id} by {self.user_id} ({self.status})"

    # --- transitions: fields only; inventory.services.count_scans locks, checks and saves ---

    @transition(field=status, source=Status.OPEN, target=Status.FINISHED)
    def finish(self):
        self.finished_at = timezone.now()

    @transition(field=status, source=Status.OPEN, target=Status.ABANDONED)
    def abandon(self):
        self.finished_at = timezone.now()


class StockScan(ScanLog):
    """One scan on the receive or count screen, accepted or refused. Append-only; undo adds a row.

    ``location`` and ``reference`` are where the screen stands after the scan
    (its current bin and reference), and ``data["quantity_field"]`` what its
    quantity field holds, so the last row is where the screen resumes.
    ``movement`` is the ledger row the scan booked (a receipt, or the
    reversal an undo booked).
    """

    class Screen(models.TextChoices):
        RECEIVE = "receive", "Receive"
        COUNT = "count", "Count"

    class Action(models.TextChoices):
        BIN = "bin", "Bin scanned"
        REFERENCE = "reference", "Reference set"
        RECEIVE = "receive", "Received"
        COUNT = "count", "Counted"
        UNDO = "undo", "Undo"
        FINISH = "finish", "Bin finished"
        ZERO = "zero", "Counted as zero"
        DISCARD = "discard", "Count discarded"
        DONE = "done", "Receiving finished"
        OTHER = "other", "Other"

    screen = models.CharField(max_length=10, choices=Screen.choices)
    action = models.CharField(max_length=20, choices=Action.choices, default=Action.OTHER)
    location = models.ForeignKey(
        "inventory.Location", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reference = models.CharField(max_length=100, blank=True)
    product = models.ForeignKey(
        "inventory.Product", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    purchase_order = models.ForeignKey(
        "inventory.PurchaseOrder",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="scans",
    )
    movement = models.OneToOneField(
        "inventory.StockMovement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="scan",
    )
    count_session = models.ForeignKey(
        CountSession, null=True, blank=True, on_delete=models.PROTECT, related_name="scans"
    )
    undoes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="undone_by"
    )

    class Meta(ScanLog.Meta):
        indexes = [models.Index(fields=["user", "screen", "-created_at"])]

    @property
    def quantity_field(self) -> str:
        """Return what the screen's quantity field holds after this scan."""
        return self.data.get("quantity_field", "1")
