"""The Celery app: configured once from Django settings (CELERY_* names)."""

import logging
import os
from typing import Any

from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger, worker_process_init

from fractionax_support import collector
from fractionax_support.log_format import json_formatter, wants_json

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fractionax_support.settings")

app = Celery("fractionax_support")
app.config_from_object("django.conf:settings", namespace="CELERY")
from fractionax_support.worker_connections import keep_connections  # noqa: E402 (after the app exists)

keep_connections(app)
app.autodiscover_tasks()
# Integration packages keep their tasks beside their code, one level below an app.
app.autodiscover_tasks(["integrations.slack", "integrations.helpscout"])


@after_setup_logger.connect
@after_setup_task_logger.connect
def _json_log_lines(logger: logging.Logger, **_: Any) -> None:
    """The worker sets up its own handlers (console or --logfile); with LOG_FORMAT=json
    they write JSON lines, as the web server does."""
    if wants_json():
        for handler in logger.handlers:
            handler.setFormatter(json_formatter())


@worker_process_init.connect
def _settle(**_: Any) -> None:
    """Each prefork process, once forked, as the web server's (fractionax_support/collector.py)."""
    collector.settle()
