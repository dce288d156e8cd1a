"""Custom ticket fields: their definitions, the tickets' values (a JSON column with a
database default, so adding it rewrites no row), and on PostgreSQL a GIN index over the
values (jsonb_path_ops: the containment the list's `cf_<key>` filter asks), taking each
write directly as the other GIN indexes do (0011). Every creation reads the definitions, so
the processes keep them in memory: writes to them change the configuration stamp (0020).
"""

from django.db import migrations, models

from ._configuration_triggers import add_triggers, drop_triggers

INDEX = "ticket_custom_fields_gin"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON tickets_supportticket "
        "USING gin (custom_fields jsonb_path_ops) WITH (fastupdate = off)"
    )


def create_triggers(apps, schema_editor):
    add_triggers(schema_editor, "tickets_customfield")


def remove_triggers(apps, schema_editor):
    drop_triggers(schema_editor, "tickets_customfield")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0020_configuration_stamp"),
    ]

    operations = [
        migrations.CreateModel(
            name="CustomField",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(max_length=27, unique=True)),
                ("label", models.CharField(max_length=100)),
                (
                    "type",
                    models.CharField(
                        choices=[
                            ("text", "Text"),
                            ("number", "Number"),
                            ("date", "Date"),
                            ("choice", "Choice"),
                            ("boolean", "Yes/no"),
                        ],
                        max_length=10,
                    ),
                ),
                ("choices", models.JSONField(blank=True, default=list)),
                ("required", models.BooleanField(default=False)),
                ("active", models.BooleanField(default=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "ordering": ["id"],
            },
        ),
        migrations.AddField(
            model_name="supportticket",
            name="custom_fields",
            field=models.JSONField(blank=True, db_default=models.Value({}, models.JSONField()), default=dict),
        ),
        migrations.RunPython(create_index, drop_index),
        migrations.RunPython(create_triggers, remove_triggers),
    ]
