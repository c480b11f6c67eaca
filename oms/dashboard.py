"""The manager's dashboard: how the business runs over a date range and channel.

Each figure comes from its app's report selectors (aggregated in the
database) and is shown as a chart with its table one click away; every
table downloads as CSV with the same filters. Figures other apps register
(``oms.reports``), such as returns by reason, appear after these. This is a
project module: it gathers every app, and nothing imports it but the URLs.
"""

from __future__ import annotations

import csv
import datetime
from dataclasses import dataclass, field

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from fulfillment import report_selectors as floor
from inventory import selectors as inventory_selectors
from oms import charts, reports
from oms.access import staff_view
from oms.cells import safe_row
from oms.roles import Role
from orders import report_selectors as sales
from orders.models import Order
from orders.report_selectors import Period

DEFAULT_DAYS = 30
MAX_DAYS = 3 * 366
_guard = staff_view(roles=[Role.MANAGER])


class DashboardForm(forms.Form):
    date_from = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    channel = forms.ChoiceField(
        label="Channel", required=False, choices=[("", "Every channel"), *Order.Channel.choices]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            css = "form-select" if isinstance(f.widget, forms.Select) else "form-control"
            f.widget.attrs["class"] = css

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        end = data.get("date_to") or today
        start = data.get("date_from") or end - datetime.timedelta(days=DEFAULT_DAYS - 1)
        if start > end:
            self.add_error("date_to", "The end date is before the start date.")
        elif (end - start).days >= MAX_DAYS:
            self.add_error("date_from", f"Choose at most {MAX_DAYS} days.")
        data["date_from"], data["date_to"] = start, end
        return data


def period_from(params) -> tuple[DashboardForm, Period]:
    """Read the filters; bad ones fall back to the last 30 days (the form shows why)."""
    form = DashboardForm(params or None)
    if form.is_bound and form.is_valid():
        start, end, channel = (
            form.cleaned_data["date_from"],
            form.cleaned_data["date_to"],
            form.cleaned_data["channel"],
        )
    else:
        end = timezone.localdate()
        start, channel = end - datetime.timedelta(days=DEFAULT_DAYS - 1), ""
    zone = timezone.get_current_timezone()
    return form, Period(
        start=datetime.datetime.combine(start, datetime.time.min, tzinfo=zone),
        end=datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, zone),
        channel=channel,
    )


def _hours(delta) -> float | None:
    return None if delta is None else round(delta.total_seconds() / 3600, 1)


def _rate_text(rate) -> str:
    return "—" if rate.percent is None else f"{rate.percent} % ({rate.part} of {rate.whole})"


@dataclass
class Panel:
    name: str
    title: str
    summary: str
    columns: tuple[str, ...]
    rows: list[tuple]
    chart: str = ""
    note: str = ""
    extra: dict = field(default_factory=dict)


def _orders_per_day(period: Period) -> Panel:
    rows = sales.orders_per_day(period)
    per_day: dict[datetime.date, int] = {}
    for r in rows:
        per_day[r.day] = per_day.get(r.day, 0) + r.orders
    revenue = sum((r.revenue for r in rows), 0)
    return Panel(
        "orders_per_day",
        "Orders and revenue per day",
        f"{sum(per_day.values()):,} orders, {revenue:,.2f} revenue",
        ("Day", "Channel", "Orders", "Revenue"),
        [(r.day.isoformat(), r.channel, r.orders, r.revenue) for r in rows],
        charts.bar_chart(
            [(d.strftime("%a %d %b"), n) for d, n in sorted(per_day.items())][-62:],
            label="Orders per day",
        ),
        note="Orders placed, cancelled ones left out; revenue is their totals with tax.",
    )


def _time_to_ship(period: Period) -> Panel:
    figure = floor.time_to_ship(period)
    rows = [("Median (p50)", _hours(figure.p50)), ("90th percentile (p90)", _hours(figure.p90))]
    return Panel(
        "time_to_ship",
        "Time from placing to shipping",
        f"p50 {_hours(figure.p50) or '—'} h, p90 {_hours(figure.p90) or '—'} h "
        f"over {figure.orders:,} orders",
        ("Measure", "Hours"),
        rows,
        charts.bar_chart(
            [(k, v) for k, v in rows if v is not None], label="Hours to ship", unit="h"
        ),
        note="Orders shipped in full, from placing to the last parcel leaving (nearest rank).",
    )


