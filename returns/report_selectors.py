"""The returns app's figure on the manager's dashboard (oms.reports): returns by reason.

Aggregated in the database: one grouped query, whatever the number of returns.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Sum

from returns.models import Return, ReturnLine


def returns_by_reason(
    *, start: datetime.datetime, end: datetime.datetime, channel: str = ""
) -> list[tuple[str, int, int]]:
    """Return (reason, returns, units asked back) of returns opened in [start, end), most first.

    Rejected, cancelled and expired returns are left out: nothing came back
    on them. A return with lines of two reasons counts once for each reason;
    ``channel`` narrows to returns of orders that came in through it.
    """
    lines = ReturnLine.objects.filter(rma__created_at__gte=start, rma__created_at__lt=end).exclude(
        rma__status__in=Return.VOID
    )
    if channel:
        lines = lines.filter(rma__order__channel=channel)
    rows = (
        lines.values("reason__name", "reason__position", "reason__code")
        .annotate(returns=Count("rma", distinct=True), units=Sum("quantity_requested"))
        .order_by("-returns", "-units", "reason__position", "reason__code")
    )
    return [(row["reason__name"], row["returns"], row["units"]) for row in rows]
