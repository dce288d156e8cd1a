"""SLA rules: when a ticket is overdue, and whether a finished one met its SLA. Its
deadlines (tickets/sla_clock.py) count from the creation, in the matching policy's business
hours; NULL while the clock is paused, which is never overdue.

Each rule is written here once, as a query condition, which the ticket list's filter, the
CSV export, the statistics and the admin all use. `is_overdue` is its twin for one ticket
already loaded (the API's and the dashboard's rendering, Slack's messages), and the SQL of
the statistics' triggers (migration 0008) is the same outcome rule frozen in a migration;
tickets/tests/test_sla_rules.py checks both against these conditions on real rows.
"""

from datetime import datetime, timedelta

from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThanOrEqual

from .models import FINISHED_STATUSES, SupportTicket


def response_missed_q(*, now: datetime) -> Q:
    """Past the response deadline without a first response."""
    return Q(first_response_at__isnull=True, response_deadline__lt=now)


def resolution_missed_q(*, now: datetime) -> Q:
    """Past the resolution deadline."""
    return Q(resolution_deadline__lt=now)


def overdue_q(*, now: datetime) -> Q:
    """Overdue: still being worked on, and past the resolution deadline, or past the
    response deadline without a first response. Resolved and closed tickets are done:
    their SLA outcome is final and counts in `sla_met_q`, not as overdue. The condition
    matches the predicate of the partial index over unfinished tickets
    (`ticket_active_deadlines_idx`), so the filter and the count read only that index."""
    return ~Q(status__in=FINISHED_STATUSES) & (resolution_missed_q(now=now) | response_missed_q(now=now))


def is_overdue(ticket: SupportTicket, *, now: datetime) -> bool:
    """`overdue_q` for one ticket in memory."""
    if ticket.status in FINISHED_STATUSES:
        return False
    if ticket.resolution_deadline is not None and ticket.resolution_deadline < now:
        return True
    return ticket.first_response_at is None and ticket.response_deadline is not None and ticket.response_deadline < now


def response_warning_due_q(*, now: datetime) -> Q:
    """Still being worked on without a first response, and past the instant its response
    warning is due (sla_clock: SLA_WARNING_PERCENT of the target run), not given yet. The
    condition is the predicate of `ticket_response_warning_idx`, so the check reads it alone."""
    return ~Q(status__in=FINISHED_STATUSES) & Q(
        first_response_at__isnull=True, response_warning_notified_at__isnull=True, response_warning_at__lte=now
    )


def resolution_warning_due_q(*, now: datetime) -> Q:
    """`response_warning_due_q` for the resolution (`ticket_resolution_warning_idx`)."""
    return ~Q(status__in=FINISHED_STATUSES) & Q(
        resolution_warning_notified_at__isnull=True, resolution_warning_at__lte=now
    )


def sla_finished_q() -> Q:
    """A ticket whose SLA outcome is final: resolved or closed, with a resolution time."""
    return Q(status__in=FINISHED_STATUSES, resolved_at__isnull=False)


def sla_met_q() -> Q:
    """A finished ticket that met its SLA: answered (or, lacking an answer, resolved) by the
    response deadline, and resolved by the resolution deadline."""
    answered_at = Coalesce("first_response_at", "resolved_at")
    return (
        sla_finished_q()
        & Q(resolved_at__lte=F("resolution_deadline"))
        & Q(LessThanOrEqual(answered_at, F("response_deadline")))
    )


def minutes_between(start: datetime, end: datetime) -> int:
    return max(0, int((end - start).total_seconds() // 60))


def duration_text(left: timedelta) -> str:
    """Whole minutes left, as people read them: "24 min", "2 h 5 min", "1 d 3 h"."""
    minutes = max(0, int(left.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"
