"""Read printed documents back as a person's scanner would: rasterise each page and decode it."""

from __future__ import annotations

import pypdfium2 as pdfium
import zxingcpp

POINTS_PER_INCH = 72
# Bar widths are whole dots of the thermal printers' 8 dots a millimetre (203.2 dpi,
# oms/templatetags/barcodes.py), so they are read at that resolution: every bar is as
# many pixels wide as it has dots, give or take the edge where the page places it.
# At 200 dpi three-dot bars came out two or three pixels wide, and one scan line of
# CN-000011 read as '"N-000001', a misread Code 128's check character let through.
PRINTER_DPI = 203.2


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    """Return each page's media box (width, height) in PDF points."""
    document = pdfium.PdfDocument(pdf)
    try:
        sizes = []
        for index in range(len(document)):
            page = document[index]
            left, bottom, right, top = page.get_mediabox()
            sizes.append((round(right - left, 2), round(top - bottom, 2)))
            page.close()
        return sizes
    finally:
        document.close()


def scan_pages(pdf: bytes, *, dpi: float = PRINTER_DPI) -> list[list[tuple[str, str]]]:
    """Decode every barcode on every page with zxing-cpp: a list of (format, text) per page."""
    document = pdfium.PdfDocument(pdf)
    try:
        pages = []
        for index in range(len(document)):
            page = document[index]
            image = page.render(scale=dpi / POINTS_PER_INCH, grayscale=True).to_pil()
            page.close()
            pages.append([(code.format.name, code.text) for code in zxingcpp.read_barcodes(image)])
        return pages
    finally:
        document.close()


def scanned_texts(pdf: bytes, *, dpi: float = PRINTER_DPI) -> list[set[str]]:
    """Return the decoded texts of each page."""
    return [{text for _, text in page} for page in scan_pages(pdf, dpi=dpi)]


def page_texts(pdf: bytes) -> list[str]:
    """Return the text of each page as a PDF reader extracts it, runs of whitespace as one space."""
    document = pdfium.PdfDocument(pdf)
    try:
        texts = []
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            texts.append(" ".join(textpage.get_text_range().split()))
            textpage.close()
            page.close()
        return texts
    finally:
        document.close()
