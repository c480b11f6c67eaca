from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition


class TimeStampedModel(models.Model):
    """Abstract base: when a row was created and last changed."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class IdempotencyKey(models.Model):
    """A client's retry key for a POST: the first answer, replayed for the same request.

    Keys are unique per user. A key older than ``oms.idempotency.KEY_LIFETIME``
    (24 hours) may be used again for a new request; the purge command deletes
    such rows (they are technical records, not business data).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(
        max_length=64, help_text="SHA-256 of method, path and the canonical JSON body."
    )
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=255)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")
        ]

    def __str__(self):
        return f"{self.key} ({self.method} {self.path})"


class Heartbeat(models.Model):
    """One ping from an API client: who called, the name it gave itself, and when.

    Integrations ``POST /api/v1/ping/`` to prove that their token works and
    that the database takes writes; the rows tell when each integration was
    last heard from. They are technical records, not business data.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(
        max_length=100, blank=True, help_text="The caller's name for itself, e.g. web-shop."
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self):
        return f"{self.user_id} {self.source or '-'} at {self.created_at:%Y-%m-%d %H:%M:%S}"


class Job(FSMModelMixin, models.Model):
    """A piece of long work run by a background worker: a big PDF, an export, an import.

    The person who asked watches its progress and downloads its file when it
    is done; the file is kept until ``expires_at``, then removed (the row
    stays, marked expired). The status changes only through the transitions
    below, called by ``oms.jobs``.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Running"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired"

    kind = models.CharField(max_length=50, db_index=True)
    title = models.CharField(max_length=200)
    params = models.JSONField(default=dict, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = FSMField(max_length=10, choices=Status.choices, default=Status.QUEUED, protected=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    unit = models.CharField(max_length=20, default="items", help_text="What progress counts.")
    message = models.CharField(max_length=500, blank=True)
    file = models.FileField(upload_to="jobs/%Y/%m/", blank=True)
    filename = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="job_user_recent")]

    def __str__(self):
        return f"{self.title} ({self.get_status_display().lower()})"

    def get_absolute_url(self):
        return reverse("jobs:detail", args=[self.pk])

    @property
    def percent(self) -> int:
        """Return how far the job is, 0 to 100."""
        if self.status == self.Status.DONE:
            return 100
        if not self.progress_total:
            return 0
        return min(100, self.progress_done * 100 // self.progress_total)

    @property
    def duration_text(self) -> str:
        """Return how long the job ran, as "12 s" or "3 min 5 s"."""
        if not (self.started_at and self.finished_at):
            return ""
        seconds = max(0, round((self.finished_at - self.started_at).total_seconds()))
        minutes, seconds = divmod(seconds, 60)
        return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED, self.Status.EXPIRED}

    # --- transitions: fields only; oms.jobs locks the row and saves ---

    @transition(field=status, source=Status.QUEUED, target=Status.RUNNING)
    def start(self):
        self.started_at = timezone.now()

    @transition(field=status, source=Status.RUNNING, target=Status.DONE)
    def finish(self, *, keep_for):
        self.finished_at = timezone.now()
        self.expires_at = self.finished_at + keep_for
        self.progress_done = max(self.progress_done, self.progress_total)

    @transition(field=status, source=[Status.QUEUED, Status.RUNNING], target=Status.FAILED)
    def fail(self, *, message: str):
        self.finished_at = timezone.now()
        self.message = message[:500]

    @transition(field=status, source=Status.DONE, target=Status.EXPIRED)
    def expire(self):
        self.message = "The file was removed after it expired; ask for it again."


class OutboundEmail(FSMModelMixin, models.Model):
    """One email to a customer or to staff, kept from the change that caused it until it is sent.

    The row is written in the same transaction as that change (see
    ``oms.outbox``), so an email exists exactly when the change committed. It
    names what it is about with a model label and a primary key, so that any
    app can list the emails of its own rows without ``oms`` knowing those
    apps. Subject and bodies are rendered at the first attempt and kept, so
    every retry sends the same words under the same Message-ID.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RETRYING = "retrying", "Retrying"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    # Statuses a worker still sends (when next_attempt_at has come).
    PENDING = (Status.QUEUED, Status.RETRYING)

    kind = models.CharField(max_length=50, help_text="Which email, e.g. order_confirmation.")
    about_type = models.CharField(
        max_length=100, help_text="Model label of what it is about, e.g. orders.order."
    )
    about_id = models.BigIntegerField()
    about_label = models.CharField(max_length=100, blank=True, help_text="e.g. SO-000042.")
    to = models.JSONField(
        default=list, blank=True, help_text="Recipients; staff alerts are addressed when written."
    )
    subject = models.CharField(max_length=255, blank=True)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True, help_text="What the kind needs to write it.")
    message_id = models.CharField(
        max_length=255, unique=True, help_text="Message-ID header, fixed when the row is written."
    )
    status = FSMField(max_length=20, choices=Status.choices, default=Status.QUEUED, protected=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="When a worker may try next; empty once settled."
    )
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Whose change caused the email; empty for the system.",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["about_type", "about_id"], name="outbox_about"),
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["queued", "retrying"]),
                name="outbox_due",
            ),
            models.Index(fields=["status", "-created_at"], name="outbox_status_created"),
        ]
        permissions = [
            ("resend_outboundemail", "Can resend an email that failed or was cancelled"),
            ("cancel_outboundemail", "Can cancel an email that has not been sent"),
        ]

    def __str__(self):
        return f"{self.kind} {self.about_label or self.about_id} ({self.status})"

    # --- transitions: fields only; oms.outbox does locking, sending and the owner's timeline ---

    @transition(field=status, source=[Status.QUEUED, Status.RETRYING], target=Status.SENT)
    def mark_sent(self, *, at):
        self.sent_at = at
        self.next_attempt_at = None

    @transition(field=status, source=[Status.QUEUED, Status.RETRYING], target=Status.RETRYING)
    def schedule_retry(self, *, at, error: str):
        self.next_attempt_at = at
        self.last_error = error[:500]

    @transition(field=status, source=[Status.QUEUED, Status.RETRYING], target=Status.FAILED)
    def give_up(self, *, error: str):
        self.next_attempt_at = None
        self.last_error = error[:500]

    @transition(
        field=status,
        source=[Status.FAILED, Status.RETRYING, Status.CANCELLED],
        target=Status.QUEUED,
        permission="oms.resend_outboundemail",
    )
    def resend(self, *, at):
        self.attempts = 0
        self.next_attempt_at = at
        self.last_error = ""

    @transition(
        field=status,
        source=[Status.QUEUED, Status.RETRYING, Status.FAILED],
        target=Status.CANCELLED,
        permission="oms.cancel_outboundemail",
    )
    def cancel(self):
        self.next_attempt_at = None


class ApiToken(models.Model):
    """An API key of one user: stored hashed, valid until it expires or is revoked.

    A login at ``POST /api/v1/auth/token/`` mints a new one; the key itself is
    shown once and only its SHA-256 is kept. Tokens are never deleted:
    revoking one keeps the row as a record of who had access and when.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens"
    )
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(
        max_length=8, help_text="The first characters of the key, to tell tokens apart."
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("revoke_apitoken", "Can revoke API tokens")]
        verbose_name = "API token"

    def __str__(self):
        return f"{self.prefix}… ({self.user})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


from oms.models.accounting import AccountingBatch, BatchDocument  # noqa: E402, F401
from oms.models.tax import TaxClass, TaxRate  # noqa: E402, F401  (the tax tables)
