"""Figures other apps add to the manager's dashboard, such as returns by reason.

The dashboard (``oms.dashboard``) draws the figures of the apps it knows
and, under them, every figure registered here. An app registers in its
``AppConfig.ready``::

    from oms.reports import register_figure

    register_figure(
        "returns_by_reason",
        title="Returns by reason",
        columns=("Reason", "Returns", "Units"),
        rows=returns_by_reason,        # rows(*, start, end, channel) -> [(label, count, ...)]
        permission="returns.view_return",
    )

``rows`` is a selector of the registering app: it aggregates in the
database and returns a short list of tuples whose first item is the label
and second the number the chart draws. Until an app registers a figure the
dashboard says that nothing is recorded yet (``PLANNED``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    name: str
    title: str
    columns: tuple[str, ...]
    rows: Callable[..., list[tuple]]
    permission: str


_FIGURES: dict[str, Figure] = {}
# Figures the dashboard shows a place for before their app has registered them.
PLANNED = {"returns_by_reason": "Returns by reason"}


def register_figure(
    name: str, *, title: str, columns: tuple[str, ...], rows: Callable, permission: str
) -> None:
    """Add a figure (a chart and its table) to the manager's dashboard."""
    _FIGURES[name] = Figure(name, title, tuple(columns), rows, permission)


def figures_for(user) -> list[Figure]:
    """Return the registered figures this user may see."""
    return [f for f in _FIGURES.values() if user.has_perm(f.permission)]


def unregister_figure(name: str) -> None:
    """Take a figure off the dashboard (tests)."""
    _FIGURES.pop(name, None)
