from django.db import migrations

REASONS = [
    ("damaged", "Arrived damaged", False),
    ("defective", "Defective, does not work", False),
    ("wrong_item", "Wrong item sent", False),
    ("not_as_described", "Not as described", False),
    ("no_longer_needed", "No longer needed", False),
    ("other", "Other (say what)", True),
]


def seed(apps, schema_editor):
    ReturnReason = apps.get_model("returns", "ReturnReason")
    for position, (code, name, needs_note) in enumerate(REASONS):
        ReturnReason.objects.get_or_create(
            code=code, defaults={"name": name, "needs_note": needs_note, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("returns", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
