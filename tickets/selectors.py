"""Reads that the API, the dashboard and the admin share, so they ask the database alike."""

import re
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Avg, Case, Count, DurationField, ExpressionWrapper, F, Prefetch, Q, QuerySet, When
from django.db.models.functions import Coalesce, TruncDate

from .models import (
    FINISHED_STATUSES,
    TICKET_NUMBER_PREFIX,
    SupportTicket,
    TicketCategory,
    TicketComment,
    TicketEvent,
    TicketPriority,
    TicketStatus,
)
from .search import ticket_number_from_text
from .sla import overdue_q

_DATABASE_ID = re.compile(r"^[0-9]{1,18}$")  # ASCII digits only, and within bigint


def ticket_list() -> QuerySet[SupportTicket]:
    """Tickets without their comments or search document (the list never shows them)."""
    return SupportTicket.objects.defer("search_vector")


def ticket_find(lookup: str) -> SupportTicket | None:
    """By database id (`42`) or ticket number (`FCT-000042`), with its comments."""
    queryset = ticket_list().prefetch_related(
        Prefetch("comments", queryset=TicketComment.objects.order_by("created_at", "id"))
    )
    if _DATABASE_ID.match(lookup):
        return queryset.filter(pk=int(lookup)).first()
    number = ticket_number_from_text(lookup)
    if number is None or not lookup.upper().startswith(TICKET_NUMBER_PREFIX):
        return None
    return queryset.filter(number=number).first()


def ticket_activity(ticket: SupportTicket) -> QuerySet[TicketEvent]:
    return TicketEvent.objects.filter(ticket=ticket).order_by("created_at", "id")


def _minutes(duration: Any) -> float | None:
    return None if duration is None else round(duration.total_seconds() / 60, 1)


def ticket_statistics(queryset: QuerySet[SupportTicket], *, now: datetime) -> dict[str, Any]:
    """All figures from one aggregate query.

    SLA compliance counts tickets whose outcome is known: resolved or closed ones, met when
    the first response (or, lacking one, the resolution) came by the response deadline and
    the resolution by the resolution deadline; and open ones already overdue, as missed.
    """
    responded_at = Coalesce("first_response_at", "resolved_at")
    met = Q(resolved_at__isnull=False, resolved_at__lte=F("resolution_deadline")) & Q(
        **{"response_or_resolution__lte": F("response_deadline")}
    )
    aggregates: dict[str, Any] = {"total": Count("id"), "overdue": Count("id", filter=overdue_q(now=now))}
    for status in TicketStatus:
        aggregates[f"status_{status.value}"] = Count("id", filter=Q(status=status))
    for priority in TicketPriority:
        aggregates[f"priority_{priority.value}"] = Count("id", filter=Q(priority=priority))
    for category in TicketCategory:
        aggregates[f"category_{category.value}"] = Count("id", filter=Q(category=category))
    aggregates["avg_response"] = Avg(
        ExpressionWrapper(F("first_response_at") - F("created_at"), output_field=DurationField()),
        filter=Q(first_response_at__isnull=False),
    )
    aggregates["avg_resolution"] = Avg("resolution_time_minutes", filter=Q(resolved_at__isnull=False))
    aggregates["sla_known"] = Count(
        "id", filter=Q(status__in=FINISHED_STATUSES, resolved_at__isnull=False) | overdue_q(now=now)
    )
    aggregates["sla_met"] = Count("id", filter=Q(status__in=FINISHED_STATUSES) & met)
    row = queryset.order_by().annotate(response_or_resolution=responded_at).aggregate(**aggregates)
    avg_resolution = row["avg_resolution"]
    return {
        "total": row["total"],
        "byStatus": {status.value: row[f"status_{status.value}"] for status in TicketStatus},
        "byPriority": {priority.value: row[f"priority_{priority.value}"] for priority in TicketPriority},
        "byCategory": {category.value: row[f"category_{category.value}"] for category in TicketCategory},
        "overdue": row["overdue"],
        "averageResponseTimeMinutes": _minutes(row["avg_response"]),
        "averageResolutionTimeMinutes": None if avg_resolution is None else round(float(avg_resolution), 1),
        "slaComplianceRate": (round(100 * row["sla_met"] / row["sla_known"], 1) if row["sla_known"] else None),
    }


def ticket_daily_activity(*, since: datetime, now: datetime) -> list[dict[str, Any]]:
    """Tickets created and resolved on each day (UTC) from `since` to `now`, zeros included."""

    def per_day(field: str) -> dict[date, int]:
        rows = (
            SupportTicket.objects.filter(**{f"{field}__gte": since, f"{field}__lte": now})
            .annotate(day=TruncDate(field))
            .values("day")
            .annotate(count=Count("id"))
            .values_list("day", "count")
        )
        return dict(rows)

    created, resolved = per_day("created_at"), per_day("resolved_at")
    days = (now.date() - since.date()).days + 1
    return [
        {"day": day.isoformat(), "created": created.get(day, 0), "resolved": resolved.get(day, 0)}
        for day in (since.date() + timedelta(days=offset) for offset in range(days))
    ]


def status_sort_key() -> Case:
    """Statuses in workflow order rather than alphabetically."""
    return Case(*(When(status=status, then=rank) for rank, status in enumerate(TicketStatus)))
