"""GIN indexes for full-text search and tag containment. PostgreSQL only: on SQLite the
search falls back to LIKE and these columns are not indexed."""

from django.db import migrations

INDEXES = {
    "ticket_search_gin": "USING gin (search_vector)",
    "ticket_tags_gin": "USING gin (tags jsonb_path_ops)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, method in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON tickets_supportticket {method}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
