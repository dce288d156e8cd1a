from django.db import migrations

from integrations.schedules import ensure_schedules


def remove_schedules(apps, schema_editor):
    from integrations.schedules import SCHEDULES

    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=list(SCHEDULES)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0002_integration_outbox"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(ensure_schedules, remove_schedules)]
