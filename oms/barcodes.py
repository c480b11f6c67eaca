"""Barcode rules shared by every app: validation, recognition and SVG drawing.

Products carry GTINs (EAN-13, UPC-A, EAN-8, GTIN-14) whose last digit is a
check digit, or free Code 128 text. Everything the OMS prints is drawn by
python-barcode as SVG so it stays crisp at any printer resolution.
"""

from __future__ import annotations

import io
from enum import StrEnum

from django.core.exceptions import ValidationError

GTIN_LENGTHS = {8: "EAN-8", 12: "UPC-A", 13: "EAN-13", 14: "GTIN-14"}
MAX_CODE128_LENGTH = 48


class Symbology(StrEnum):
    EAN13 = "ean13"
    UPCA = "upca"
    EAN8 = "ean8"
    GTIN14 = "gtin14"
    CODE128 = "code128"


def is_digits(text: str) -> bool:
    """Tell whether text is digits 0-9 only (str.isdigit also takes ², ٣ and the like)."""
    return text.isascii() and text.isdigit()


def gtin_check_digit(body: str) -> int:
    """Compute the GS1 check digit for the digits before it."""
    total = 0
    for position, char in enumerate(reversed(body)):
        weight = 3 if position % 2 == 0 else 1
        total += int(char) * weight
    return (10 - total % 10) % 10


def is_valid_gtin(code: str) -> bool:
    """Tell whether a string of 8, 12, 13 or 14 digits has a correct check digit."""
    if not is_digits(code) or len(code) not in GTIN_LENGTHS:
        return False
    return gtin_check_digit(code[:-1]) == int(code[-1])


def classify(code: str) -> Symbology:
    """Name the symbology a barcode is printed in.

    Only a digit string with a correct GTIN check digit is a GTIN; anything
    else (a 12-digit tracking number, say) is printed as Code 128, so the
    printed symbol always scans back to the exact text.
    """
    if is_valid_gtin(code):
        return {
            8: Symbology.EAN8,
            12: Symbology.UPCA,
            13: Symbology.EAN13,
            14: Symbology.GTIN14,
        }[len(code)]
    return Symbology.CODE128


def validate_product_barcode(value: str) -> None:
    """Refuse a barcode with a wrong GTIN check digit or characters a scanner cannot send."""
    code = value.strip()
    if not code:
        raise ValidationError("Enter a barcode.", code="blank")
    if is_digits(code) and len(code) in GTIN_LENGTHS:
        expected = gtin_check_digit(code[:-1])
        if expected != int(code[-1]):
            name = GTIN_LENGTHS[len(code)]
            raise ValidationError(
                f"{code} is not a valid {name}: its check digit should be {expected}, "
                f"not {code[-1]}. Check for a typing error or scan it again.",
                code="check_digit",
            )
        return
    if len(code) > MAX_CODE128_LENGTH:
        raise ValidationError(
            f"A barcode can be at most {MAX_CODE128_LENGTH} characters long.", code="too_long"
        )
    if any(not (32 < ord(char) < 127) for char in code):
        raise ValidationError(
            "A barcode may only contain letters, digits and printable symbols, without spaces.",
            code="characters",
        )


def gtin_variants(code: str) -> list[str]:
    """Return the spellings under which the same GTIN may be stored.

    A UPC-A scanned by some readers arrives as 13 digits with a leading zero,
    and GS1-128 carries a 14-digit GTIN with leading zeros. Only a valid GTIN
    has other spellings: free Code 128 text such as ``12345`` is never padded
    into somebody else's EAN-8.
    """
    variants = [code]
    if is_valid_gtin(code):
        stripped = code.lstrip("0")
        for length in (8, 12, 13, 14):
            if len(stripped) <= length:
                padded = stripped.zfill(length)
                if padded not in variants and is_valid_gtin(padded):
                    variants.append(padded)
    return variants


def render_svg(
    value: str,
    *,
    symbology: Symbology | str | None = None,
    text: bool = True,
    module_height: float = 12.0,
    module_width: float = 0.3,
) -> str:
    """Draw a barcode as an inline SVG element that scans back to ``value``.

    EAN-13, UPC-A and EAN-8 are drawn as themselves; a GTIN-14 is drawn as
    ITF-14, the symbol GS1 uses for it (EAN-13 bars cannot carry 14 digits).
    A GTIN whose check digit is wrong is refused rather than drawn with a
    corrected digit that would scan as a different code.
    """
    import barcode
    from barcode.writer import SVGWriter

    kind = Symbology(symbology) if symbology else classify(value)
    options = {
        "module_height": module_height,
        "module_width": module_width,
        "write_text": text,
        "quiet_zone": 4.0,
        "font_size": 8,
        "text_distance": 3.5,
    }
    if kind is Symbology.CODE128:
        code = barcode.get_barcode_class("code128")(value, writer=SVGWriter())
    else:
        if not is_valid_gtin(value) or classify(value) is not kind:
            label = {
                Symbology.EAN13: "EAN-13",
                Symbology.UPCA: "UPC-A",
                Symbology.EAN8: "EAN-8",
                Symbology.GTIN14: "GTIN-14",
            }[kind]
            raise ValueError(f"{value!r} is not a valid {label} barcode.")
        if kind is Symbology.GTIN14:
            # ITF narrow bars are two units wide: one unit is half a module.
            options["module_width"] = module_width / 2
            options["quiet_zone"] = max(6.4, 10 * module_width)
            code = barcode.get_barcode_class("itf")(value, writer=SVGWriter())
        else:
            name = {Symbology.EAN13: "ean13", Symbology.UPCA: "upca", Symbology.EAN8: "ean8"}[kind]
            # python-barcode appends the check digit itself; it equals ours.
            code = barcode.get_barcode_class(name)(value[:-1], writer=SVGWriter())
    out = io.BytesIO()
    code.write(out, options=options)
    svg = out.getvalue().decode("utf-8")
    # Drop the XML declaration and DOCTYPE so the SVG can sit inline in HTML.
    return svg[svg.index("<svg") :]
