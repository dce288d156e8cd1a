"""The statistics rule worked out in Python from every ticket: the oracle that the tallies,
the triggers and the reading code are checked against."""

from datetime import datetime

from tickets.models import SupportTicket, TicketCategory, TicketPriority, TicketStatus
from tickets.sla import is_overdue


def expected_report(*, since: datetime | None, now: datetime) -> dict:
    tickets = [t for t in SupportTicket.objects.all() if since is None or t.created_at >= since]
    responses = [(t.first_response_at - t.created_at).total_seconds() / 60 for t in tickets if t.first_response_at]
    resolutions = [
        t.resolution_time_minutes for t in tickets if t.resolved_at and t.resolution_time_minutes is not None
    ]
    finished = [t for t in tickets if t.status in ("resolved", "closed") and t.resolved_at]
    met = [
        t
        for t in finished
        if t.resolved_at <= t.resolution_deadline and (t.first_response_at or t.resolved_at) <= t.response_deadline
    ]
    overdue = sum(is_overdue(t, now=now) for t in tickets)
    known = len(finished) + overdue

    def count(field: str, values: list[str]) -> dict[str, int]:
        return {value: sum(getattr(t, field) == value for t in tickets) for value in values}

    return {
        "total": len(tickets),
        "byStatus": count("status", list(TicketStatus.values)),
        "byPriority": count("priority", list(TicketPriority.values)),
        "byCategory": count("category", list(TicketCategory.values)),
        "overdue": overdue,
        "averageResponseTimeMinutes": round(sum(responses) / len(responses), 1) if responses else None,
        "averageResolutionTimeMinutes": round(sum(resolutions) / len(resolutions), 1) if resolutions else None,
        "slaComplianceRate": round(100 * len(met) / known, 1) if known else None,
    }
