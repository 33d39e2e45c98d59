"""Trigram indexes for the queue's word search (PostgreSQL only; SQLite scans)."""

from django.db import migrations

INDEXES = [
    ("complaint_subject_trgm", "complaints_complaint", "subject"),
    ("complaint_description_trgm", "complaints_complaint", "description"),
    ("customer_name_trgm", "complaints_customer", "name"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    for name, table, column in INDEXES:
        # Matches Django's icontains SQL, UPPER("column"::text) LIKE UPPER(...), tenant first.
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
            f"USING gin (tenant_id, (UPPER({column}::text)) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("complaints", "0002_open_priority_index")]
    operations = [migrations.RunPython(create, drop)]
