"""Statistics per agent or per team: the API's `statistics?groupBy=agent|team` and the
dashboard's tables.

One GROUP BY over the tickets created in the date range, on the assignee or team column;
every figure is a filtered count or a sum of a column, so the work is one pass over the
range however many agents there are. Times are in business minutes of each ticket's SLA
clock, which the services store when they set the first response and the resolution
(`response_business_minutes`, `resolution_business_minutes`, see tickets/sla_clock.py);
tickets from before those columns have them NULL and count in wall-clock minutes. The daily
tallies (tickets/statistics.py) are not split per agent: a tally row per day, bucket and
agent and team would multiply their rows, and reassignments would rewrite them.

Every agent (or team) has an entry, with zeros when it has no ticket in the range, and the
tickets with none have one more (id None), so the entries add up to the overall figures.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Coalesce

from .models import FINISHED_STATUSES, Agent, SupportTicket, Team
from .sla import overdue_q, sla_finished_q, sla_met_q
from .statistics import average, sla_compliance_rate


@dataclass(frozen=True)
class Grouping:
    column: str  # the ticket's foreign key
    model: type[Agent] | type[Team]
    name_field: str
    none_name: str  # the entry of the tickets without one


GROUPINGS = {
    "agent": Grouping("assignee_id", Agent, "display_name", "Unassigned"),
    "team": Grouping("team_id", Team, "name", "No team"),
}

FIGURES = (
    "total",
    "resolved",
    "overdue",
    "responded",
    "response_minutes",
    "timed_resolutions",
    "resolution_minutes",
    "sla_finished",
    "sla_met",
)


def ticket_statistics_by(group_by: str, *, since: datetime | None, now: datetime) -> list[dict[str, Any]]:
    """The figures of the tickets created since `since` (all when None) per agent or team
    (`group_by`, a key of GROUPINGS), ordered by name, the tickets with none last."""
    grouping = GROUPINGS[group_by]
    sums = _sums(grouping, since=since, now=now)
    names = dict(grouping.model.objects.values_list("pk", grouping.name_field))
    # An agent or team deleted since the count: its tickets have none now (SET NULL).
    for key in [key for key in sums if key is not None and key not in names]:
        gone, none = sums.pop(key), sums.get(None, {})
        sums[None] = {name: gone[name] + none.get(name, 0) for name in FIGURES}
    named = sorted(names.items(), key=lambda item: (item[1].casefold(), item[0]))
    return [_entry(key, name, sums.get(key, {})) for key, name in [*named, (None, grouping.none_name)]]


def _sums(grouping: Grouping, *, since: datetime | None, now: datetime) -> dict[int | None, dict[str, float]]:
    tickets = SupportTicket.objects.all() if since is None else SupportTicket.objects.filter(created_at__gte=since)
    resolved = Q(resolved_at__isnull=False)
    # Resolved before the column existed: resolution_time_minutes, the wall-clock minutes.
    resolution_minutes = Coalesce("resolution_business_minutes", "resolution_time_minutes")
    rows = (
        tickets.order_by()
        .values(key=F(grouping.column))
        .annotate(
            total=Count("id"),
            resolved=Count("id", filter=Q(status__in=FINISHED_STATUSES)),
            overdue=Count("id", filter=overdue_q(now=now)),
            # Without a filter where NULL says it (COUNT and SUM skip NULLs): cheaper per row.
            responded=Count("first_response_at"),
            response_minutes=Sum("response_business_minutes"),
            # Answered before the column existed: wall-clock time, as the overall figures.
            response_wall_clock=Sum(
                ExpressionWrapper(F("first_response_at") - F("created_at"), output_field=DurationField()),
                filter=Q(first_response_at__isnull=False, response_business_minutes__isnull=True),
            ),
            timed_resolutions=Count(resolution_minutes, filter=resolved),
            resolution_minutes=Sum(resolution_minutes, filter=resolved),
            sla_finished=Count("id", filter=sla_finished_q()),
            sla_met=Count("id", filter=sla_met_q()),
        )
    )
    sums: dict[int | None, dict[str, float]] = {}
    for row in rows:
        values: dict[str, Any] = dict(row)
        sums[values["key"]] = figures = {name: values[name] or 0 for name in FIGURES}
        figures["response_minutes"] += (values["response_wall_clock"] or timedelta()) / timedelta(minutes=1)
    return sums


def _entry(key: int | None, name: str, sums: dict[str, float]) -> dict[str, Any]:
    count = {name: int(sums.get(name, 0)) for name in FIGURES if name != "response_minutes"}
    return {
        "id": key,
        "name": name,
        "total": count["total"],
        "open": count["total"] - count["resolved"],
        "resolved": count["resolved"],
        "overdue": count["overdue"],
        "averageResponseTimeMinutes": average(sums.get("response_minutes", 0), count["responded"]),
        "averageResolutionTimeMinutes": average(sums.get("resolution_minutes", 0), count["timed_resolutions"]),
        "slaComplianceRate": sla_compliance_rate(
            met=count["sla_met"], finished=count["sla_finished"], overdue=count["overdue"]
        ),
    }
