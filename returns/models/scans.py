"""The returns bench's scan log."""

from django.db import models

from oms.scanlog import ScanLog
from returns.models.rma import Disposition, Return, ReturnLine, ReturnReceipt


class ReturnScan(ScanLog):
    """One scan on the returns bench, accepted or refused. Append-only; undo adds a row."""

    class Action(models.TextChoices):
        OPEN = "open", "Return opened"
        RECEIVE = "receive", "Item received"
        DISPOSE = "dispose", "Disposition"
        BIN = "bin", "Bin scanned"
        UNDO = "undo", "Undo"
        OTHER = "other", "Other"

    action = models.CharField(max_length=20, choices=Action.choices, default=Action.OTHER)
    rma = models.ForeignKey(
        Return, null=True, blank=True, on_delete=models.PROTECT, related_name="scans"
    )
    line = models.ForeignKey(
        ReturnLine, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    receipt = models.ForeignKey(
        ReturnReceipt, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    disposition = models.ForeignKey(
        Disposition, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    undoes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="undone_by"
    )

    class Meta(ScanLog.Meta):
        indexes = [models.Index(fields=["user", "-created_at"], name="return_scan_by_user")]
