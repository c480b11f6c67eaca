"""Trigram indexes for product searches by SKU and name (PostgreSQL only); see orders 0005."""

from django.db import migrations

INDEXES = [
    ("inventory_product", "sku", "product_sku_trgm"),
    ("inventory_product", "name", "product_name_trgm"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, column, name in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {name} ON {table} '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _, _, name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("inventory", "0005_receive_and_count_scan_log_and_count_sessions")]

    operations = [migrations.RunPython(create, drop)]
