from django.db import migrations

from integrations.schedules import ensure_schedules

NAME = "Compact the statistics' tallies"


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0009_ticket_number_sequence"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(ensure_schedules, remove_schedule)]
