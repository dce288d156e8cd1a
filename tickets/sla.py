"""SLA rules: deadlines follow priority and always count from the ticket's creation."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q

from .models import FINISHED_STATUSES, SupportTicket


@dataclass(frozen=True)
class SlaDeadlines:
    response_target_minutes: int
    response_deadline: datetime
    resolution_deadline: datetime


def sla_deadlines(*, priority: str, created_at: datetime) -> SlaDeadlines:
    response_minutes, resolution_minutes = settings.SLA_TARGETS_MINUTES[priority]
    return SlaDeadlines(
        response_target_minutes=response_minutes,
        response_deadline=created_at + timedelta(minutes=response_minutes),
        resolution_deadline=created_at + timedelta(minutes=resolution_minutes),
    )


def is_overdue(ticket: SupportTicket, *, now: datetime) -> bool:
    """Overdue: still being worked on, and past the resolution deadline, or past the
    response deadline without a first response. Resolved and closed tickets are done:
    their SLA outcome is final and shows in the statistics, not as "overdue"."""
    return overdue(
        status=ticket.status,
        first_response_at=ticket.first_response_at,
        response_deadline=ticket.response_deadline,
        resolution_deadline=ticket.resolution_deadline,
        now=now,
    )


def overdue(
    *,
    status: str,
    first_response_at: datetime | None,
    response_deadline: datetime,
    resolution_deadline: datetime,
    now: datetime,
) -> bool:
    if status in FINISHED_STATUSES:
        return False
    if resolution_deadline < now:
        return True
    return first_response_at is None and response_deadline < now


def overdue_q(*, now: datetime) -> Q:
    """The same rule as `is_overdue`, as a query filter."""
    return ~Q(status__in=FINISHED_STATUSES) & (
        Q(resolution_deadline__lt=now) | Q(first_response_at__isnull=True, response_deadline__lt=now)
    )


def minutes_between(start: datetime, end: datetime) -> int:
    return max(0, int((end - start).total_seconds() // 60))
