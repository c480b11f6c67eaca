"""Seed the tax classes and the United Kingdom's VAT rates (``oms.tax_seed``)."""

from django.db import migrations

from oms.tax_seed import seed


def seed_rates(apps, schema_editor):
    seed(
        apps.get_model("oms", "TaxClass"),
        apps.get_model("oms", "TaxRate"),
        using=schema_editor.connection.alias,
    )


class Migration(migrations.Migration):
    dependencies = [("oms", "0007_tax_classes_and_rates")]

    operations = [migrations.RunPython(seed_rates, migrations.RunPython.noop)]
