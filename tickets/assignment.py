"""Which agent of a team gets a ticket, and which queued ticket an agent gets next.

A team's tickets without an assignee wait in its queue (the partial index
`ticket_team_queue_idx`), most urgent resolution deadline first. Picking an agent locks the
team's row, so the team's concurrent creations take turns and never hand one turn out
twice; the chosen agent's row is locked as well and their open tickets recounted, so an
agent in two teams is not filled past capacity by both at once. Locks are always taken in
the order ticket, team, agent, whichever way in.
"""

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Count, Q
from django.utils import timezone

from .models import FINISHED_STATUSES, Agent, SupportTicket, Team, TeamAssignment, TeamMembership

# Tickets a freed agent's teams hand out at once: beyond it, the next change continues.
MAX_QUEUE_FILL = 50


def open_ticket_counts(agent_ids: Iterable[int]) -> dict[int, int]:
    """Each agent's unfinished tickets (index `ticket_assignee_open_idx`)."""
    ids = list(agent_ids)
    rows = (
        SupportTicket.objects.filter(assignee_id__in=ids)
        .exclude(status__in=FINISHED_STATUSES)
        .values("assignee_id")
        .annotate(open=Count("id"))
        .order_by()
    )
    counts = dict.fromkeys(ids, 0)
    counts.update({row["assignee_id"]: row["open"] for row in rows})
    return counts


def _has_room(agent: Agent, open_tickets: int) -> bool:
    return agent.capacity is None or open_tickets < agent.capacity


def pick_agent(team_id: int) -> tuple[Team, Agent] | None:
    """The team and its next agent by its strategy, among available members with room; None for a
    manual team, or when nobody can take a ticket (it waits in the queue). Records the
    turn; call inside the transaction that assigns the ticket."""
    team = Team.objects.select_for_update().filter(pk=team_id).first()
    if team is None or team.assignment == TeamAssignment.MANUAL:
        return None
    now = timezone.now()  # once the lock is ours: turns are stamped in the order they are taken
    memberships = list(
        TeamMembership.objects.filter(team=team, agent__available=True).select_related("agent").order_by("agent_id")
    )
    counts = open_ticket_counts(m.agent_id for m in memberships)
    candidates = [m for m in memberships if _has_room(m.agent, counts[m.agent_id])]
    never = datetime.min.replace(tzinfo=now.tzinfo)
    # Round robin: the member who has waited longest since their last ticket. Least
    # loaded: the fewest open tickets, ties broken the same way.
    if team.assignment == TeamAssignment.LEAST_LOADED:
        candidates.sort(key=lambda m: (counts[m.agent_id], m.last_assigned_at or never))
    else:
        candidates.sort(key=lambda m: m.last_assigned_at or never)
    for membership in candidates:
        # Locked, then recounted: another team may have just given them a ticket.
        agent = Agent.objects.select_for_update().get(pk=membership.agent_id)
        if agent.available and _has_room(agent, open_ticket_counts([agent.pk])[agent.pk]):
            membership.last_assigned_at = now
            membership.save(update_fields=["last_assigned_at"])
            return team, agent
    return None


def queued_ticket_ids(team_ids: Iterable[int], *, limit: int) -> list[int]:
    """Unassigned open tickets of these teams, most urgent first; rows another transaction
    is changing are skipped (it will see the queue again when it commits)."""
    return list(
        SupportTicket.objects.select_for_update(skip_locked=True)
        .filter(team_id__in=list(team_ids), assignee__isnull=True)
        .exclude(status__in=FINISHED_STATUSES)
        .order_by("resolution_deadline", "id")
        .values_list("id", flat=True)[:limit]
    )


def auto_team_ids(agent: Agent) -> list[int]:
    """The agent's teams that hand out tickets themselves (not manual), in id order."""
    return list(
        Team.objects.filter(memberships__agent=agent)
        .filter(~Q(assignment=TeamAssignment.MANUAL))
        .order_by("id")
        .values_list("id", flat=True)
    )
