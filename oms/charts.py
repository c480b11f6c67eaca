"""Bar charts drawn on the server as SVG: no script, no CDN, readable without colour.

Every bar carries its value as text and a <title>, so the chart reads in
black and white, by a screen reader and at 200 % zoom; the table behind
it is on the same page.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
BAR_GAP = 4


def _number(value) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}"
    return f"{value:,}"


def bar_chart(items: list[tuple[str, float]], *, label: str, unit: str = "") -> SafeString:
    """Draw horizontal bars, one per (label, value), each with its value written beside it."""
    if not items:
        return mark_safe("")
    row = 24
    left, right = 150, 90
    height = row * len(items) + 8
    top = max((float(v) for _, v in items), default=0) or 1
    parts = [
        f'<svg class="oms-chart" role="img" aria-label="{escape(label)}" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, (name, value) in enumerate(items):
        y = 4 + i * row
        width = max(0.0, float(value)) / top * (WIDTH - left - right)
        text = f"{_number(value)}{(' ' + unit) if unit else ''}"
        parts.append(
            f"<g><title>{escape(name)}: {escape(text)}</title>"
            f'<text x="{left - 6}" y="{y + 15}" text-anchor="end" font-size="12">{escape(name)}</text>'
            f'<rect x="{left}" y="{y + 2}" width="{width:.1f}" height="{row - BAR_GAP * 2}" '
            f'fill="currentColor" fill-opacity="0.55" stroke="currentColor"/>'
            f'<text x="{left + width + 6:.1f}" y="{y + 15}" font-size="12">{escape(text)}</text></g>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))