def _backorders(period: Period) -> Panel:
    rows = sales.backorders_by_age(channel=period.channel)
    return Panel(
        "backorders_by_age",
        "Backorders by age (now)",
        f"{sum(r.orders for r in rows):,} orders waiting for stock",
        ("Waiting", "Orders", "Units"),
        [(r.label, r.orders, r.units) for r in rows],
        charts.bar_chart([(r.label, r.orders) for r in rows], label="Backordered orders by age"),
    )


def _rates(period: Period) -> Panel:
    fill, perfect = sales.fill_rate(period), floor.perfect_order_rate(period)
    rows = [
        ("Fill rate", fill.percent, fill.part, fill.whole),
        ("Perfect orders", perfect.percent, perfect.part, perfect.whole),
    ]
    return Panel(
        "rates",
        "Fill rate and perfect orders",
        f"Fill {_rate_text(fill)} · perfect {_rate_text(perfect)}",
        ("Measure", "Percent", "Orders", "Out of"),
        rows,
        charts.bar_chart([(r[0], r[1]) for r in rows if r[1] is not None], label="Rates", unit="%"),
        note=(
            "Fill rate: confirmed orders never backordered. Perfect: shipped in one "
            f"shipment within {floor.ship_target().total_seconds() / 3600:.0f} h, nothing returned."
        ),
    )


def _pick_pack(period: Period) -> Panel:
    rows = floor.pick_pack_rates(period)
    return Panel(
        "pick_pack",
        "Pick and pack rate per person",
        f"{len({r.person for r in rows})} people scanned",
        ("Person", "Screen", "Units", "Scans", "Active hours", "Units per hour"),
        [(r.person, r.screen, r.units, r.scans, r.hours, r.per_hour) for r in rows],
        charts.bar_chart(
            [(f"{r.person} ({r.screen})", r.per_hour) for r in rows], label="Units per hour"
        ),
        note="Accepted scans not undone; an active hour is a clock hour with a scan.",
    )


def _registered(period: Period, user) -> list[Panel]:
    panels = []
    seen = set()
    for fig in reports.figures_for(user):
        seen.add(fig.name)
        rows = fig.rows(start=period.start, end=period.end, channel=period.channel)
        panels.append(
            Panel(
                fig.name,
                fig.title,
                f"{sum(r[1] for r in rows):,} in all",
                fig.columns,
                rows,
                charts.bar_chart([(r[0], r[1]) for r in rows], label=fig.title),
            )
        )
    for name, title in reports.PLANNED.items():
        if name not in seen:
            panels.append(Panel(name, title, "Nothing recorded yet.", (), []))
    return panels


BUILT_IN = {
    "orders_per_day": _orders_per_day,
    "time_to_ship": _time_to_ship,
    "backorders_by_age": _backorders,
    "rates": _rates,
    "pick_pack": _pick_pack,
}


# The built-in tables read orders; a registered figure's permission is checked when it is listed.
TABLE_PERMS = dict.fromkeys(BUILT_IN, "orders.view_order")


def panels(period: Period, user) -> list[Panel]:
    """Return every figure of the dashboard for the period, in the order shown."""
    return [build(period) for build in BUILT_IN.values()] + _registered(period, user)


def dashboard_context(request) -> dict:
    """Return what the dashboard template needs (the home page of a manager uses it too)."""
    form, period = period_from(request.GET)
    low_stock = inventory_selectors.low_stock_products().order_by("total_available", "sku")
    query = request.GET.copy()
    emails = None
    if request.user.has_perm("oms.view_outboundemail"):
        from oms.outbox import selectors as outbox_selectors

        emails = outbox_selectors.attention_counts()
    return {
        "emails": emails,
        "form": form,
        "period": period,
        "period_last_day": (period.end - datetime.timedelta(days=1)).date(),
        "panels": panels(period, request.user),
        "low_stock": low_stock[:10],
        "low_stock_count": low_stock.count(),
        "query": query.urlencode(),
    }


@_guard
def dashboard(request):
    """Show the manager's dashboard for a date range and channel."""
    return render(request, "oms/dashboard.html", dashboard_context(request))


@staff_view(roles=[Role.MANAGER], perm_by_kwarg=("name", TABLE_PERMS))
def dashboard_table(request, name: str):
    """Download the table behind one figure as CSV, under the same filters."""
    _form, period = period_from(request.GET)
    if name in BUILT_IN:
        panel = BUILT_IN[name](period)
    else:
        panel = next((p for p in _registered(period, request.user) if p.name == name), None)
        if panel is None or not panel.columns:
            raise Http404("There is no such figure.")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{name}-{period.start:%Y-%m-%d}-{period.end:%Y-%m-%d}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(panel.columns)
    writer.writerows(safe_row(row) for row in panel.rows)
    return response
