"""The Celery app: configured once from Django settings (CELERY_* names)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fractionax_support.settings")

app = Celery("fractionax_support")
app.config_from_object("django.conf:settings", namespace="CELERY")
from fractionax_support.worker_connections import keep_connections  # noqa: E402 (after the app exists)

keep_connections(app)
app.autodiscover_tasks()
# Integration packages keep their tasks beside their code, one level below an app.
app.autodiscover_tasks(["integrations.slack", "integrations.helpscout"])
