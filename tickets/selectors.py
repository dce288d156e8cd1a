"""Reads that the API, the dashboard and the admin share, so they ask the database alike."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from django.db.models import Aggregate, Case, Count, JSONField, OuterRef, Prefetch, QuerySet, Subquery, When
from django.db.models.functions import JSONObject, TruncDate

from .assignment import open_ticket_counts
from .attachments import INLINE_IMAGE_TYPES
from .models import (
    TICKET_NUMBER_PREFIX,
    Agent,
    Attachment,
    SupportTicket,
    Team,
    TeamMembership,
    TicketComment,
    TicketEvent,
    TicketStatus,
    download_url,
)
from .search import ticket_number_from_text

_DATABASE_ID = re.compile(r"^[0-9]{1,18}$")  # ASCII digits only, and within bigint


def ticket_list() -> QuerySet[SupportTicket]:
    """Tickets without their comments or search document (the list never shows them)."""
    return SupportTicket.objects.defer("search_vector")


@cache
def _rows(columns: tuple[str, ...]) -> QuerySet[SupportTicket, Any]:
    return SupportTicket.objects.values_list(*columns, named=True)


def ticket_rows(columns: tuple[str, ...]) -> QuerySet[SupportTicket, Any]:
    """Tickets as rows of `columns` (named tuples): what a list page renders, without the
    cost of model instances. The query is set up once per set of columns."""
    return _rows(columns).all()


def ticket_find(lookup: str) -> SupportTicket | None:
    """By database id (`42`) or ticket number (`FCT-000042`), with its comments, and the
    attachments of each as `attachment_list` (the ticket's own, sent with it, on the ticket).
    Two queries whatever their number: the attachments come with the ticket's row."""
    comments = Prefetch("comments", queryset=TicketComment.objects.order_by("created_at", "id"))
    found = _by_lookup(
        ticket_list().prefetch_related(comments).annotate(attachment_summaries=_attachment_summaries()), lookup
    )
    ticket = None if found is None else found.first()
    if ticket is not None:
        _hand_out_attachments(ticket)
    return ticket


@dataclass(frozen=True)
class AttachmentSummary:
    """An attachment as the ticket's page and the API show it (not its file)."""

    id: int
    comment_id: int | None
    filename: str
    content_type: str
    size: int

    @property
    def is_inline_image(self) -> bool:
        return self.content_type in INLINE_IMAGE_TYPES

    @property
    def url(self) -> str:
        return download_url(self.id)


class _JSONArray(Aggregate):
    """The group's values as one JSON array (PostgreSQL's JSONB_AGG, SQLite's JSON_GROUP_ARRAY)."""

    function = "JSON_GROUP_ARRAY"
    output_field = JSONField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(compiler, connection, function="JSONB_AGG", **extra_context)


def _attachment_summaries() -> Subquery:
    rows = (
        Attachment.objects.filter(ticket=OuterRef("pk"))
        .order_by()
        .values("ticket")
        .annotate(
            items=_JSONArray(
                JSONObject(
                    id="id", comment_id="comment_id", filename="filename", content_type="content_type", size="size"
                )
            )
        )
        .values("items")
    )
    return Subquery(rows, output_field=JSONField())


def _hand_out_attachments(ticket: SupportTicket) -> None:
    rows = getattr(ticket, "attachment_summaries", None) or ()  # the annotation ticket_find adds
    summaries = sorted((AttachmentSummary(**item) for item in rows), key=lambda summary: summary.id)
    by_comment: dict[int | None, list[AttachmentSummary]] = {}
    for summary in summaries:
        by_comment.setdefault(summary.comment_id, []).append(summary)
    ticket.attachment_list = by_comment.get(None, [])  # type: ignore[attr-defined]
    for comment in ticket.comments.all():
        comment.attachment_list = by_comment.get(comment.pk, [])  # type: ignore[attr-defined]


def ticket_id_find(lookup: str) -> int | None:
    """The database id of the ticket `lookup` names, as `ticket_find` reads it: for a change,
    which locks and reads the ticket itself."""
    found = _by_lookup(SupportTicket.objects.all(), lookup)
    return None if found is None else found.values_list("pk", flat=True).first()


def _by_lookup(queryset: QuerySet[SupportTicket], lookup: str) -> QuerySet[SupportTicket] | None:
    if _DATABASE_ID.match(lookup):
        return queryset.filter(pk=int(lookup))
    number = ticket_number_from_text(lookup)
    if number is None or not lookup.upper().startswith(TICKET_NUMBER_PREFIX):
        return None
    return queryset.filter(number=number)


def ticket_activity(ticket_id: int) -> QuerySet[TicketEvent]:
    return TicketEvent.objects.filter(ticket_id=ticket_id).order_by("created_at", "id")


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


# --- Agents and teams ---


@dataclass(frozen=True)
class AgentRow:
    agent: Agent
    team_ids: list[int]
    open_tickets: int


@dataclass(frozen=True)
class TeamRow:
    team: Team
    member_ids: list[int]


def _memberships(order_by: str) -> Prefetch:
    return Prefetch("memberships", queryset=TeamMembership.objects.only("team_id", "agent_id").order_by(order_by))


def agent_list() -> QuerySet[Agent]:
    """Agents by display name, with their user and memberships loaded (see agent_rows)."""
    return Agent.objects.select_related("user").prefetch_related(_memberships("team_id")).order_by("display_name", "pk")


def agent_rows(agents: Iterable[Agent]) -> list[AgentRow]:
    """Agents from agent_list() with their teams and open tickets: three queries for the
    whole page, however long (the agents with their users, memberships, counts)."""
    agents = list(agents)
    counts = open_ticket_counts(agent.pk for agent in agents)
    return [AgentRow(agent, [m.team_id for m in agent.memberships.all()], counts[agent.pk]) for agent in agents]


def agent_row(agent_id: int) -> AgentRow | None:
    agent = agent_list().filter(pk=agent_id).first()
    return None if agent is None else agent_rows([agent])[0]


def team_list() -> QuerySet[Team]:
    return Team.objects.prefetch_related(_memberships("agent_id")).order_by("name", "pk")


def team_rows(teams: Iterable[Team]) -> list[TeamRow]:
    """Teams from team_list() with their members' agent ids: two queries for the page."""
    return [TeamRow(team, [m.agent_id for m in team.memberships.all()]) for team in teams]


def team_row(team_id: int) -> TeamRow | None:
    team = team_list().filter(pk=team_id).first()
    return None if team is None else team_rows([team])[0]
