"""Ticket numbers from a PostgreSQL sequence, continuing from the counter row.

The counter row's lock, held until each creating transaction committed, made creations
queue behind each other's commit (one disk flush each): about 150 a second at most here,
however many agents. A sequence never blocks; a creation that fails after taking its
number leaves that number unused. SQLite, one writer at a time, keeps the counter row.
"""

from django.db import migrations

SEQUENCE = "tickets_ticket_number_seq"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"CREATE SEQUENCE {SEQUENCE} AS bigint MINVALUE 1")
    # LOCK: no ticket is created between reading the last number and moving the sequence on.
    schema_editor.execute("LOCK TABLE tickets_supportticket IN SHARE MODE")
    schema_editor.execute(
        f"""SELECT setval('{SEQUENCE}', greatest(last, 1), last > 0) FROM (SELECT greatest(
                (SELECT coalesce(max(number), 0) FROM tickets_supportticket),
                (SELECT coalesce(max(last_number), 0) FROM tickets_ticketnumbercounter)) AS last) numbers"""
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"""INSERT INTO tickets_ticketnumbercounter (id, last_number)
            SELECT 1, coalesce(max(number), 0) FROM tickets_supportticket
            ON CONFLICT (id) DO UPDATE SET last_number = excluded.last_number"""
    )
    schema_editor.execute(f"DROP SEQUENCE IF EXISTS {SEQUENCE}")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0008_tally_triggers")]
    operations = [migrations.RunPython(create, drop)]
