"""The scan framework every scan screen shares: the answer, the scan log, refusals logged.

A scan screen (receive, count, pick, pack, and the returns bench) sends each
scan to a *scan service* decorated with ``scan_service``. The service
decides, and returns a ``ScanAnswer`` carrying the log row it built but did
not save; the decorator saves that row with the answer in the service's
transaction. When the service refuses (a ``DomainError``), everything it
did is rolled back, and only then is one refused row written, so a refusal
changes nothing but the log. A screen reads its state back from its log
(the current bin, the last answer ...), so a reload, a dropped connection
or a logout loses nothing.

Each app keeps its own concrete log, a subclass of ``ScanLog`` with the
columns its screens need (bin, product, wave, shipment ...). This module
imports nothing of the apps.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models

from oms.append_only import AppendOnlyModel
from oms.errors import DomainError
from oms.services import service

OK, WARN, INFO, ERROR = "ok", "warn", "info", "error"
TIMES = "\u00d7"
MAX_CODE_LENGTH = 200


@dataclass
class ScanAnswer:
    """The verdict on one scan, shown large until the next scan.

    ``status`` is ``ok``, ``warn`` (accepted, but look), ``info`` or
    ``error``; ``event`` is the scan's log row; ``code`` is the code shown
    under the answer.
    """

    status: str
    message: str
    event: ScanLog | None = None
    data: dict = field(default_factory=dict)
    code: str = ""


class ScanLog(AppendOnlyModel):
    """Abstract base of a scan log: one row per scan on a screen, accepted or refused.

    Append-only: an undo is a new row naming the one it undoes. ``code`` is
    the code as the user reads it (shown under the answer); ``data`` holds
    what a screen needs besides, such as the exact characters a scanner sent.
    """

    class Result(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        REFUSED = "refused", "Refused"

    class Status(models.TextChoices):
        OK = OK, "Accepted"
        WARN = WARN, "Accepted, look"
        INFO = INFO, "Note"
        ERROR = ERROR, "Refused"

    class Entry(models.TextChoices):
        SCAN = "scan", "Scanned"
        TYPED = "typed", "Typed by hand"
        BUTTON = "button", "Button or key"

    append_only_name = "The scan log"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    screen = models.CharField(max_length=20)
    entry = models.CharField(max_length=10, choices=Entry.choices, blank=True)
    code = models.CharField(max_length=MAX_CODE_LENGTH, blank=True)
    result = models.CharField(max_length=10, choices=Result.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OK)
    message = models.TextField(blank=True)
    action = models.CharField(max_length=20, default="other")
    quantity = models.IntegerField(default=0)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.screen} {self.code} {self.result}"

    @property
    def accepted(self) -> bool:
        return self.result == self.Result.ACCEPTED

    @property
    def answer(self) -> ScanAnswer:
        """Return the answer this scan got, as the screen shows it."""
        return ScanAnswer(self.status, self.message, self, code=self.code)


def entry_kind(value) -> str:
    """Return how a code arrived: ``scan`` when the screen says a scanner typed it, else typed."""
    return ScanLog.Entry.SCAN if value == ScanLog.Entry.SCAN else ScanLog.Entry.TYPED


def scan_service(*, refused: Callable[..., ScanLog]) -> Callable:
    """Make a scan service atomic and log it: its own row inside, a refusal after the rollback.

    The service returns a ``ScanAnswer`` whose ``event`` is the row it built,
    unsaved; it is saved here with the answer's status and message. When the
    service raises a ``DomainError`` its work is rolled back, then
    ``refused(error=..., <the service's arguments>)`` builds the refusal row
    (naming what the scan was for and the state the screen stays in). That
    row is saved, handed to the caller as ``error.scan_event``, and the
    error is raised again.
    """

    def decorate(func: Callable) -> Callable:
        signature = inspect.signature(func)

        @service
        def run(**kwargs) -> ScanAnswer:
            answer = func(**kwargs)
            event = answer.event
            if event is not None and event.pk is None:
                event.result = ScanLog.Result.ACCEPTED
                event.status = answer.status
                event.message = answer.message
                event.save()
            return answer

        @functools.wraps(func)
        def wrapper(**kwargs) -> ScanAnswer:
            try:
                return run(**kwargs)
            except DomainError as error:
                arguments = signature.bind_partial(**kwargs)
                arguments.apply_defaults()
                event = refused(error=error, **arguments.arguments)
                event.result = ScanLog.Result.REFUSED
                event.status = ScanLog.Status.ERROR
                event.message = error.message
                event.save()
                error.scan_event = event
                raise

        return wrapper

    return decorate
