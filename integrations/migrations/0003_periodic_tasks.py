from django.db import migrations

from integrations.schedules import ensure_schedules


# The schedules this migration made (later ones add their own).
NAMES = ["Deliver pending integration syncs", "Announce SLA breaches"]


def remove_schedules(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=NAMES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0002_integration_outbox"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(ensure_schedules, remove_schedules)]
