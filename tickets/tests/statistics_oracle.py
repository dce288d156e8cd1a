"""The statistics worked out ticket by ticket, with the SLA rules of tickets.sla: the
oracle that the tallies, their compaction and the reading code are checked against. (The
triggers' own SQL is checked against the rules in test_sla_rules.py.)"""

from datetime import datetime

from tickets.models import SupportTicket, TicketCategory, TicketPriority, TicketStatus
from tickets.sla import is_overdue, sla_finished_q, sla_met_q


def expected_report(*, since: datetime | None, now: datetime) -> dict:
    tickets = [t for t in SupportTicket.objects.all() if since is None or t.created_at >= since]
    responses = [(t.first_response_at - t.created_at).total_seconds() / 60 for t in tickets if t.first_response_at]
    resolutions = [
        t.resolution_time_minutes for t in tickets if t.resolved_at and t.resolution_time_minutes is not None
    ]
    finished = set(SupportTicket.objects.filter(sla_finished_q()).values_list("pk", flat=True))
    met = set(SupportTicket.objects.filter(sla_met_q()).values_list("pk", flat=True))
    overdue = sum(is_overdue(t, now=now) for t in tickets)
    known = sum(t.pk in finished for t in tickets) + overdue

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
        "slaComplianceRate": round(100 * sum(t.pk in met for t in tickets) / known, 1) if known else None,
    }
