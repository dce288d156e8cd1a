"""The periodic jobs, as rows of django-celery-beat (visible and editable in the admin).
`ensure_schedules` creates missing ones and leaves an admin's edits alone."""

from typing import Any

# name: (task, every N seconds)
SCHEDULES = {
    "Deliver pending integration syncs": ("integrations.tasks.outbox_sweep", 60),
    "Announce SLA breaches": ("tickets.tasks.sla_check", 60),
    "Compact the statistics' tallies": ("tickets.tasks.statistics_compact", 60),
    "Help Scout resync": ("integrations.helpscout.tasks.helpscout_resync", 15 * 60),
}


def ensure_schedules(apps: Any, schema_editor: Any = None) -> None:
    interval_model = apps.get_model("django_celery_beat", "IntervalSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, (task, seconds) in SCHEDULES.items():
        # An admin may have made duplicate intervals (there is no unique constraint): take one.
        interval = interval_model.objects.filter(every=seconds, period="seconds").first()
        if interval is None:
            interval = interval_model.objects.create(every=seconds, period="seconds")
        task_model.objects.get_or_create(name=name, defaults={"task": task, "interval": interval, "enabled": True})
