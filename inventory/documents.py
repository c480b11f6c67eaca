"""Inventory's printed documents: product labels and bin labels (rendered by ``oms.pdf``)."""

from __future__ import annotations

from collections.abc import Iterable

from oms import pdf

PRODUCT_LABEL = "documents/product_label.html"
BIN_LABEL = "documents/bin_label.html"


def product_label_context(product) -> dict:
    """Return a product label: its barcode (or SKU as Code 128 when it has none), name and price."""
    return {
        "name": product.name,
        "sku": product.sku,
        "code": product.barcode or product.sku,
        "price": f"{product.price}" if product.price else "",
    }


def product_labels_pdf(products: Iterable, *, copies: int = 1, progress=None) -> bytes:
    """Print product labels (2.25 x 1.25 in), ``copies`` of each."""
    contexts = [product_label_context(p) for p in products for _ in range(max(1, copies))]
    return pdf.render_many(PRODUCT_LABEL, contexts, progress=progress)


def bin_label_context(location) -> dict:
    """Return a bin label: the bin code large, its barcode below."""
    return {
        "code": location.code,
        "barcode": location.barcode,
        "warehouse": location.warehouse.code,
    }


def bin_labels_pdf(locations: Iterable, *, progress=None) -> bytes:
    """Print bin labels (3 x 1 in), one per location, in the order given."""
    return pdf.render_many(
        BIN_LABEL, [bin_label_context(location) for location in locations], progress=progress
    )
