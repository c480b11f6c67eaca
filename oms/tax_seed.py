"""The tax classes and rates a new installation starts with: the United Kingdom's VAT.

Standard VAT was 17.5 % until 3 January 2011 and 20 % from 4 January 2011
(the Online Retail history spans the change); reduced 5 %; zero-rated goods
(most food) and exempt supplies 0 %. A manager adds more in the admin.

Written by a data migration, and again after ``migrate``/``flush`` when the
tables are empty (a flushed test database, or a database made with
``--run-syncdb``), never over rows that exist.
"""

import datetime
from decimal import Decimal

CLASSES = [
    ("standard", "Standard"),
    ("reduced", "Reduced"),
    ("zero", "Zero-rated"),
    ("exempt", "Exempt"),
]
RATES = [
    ("standard", "0.1750", datetime.date(2010, 1, 1), datetime.date(2011, 1, 4), "VAT 17.5 %"),
    ("standard", "0.2000", datetime.date(2011, 1, 4), None, "VAT 20 %"),
    ("reduced", "0.0500", datetime.date(2000, 1, 1), None, "VAT 5 %"),
    ("zero", "0.0000", datetime.date(2000, 1, 1), None, "VAT 0 %"),
    ("exempt", "0.0000", datetime.date(2000, 1, 1), None, "Exempt"),
]


def seed(tax_class_model, tax_rate_model, *, using: str = "default") -> None:
    """Create the classes and GB rates above that do not exist yet (models may be historical)."""
    classes = {}
    for code, name in CLASSES:
        classes[code], _ = tax_class_model.objects.using(using).get_or_create(
            code=code, defaults={"name": name}
        )
    for code, rate, start, end, name in RATES:
        tax_rate_model.objects.using(using).get_or_create(
            tax_class=classes[code],
            country="GB",
            valid_from=start,
            defaults={"rate": Decimal(rate), "valid_until": end, "name": name},
        )


def seed_after_migrate(sender, app_config=None, using="default", apps=None, **kwargs):
    """Seed an empty tax table once ``oms`` has migrated (or a flush emptied it)."""
    if app_config is None or app_config.label != "oms":
        return
    from django.apps import apps as global_apps

    apps = apps or global_apps
    try:
        tax_class = apps.get_model("oms", "TaxClass")
        tax_rate = apps.get_model("oms", "TaxRate")
    except LookupError:
        return
    if not tax_class.objects.using(using).exists():
        seed(tax_class, tax_rate, using=using)
