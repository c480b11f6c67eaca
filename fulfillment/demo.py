"""Carriers, shipping services and boxes for the demo: created once, never duplicated."""

from decimal import Decimal

from django.db import transaction

from fulfillment.models import Carrier, PackageType, ShippingMethod

CARRIERS = [
    # code, name, tracking page, local courier
    ("LOCAL", "City Courier", "", True),
    (
        "RM",
        "Royal Post",
        "https://www.royalmail.com/track-your-item#/tracking-results/{tracking}",
        False,
    ),
    ("DPD", "DPD", "https://track.dpd.co.uk/parcels/{tracking}", False),
]

# The codes match the shipping methods the sales desk offers (standard, express, courier).
METHODS = [
    ("RM", "standard", "Tracked 48", Decimal("3.95")),
    ("RM", "rm-24", "Tracked 24", Decimal("5.20")),
    ("DPD", "express", "Next day", Decimal("7.95")),
    ("LOCAL", "courier", "Same day, timed", Decimal("12.50")),
    ("LOCAL", "collect", "Collect from the warehouse", Decimal("0.00")),
]

PACKAGES = [
    ("Padded bag", 250, 180, 30, 20),
    ("Small box", 300, 200, 150, 120),
    ("Medium box", 400, 300, 250, 250),
    ("Large box", 600, 400, 400, 450),
]


@transaction.atomic
def load_fulfillment_demo() -> dict[str, int]:
    """Create the demo carriers, services and package types that are missing; return counts."""
    created = {"carriers": 0, "methods": 0, "packages": 0}
    carriers = {}
    for code, name, url, local in CARRIERS:
        carrier, made = Carrier.objects.get_or_create(
            code=code,
            defaults={"name": name, "tracking_url_template": url, "is_local_courier": local},
        )
        carriers[code] = carrier
        created["carriers"] += made
    for carrier_code, code, name, price in METHODS:
        _, made = ShippingMethod.objects.get_or_create(
            code=code, defaults={"carrier": carriers[carrier_code], "name": name, "price": price}
        )
        created["methods"] += made
    for name, length, width, height, tare in PACKAGES:
        _, made = PackageType.objects.get_or_create(
            name=name,
            defaults={
                "length_mm": length,
                "width_mm": width,
                "height_mm": height,
                "tare_grams": tare,
            },
        )
        created["packages"] += made
    return created
