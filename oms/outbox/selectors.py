"""Reads of the outbox: what needs a manager's attention, and the emails about one thing."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from oms.models import OutboundEmail

Status = OutboundEmail.Status

# What the managers' list shows unless told otherwise: emails that have not gone out.
ATTENTION = (Status.FAILED, Status.RETRYING)


def attention_counts() -> dict[str, int]:
    """Count failed and retrying emails (one query)."""
    counts = OutboundEmail.objects.aggregate(
        failed=Count("pk", filter=Q(status=Status.FAILED)),
        retrying=Count("pk", filter=Q(status=Status.RETRYING)),
    )
    return {name: counts[name] or 0 for name in ("failed", "retrying")}


def status_counts() -> dict[str, int]:
    """Count the emails per status (one query)."""
    rows = OutboundEmail.objects.order_by().values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in rows}


def email_list(*, statuses=ATTENTION, search: str = "") -> QuerySet[OutboundEmail]:
    """List emails in these statuses, newest first; search recipients, subject and reference."""
    qs = OutboundEmail.objects.filter(status__in=list(statuses)).select_related("created_by")
    search = (search or "").strip()
    if search:
        qs = qs.filter(
            Q(to__icontains=search)
            | Q(subject__icontains=search)
            | Q(about_label__icontains=search)
            | Q(message_id=search)
        )
    return qs.order_by("-created_at", "-pk")


def emails_about(instance, *, statuses=None) -> list[OutboundEmail]:
    """Return the emails about one row of any app (one query), oldest first."""
    qs = OutboundEmail.objects.filter(
        about_type=instance._meta.label_lower, about_id=instance.pk
    ).select_related("created_by")
    if statuses is not None:
        qs = qs.filter(status__in=list(statuses))
    return list(qs.order_by("created_at", "pk"))
