"""Ticket statistics, exact and fast at a million tickets.

On PostgreSQL the counts and sums of whole UTC days come from the daily tallies: the
compacted ones plus the changes that triggers appended since (migration 0008), so they are
exact in every transaction; the part-day at the start of a date range is counted from the
tickets. The overdue count changes as time passes without any write, so it is always
counted, from the partial index over tickets still being worked on. On SQLite every figure
is counted from the tickets. The SLA rules themselves are tickets.sla's.
"""

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum

from .models import (
    SupportTicket,
    TicketCategory,
    TicketDailyTally,
    TicketPriority,
    TicketStatus,
    TicketTallyDelta,
)
from .sla import overdue_q, sla_finished_q, sla_met_q

SUMS = ("tickets", "responded", "response_microseconds", "resolved", "resolution_minutes", "sla_finished", "sla_met")
BUCKET = ("status", "priority", "category")


def ticket_statistics(*, since: datetime | None, now: datetime) -> dict[str, Any]:
    """Figures over the tickets created since `since` (all of them when None).

    SLA compliance is the share of tickets whose outcome is known that met it: finished
    ones (`sla_finished_q`, met when `sla_met_q`), and unfinished ones already overdue
    (`overdue_q`), as missed.
    """
    tickets = SupportTicket.objects.all() if since is None else SupportTicket.objects.filter(created_at__gte=since)
    if connection.vendor != "postgresql":
        buckets = _count_tickets(tickets)
    elif since is None:
        buckets = _read_tallies()
    else:
        first_whole_day = since.astimezone(UTC).date() + timedelta(days=1)
        part_day = tickets.filter(created_at__lt=datetime.combine(first_whole_day, time.min, tzinfo=UTC))
        buckets = _read_tallies(since_day=first_whole_day) + _count_tickets(part_day)
    overdue = tickets.filter(overdue_q(now=now)).count()
    return _report(buckets, overdue=overdue)


def _read_tallies(*, since_day: date | None = None) -> list[dict[str, Any]]:
    """The compacted tallies and the changes appended since, per bucket, in one query."""

    def summed(model: type[TicketDailyTally] | type[TicketTallyDelta]) -> QuerySet[Any]:
        rows = model.objects.all() if since_day is None else model.objects.filter(day__gte=since_day)
        return rows.order_by().values(*BUCKET).annotate(**{name: Sum(name) for name in SUMS})

    return list(summed(TicketDailyTally).union(summed(TicketTallyDelta), all=True))


def tallies_compact() -> int:
    """Folds the appended changes into the daily tallies (every minute, from beat); returns
    how many it folded. Changes appended while it runs wait for the next time. Tallies are
    locked in key order, so two compactions cannot deadlock; nothing else writes them."""
    if connection.vendor != "postgresql":
        return 0  # SQLite keeps no tallies
    tally, delta = TicketDailyTally._meta.db_table, TicketTallyDelta._meta.db_table
    keys = "day, status, priority, category"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""WITH moved AS (DELETE FROM {delta} RETURNING *),
                     summed AS (SELECT {keys}, {", ".join(f"sum({name}) AS {name}" for name in SUMS)}, count(*) AS n
                                FROM moved GROUP BY {keys}),
                     folded AS (INSERT INTO {tally} AS t ({keys}, {", ".join(SUMS)})
                                SELECT {keys}, {", ".join(SUMS)} FROM summed ORDER BY {keys}
                                ON CONFLICT ({keys}) DO UPDATE SET
                                {", ".join(f"{name} = t.{name} + excluded.{name}" for name in SUMS)})
                SELECT coalesce(sum(n), 0) FROM summed"""
        )
        return int(cursor.fetchone()[0])


def _count_tickets(tickets: QuerySet[SupportTicket]) -> list[dict[str, Any]]:
    """The tallies' figures counted from the tickets (the triggers' SQL says the same)."""
    rows = (
        tickets.order_by()
        .values(*BUCKET)
        .annotate(
            tickets=Count("id"),
            responded=Count("id", filter=Q(first_response_at__isnull=False)),
            response_time=Sum(
                ExpressionWrapper(F("first_response_at") - F("created_at"), output_field=DurationField()),
                filter=Q(first_response_at__isnull=False),
            ),
            resolved=Count("resolution_time_minutes", filter=Q(resolved_at__isnull=False)),
            resolution_minutes=Sum("resolution_time_minutes", filter=Q(resolved_at__isnull=False)),
            sla_finished=Count("id", filter=sla_finished_q()),
            sla_met=Count("id", filter=sla_met_q()),
        )
    )
    return [
        {**row, "response_microseconds": (row.pop("response_time") or timedelta()) // timedelta(microseconds=1)}
        for row in rows
    ]


def _report(buckets: list[dict[str, Any]], *, overdue: int) -> dict[str, Any]:
    sums: Counter[str] = Counter()
    by_field: dict[str, Counter[str]] = {field: Counter() for field in BUCKET}
    for bucket in buckets:
        sums.update({name: int(bucket[name] or 0) for name in SUMS})
        for field in BUCKET:
            by_field[field][bucket[field]] += int(bucket["tickets"] or 0)
    return {
        "total": sums["tickets"],
        "byStatus": {status.value: by_field["status"][status.value] for status in TicketStatus},
        "byPriority": {priority.value: by_field["priority"][priority.value] for priority in TicketPriority},
        "byCategory": {category.value: by_field["category"][category.value] for category in TicketCategory},
        "overdue": overdue,
        "averageResponseTimeMinutes": average(sums["response_microseconds"] / 60_000_000, sums["responded"]),
        "averageResolutionTimeMinutes": average(sums["resolution_minutes"], sums["resolved"]),
        "slaComplianceRate": sla_compliance_rate(met=sums["sla_met"], finished=sums["sla_finished"], overdue=overdue),
    }


def average(total: float, count: int) -> float | None:
    """As the reports show an average: to a tenth, None when there is nothing to average."""
    return round(total / count, 1) if count else None


def sla_compliance_rate(*, met: int, finished: int, overdue: int) -> float | None:
    """The percentage of tickets whose SLA outcome is known that met it: finished ones
    (`sla_finished_q`, met when `sla_met_q`), and overdue ones, as missed."""
    return average(100 * met, finished + overdue)
