"""Barcodes in templates: ``{% barcode value %}`` draws an inline SVG that scans back to value.

    {% load barcodes %}
    {% barcode shipment.tracking_number symbology="code128" module_width=0.5 height=22 max_width=92 %}
    {% barcode product.barcode %}            {# EAN-13 / UPC-A / EAN-8 when it is a valid GTIN #}

Sizes are in millimetres, as printed: ``module_width`` is the narrowest bar,
``height`` the bar height, ``max_width`` the room on the page (the module
width shrinks to fit, never below what a scanner reads). Module widths are
snapped to the 203 dpi thermal printer dot (1/8 mm) so bars print evenly.
Labels repeat the same codes (order numbers on every parcel, bins on every
pick list), so drawn SVGs are cached.
"""

from __future__ import annotations

import re
from functools import lru_cache

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from oms.barcodes import Symbology, classify, render_svg

register = template.Library()

QUIET_ZONE_MM = 8.0  # render_svg leaves 4 mm either side
MIN_MODULE_MM = 0.25
DOT_MM = 0.125
_WIDTH_RE = re.compile(r'<svg[^>]*?width="(?P<width>[\d.]+)mm"')
_SIZE_RE = re.compile(r'<svg[^>]*?width="(?P<width>[\d.]+)mm" height="(?P<height>[\d.]+)mm"')
_BAR_RE = re.compile(
    r'<rect x="([\d.]+)mm" y="([\d.]+)mm" width="([\d.]+)mm" height="([\d.]+)mm" '
    r'style="fill:black;"\s*/>'
)


def _snap(module_width: float) -> float:
    """Round a module width down to whole printer dots, keeping the minimum readable width."""
    dots = int(module_width / DOT_MM + 1e-9)
    return max(MIN_MODULE_MM, dots * DOT_MM)


@lru_cache(maxsize=4096)
def barcode_svg(
    value: str,
    symbology: str | None = None,
    module_width: float = 0.375,
    height: float = 12.0,
    max_width: float | None = None,
    text: bool = False,
) -> str:
    """Draw (and remember) the SVG for a code, shrunk to fit ``max_width`` mm when given."""
    kind = Symbology(symbology) if symbology else classify(value)
    svg = render_svg(
        value, symbology=kind, text=text, module_height=height, module_width=module_width
    )
    if max_width:
        drawn = float(_WIDTH_RE.search(svg)["width"])
        if drawn > max_width and module_width > MIN_MODULE_MM:
            modules = (drawn - QUIET_ZONE_MM) / module_width
            fitted = _snap((max_width - QUIET_ZONE_MM) / modules)
            if fitted < module_width:
                svg = render_svg(
                    value, symbology=kind, text=text, module_height=height, module_width=fitted
                )
    return compact_svg(svg)


def compact_svg(svg: str) -> str:
    """Redraw python-barcode's SVG (one styled rect per bar) as one path in a mm viewBox.

    The bars keep their exact positions and widths; the document gets one
    element instead of dozens, which WeasyPrint lays out much faster, and the
    symbol can be scaled by CSS. An SVG in another shape is returned as drawn.
    """
    size = _SIZE_RE.search(svg)
    bars = _BAR_RE.findall(svg)
    if size is None or not bars or svg.count("<rect") != len(bars) + 1 or "<text" in svg:
        return svg
    width, height = size["width"], size["height"]
    path = "".join(f"M{x} {y}h{w}v{h}h-{w}z" for x, y, w, h in bars)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}mm" height="{height}mm" '
        f'viewBox="0 0 {width} {height}" shape-rendering="crispEdges">'
        f'<rect width="{width}" height="{height}" fill="#fff"/>'
        f'<path fill="#000" d="{path}"/></svg>'
    )


@register.simple_tag
def barcode(
    value,
    symbology: str | None = None,
    module_width: float = 0.375,
    height: float = 12.0,
    max_width: float | None = None,
    text: bool = False,
    css_class: str = "",
):
    """Inline a barcode for ``value`` (Code 128 unless it is a valid GTIN, or as told).

    An empty value draws nothing. A value the symbology cannot carry is
    printed as plain text in a box, so a document still prints.
    """
    code = "" if value is None else str(value).strip()
    if not code:
        return ""
    try:
        svg = barcode_svg(
            code,
            str(symbology) if symbology else None,
            float(module_width),
            float(height),
            float(max_width) if max_width else None,
            bool(text),
        )
    except (ValueError, TypeError) as error:
        return mark_safe(
            f'<span class="barcode-error" title="{escape(error)}">{escape(code)}</span>'
        )
    classes = " ".join(part for part in ["barcode", escape(css_class)] if part)
    # The SVG is drawn by python-barcode from bar widths only: the value never
    # appears in it unless text=True, and then python-barcode's XML writer escapes it.
    return mark_safe(f'<span class="{classes}" data-value="{escape(code)}">{svg}</span>')
