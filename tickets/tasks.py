"""Scheduled ticket work (Celery beat)."""

from celery import shared_task
from django.utils import timezone

from . import services
from .statistics import tallies_compact


@shared_task(ignore_result=True)
def sla_check() -> int:
    """Every minute: announces each new SLA breach once, and warns once of each target
    nearing its deadline (dashboards, Slack). Each in its own transaction: a failing warning
    check holds back no breach."""
    now = timezone.now()
    breached = services.tickets_announce_sla_breaches(now=now)
    return breached + services.tickets_announce_sla_warnings(now=now)


@shared_task(ignore_result=True)
def statistics_compact() -> int:
    """Every minute: folds the statistics' appended changes into the daily tallies."""
    return tallies_compact()


@shared_task(ignore_result=True)
def sla_refresh(calendar_id: int | None = None) -> None:
    """After an edit of the SLA policies or a calendar (tickets/sla_policies.py): the open
    tickets' deadlines, recomputed in batches of their own transactions."""
    done: int | None = 0
    while done is not None:
        done = services.tickets_refresh_sla(calendar_id=calendar_id, after_id=done)
