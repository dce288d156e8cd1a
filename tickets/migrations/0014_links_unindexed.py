"""The ticket's link columns lose their indexes (the integrations find tickets through
tables of their own, integrations 0008), so recording a link can update the row in place
(a HOT update); on PostgreSQL, pages keep a tenth free for such updates."""

from django.db import migrations, models


def leave_room_for_updates(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE tickets_supportticket SET (fillfactor = 90)")


def fill_pages(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE tickets_supportticket RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0013_ticket_version"),
        ("integrations", "0008_slack_threads"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="supportticket", name="ticket_slack_thread_idx"),
        migrations.AlterField(
            model_name="supportticket",
            name="helpscout_conversation_id",
            field=models.CharField(blank=True, max_length=32, null=True),
        ),
        migrations.RunPython(leave_room_for_updates, fill_pages),
    ]
