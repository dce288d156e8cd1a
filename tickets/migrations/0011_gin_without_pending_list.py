"""The GIN indexes take each write directly instead of through a pending list.

With GIN's default `fastupdate`, new entries wait in an unsorted pending list until a
vacuum, or until it reaches 4 MB and the write that fills it merges it, and every search
reads the whole list first: after ~6,000 creations and comments at a million tickets a
rare word's search took 2.8 ms of SQL instead of 0.17 ms. Writing each entry directly
costs creations no measurable time here (bench/RESULTS.md, finding 20).
"""

from django.db import migrations

INDEXES = ("ticket_search_gin", "ticket_tags_gin")


def direct(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"ALTER INDEX {name} SET (fastupdate = off)")
        schema_editor.execute("SELECT gin_clean_pending_list(%s::regclass)", [name])


def pending(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"ALTER INDEX {name} RESET (fastupdate)")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0010_statistics_compact_schedule")]
    operations = [migrations.RunPython(direct, pending)]
