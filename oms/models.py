from django.conf import settings
from django.db import models
from django.utils import timezone


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
