"""Trigram indexes for the searches of the order and customer lists (PostgreSQL only).

``icontains`` becomes ``UPPER(col) LIKE UPPER('%text%')``: a GIN index of
trigrams over ``UPPER(col)`` answers it without reading every row. SQLite
has no such index; its searches scan, which is fine at its sizes.
"""

from django.db import migrations

INDEXES = [
    ("orders_order", "number", "order_number_trgm"),
    ("orders_order", "external_reference", "order_reference_trgm"),
    ("orders_customer", "name", "customer_name_trgm"),
    ("orders_customer", "email", "customer_email_trgm"),
    ("orders_customer", "phone", "customer_phone_trgm"),
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
    dependencies = [("orders", "0004_list_indexes")]

    operations = [migrations.RunPython(create, drop)]
