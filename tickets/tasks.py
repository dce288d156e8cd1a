"""Scheduled ticket work (Celery beat)."""

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(ignore_result=True)
def sla_check() -> int:
    """Every minute: announces each new SLA breach once (dashboards, Slack)."""
    return services.tickets_announce_sla_breaches(now=timezone.now())
