"""A ticket change in memory, then written: the change set (`Changes`: fields touched, audit
rows, events to publish), the appliers that change one field each and say so in the set,
and the write that stores one or more sets in one UPDATE and recomputes the SLA.

Only tickets.services (and the domain modules it calls) use these: the services lock the
rows, apply, write and publish; the single and bulk changes share the same appliers.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

from django.utils import timezone

from . import assignment, sla_clock
from .actors import Actor
from .custom_fields import audit_text, value_changes, value_field
from .events import TicketAssigned, TicketChanged, TicketSnapshot, TicketStatusChanged, TicketUpdated
from .exceptions import TicketError
from .limits import MAX_ASSIGNEE_LENGTH, MAX_NOTE_LENGTH
from .lookups import row_or_refuse
from .models import (
    FINISHED_STATUSES,
    PRIORITY_RANK,
    Agent,
    ChangeSource,
    SlaPolicy,
    SupportTicket,
    Team,
    TeamAssignment,
    TicketAction,
    TicketCategory,
    TicketEvent,
    TicketPriority,
    TicketStatus,
)
from .sla import minutes_between
from .tags import normalize_tags


class Keep(Enum):
    """A field a change leaves as it is, where None means "none" (no team, unassigned)."""

    KEEP = "keep"


KEEP = Keep.KEEP


@dataclass
class Changes:
    """What one ticket's change did: model fields touched, audit rows, and the events to
    publish (each kind with its fields; the ticket's snapshot is added once it is saved)."""

    actor: Actor
    # When the change happened, for imports (see change_time); None: now.
    at: datetime | None = None
    fields: set[str] = field(default_factory=set)
    audit: list[TicketEvent] = field(default_factory=list)
    published: list[tuple[type[TicketChanged], dict[str, Any]]] = field(default_factory=list)
    updated: dict[str, Any] = field(default_factory=dict)  # for one TicketUpdated
    # Agents whose open tickets this change lowered: their teams' queues may go to them.
    freed_agents: set[int] = field(default_factory=set)

    @property
    def when(self) -> datetime:
        return self.at or timezone.now()

    def record(self, ticket: SupportTicket, action: str, field_name: str, old: Any, new: Any) -> None:
        self.audit.append(
            TicketEvent(
                ticket=ticket,
                action=action,
                field=field_name,
                old_value=audit_value(old),
                new_value=audit_value(new),
                actor=self.actor.name,
                source=self.actor.source,
                created_at=self.when,
            )
        )


def audit_value(value: Any) -> str | None:
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, list):
        return ",".join(value)
    return str(value)


def change_time(at: datetime | None, *, field_name: str, ticket: SupportTicket | None = None) -> datetime | None:
    """An import's own time of a change (None: the change happens now): aware, not in the
    future, and not before the ticket's creation, so the audit trail, the SLA clock (which
    reads the status changes' times) and the statistics agree on one history."""
    if at is None:
        return None
    if timezone.is_naive(at):
        raise TicketError(field_name, "A time with its time zone is required.")
    if at > timezone.now():
        raise TicketError(field_name, "Cannot be in the future.")
    if ticket is not None and at < ticket.created_at:
        raise TicketError(field_name, "Cannot be before the ticket was created.")
    return at


def require_choice(field_name: str, value: str, choices: type[TicketStatus] | Any) -> None:
    if value not in choices.values:
        raise TicketError(field_name, f'"{value}" is not a valid {field_name}.')


def normalize_assignee(assigned_to: str | None) -> str:
    cleaned = " ".join((assigned_to or "").split())
    if len(cleaned) > MAX_ASSIGNEE_LENGTH:
        raise TicketError("assignedTo", f"At most {MAX_ASSIGNEE_LENGTH} characters.")
    return cleaned


def locked_ticket(ticket_id: int) -> SupportTicket:
    try:
        # Without its search document: a change never reads it, and it grows with every comment.
        return SupportTicket.objects.select_for_update().defer("search_vector").get(pk=ticket_id)
    except SupportTicket.DoesNotExist:
        raise TicketError("ticket", f"Ticket {ticket_id} does not exist.") from None


def save_changes(
    ticket: SupportTicket, changes: Changes, policies: Sequence[SlaPolicy] | None = None
) -> list[TicketChanged]:
    """Writes the change and its audit rows; returns its events, for the caller to publish.
    A ticket the change leaves open in a team without an assignee goes to the team's next
    agent in the same write (tickets/assignment.py)."""
    if not changes.fields:
        return []
    routed = route_in_team(ticket, at=changes.at)
    return write_changes(ticket, [changes] if routed is None else [changes, routed], policies)


def write_changes(
    ticket: SupportTicket, change_sets: list[Changes], policies: Sequence[SlaPolicy] | None = None
) -> list[TicketChanged]:
    """One UPDATE for all of them; each set's audit rows and events carry its own actor.
    `policies`: the SLA policies, when the caller loaded them for many tickets."""
    stamps = [changes.at for changes in change_sets if changes.at is not None]
    ticket.updated_at = max([ticket.updated_at, *stamps]) if stamps else timezone.now()
    ticket.version += 1  # what writers who saw the ticket before this see is now outdated
    fields = set().union(*(changes.fields for changes in change_sets))
    # First, so that the SLA clock reads this change's status in the audit trail too.
    TicketEvent.objects.bulk_create([row for changes in change_sets for row in changes.audit])
    if fields & SLA_FIELDS:
        fields |= refresh_sla(ticket, policies)
    ticket.save(update_fields=[*fields, "updated_at", "version"])
    snapshot, events = TicketSnapshot.of(ticket), []
    for changes in change_sets:
        source = changes.actor.source
        events += [kind(ticket=snapshot, source=source, **data) for kind, data in changes.published]
        if changes.updated:
            events.append(TicketUpdated(ticket=snapshot, source=source, changes=changes.updated))
    return events


# The fields the SLA clock depends on: the policy's conditions, and pauses.
SLA_FIELDS = {"priority", "category", "team", "status"}


def refresh_sla(ticket: SupportTicket, policies: Sequence[SlaPolicy] | None = None) -> set[str]:
    """Recomputes the ticket's SLA policy and deadlines (tickets/sla_clock.py), and its
    response and resolution times on that clock; returns the fields to write. A deadline
    that moves past now, or pauses, may be breached and announced anew."""
    clock = sla_clock.ticket_clock(ticket, policies)
    pauses = sla_clock.ticket_pauses(ticket, clock)
    deadlines = sla_clock.deadlines(clock, created_at=ticket.created_at, pauses=pauses)
    ticket.sla_policy = clock.policy
    # The statistics' times follow the same clock (a resolution sets or clears resolved_at).
    ticket.response_business_minutes = sla_clock.business_minutes(
        clock, start=ticket.created_at, end=ticket.first_response_at, pauses=pauses
    )
    ticket.resolution_business_minutes = sla_clock.business_minutes(
        clock, start=ticket.created_at, end=ticket.resolved_at, pauses=pauses
    )
    ticket.response_target_minutes = clock.response_minutes
    ticket.response_deadline, ticket.resolution_deadline = deadlines.response, deadlines.resolution
    ticket.response_warning_at, ticket.resolution_warning_at = deadlines.response_warning, deadlines.resolution_warning
    now = timezone.now()
    if deadlines.response is None or deadlines.response > now:
        ticket.response_breach_notified_at = None
    if deadlines.resolution is None or deadlines.resolution > now:
        ticket.resolution_breach_notified_at = None
    # A warning is given again only once its instant moves ahead; a pause alone (NULL) keeps
    # the mark, so a ticket warned before waiting on the customer is not warned again after.
    if deadlines.response_warning is not None and deadlines.response_warning > now:
        ticket.response_warning_notified_at = None
    if deadlines.resolution_warning is not None and deadlines.resolution_warning > now:
        ticket.resolution_warning_notified_at = None
    return {
        "sla_policy",
        "response_target_minutes",
        "response_deadline",
        "resolution_deadline",
        "response_breach_notified_at",
        "resolution_breach_notified_at",
        "response_warning_at",
        "resolution_warning_at",
        "response_warning_notified_at",
        "resolution_warning_notified_at",
        "response_business_minutes",
        "resolution_business_minutes",
    }


def team_actor(team: Team) -> Actor:
    """Who an automatic assignment within a team is audited as: the team's strategy."""
    return Actor(name=f"{team.name}: {team.get_assignment_display().lower()}", source=ChangeSource.SYSTEM)


def route_in_team(ticket: SupportTicket, *, at: datetime | None = None) -> Changes | None:
    """For an open, unassigned ticket of an automatic team: its assignment to the team's
    next agent, audited as the team's strategy. None when it stays as it is (a manual
    team, or nobody with room: it waits in the team's queue)."""
    if ticket.team_id is None or ticket.assignee_id is not None or ticket.status in FINISHED_STATUSES:
        return None
    known = ticket.team if SupportTicket.team.is_cached(ticket) else None
    if known is not None and known.assignment == TeamAssignment.MANUAL:
        return None  # known without locking the team (a bulk move reads it once)
    picked = assignment.pick_agent(ticket.team_id)
    if picked is None:
        return None
    team, agent = picked
    changes = Changes(team_actor(team), at=at)
    apply_agent(ticket, agent, changes)
    return changes


def apply_status(ticket: SupportTicket, status: str, note: str, changes: Changes) -> None:
    require_choice("status", status, TicketStatus)
    if note and status not in FINISHED_STATUSES:
        raise TicketError("resolutionNote", "A resolution note is only accepted when resolving or closing.")
    if len(note) > MAX_NOTE_LENGTH:
        raise TicketError("resolutionNote", f"At most {MAX_NOTE_LENGTH} characters.")
    previous = ticket.status
    if status == previous:
        return
    now = changes.when
    if status in FINISHED_STATUSES:
        if ticket.resolved_at is None or note:
            ticket.resolved_at = ticket.resolved_at or now
            ticket.resolved_by = ticket.resolved_by or changes.actor.name
            ticket.resolution_time_minutes = minutes_between(ticket.created_at, ticket.resolved_at)
            ticket.resolution_note = note or ticket.resolution_note
    else:
        # Reopened: the previous resolution no longer holds; the audit trail keeps it.
        ticket.resolved_at = None
        ticket.resolved_by = ""
        ticket.resolution_time_minutes = None
        ticket.resolution_note = ""
    if status in FINISHED_STATUSES and previous not in FINISHED_STATUSES and ticket.assignee_id is not None:
        changes.freed_agents.add(ticket.assignee_id)
    ticket.status = status
    ticket.last_activity_at = now
    changes.fields |= {
        "status",
        "resolved_at",
        "resolved_by",
        "resolution_time_minutes",
        "resolution_note",
        "last_activity_at",
    }
    changes.record(ticket, TicketAction.STATUS_CHANGED, "status", previous, status)
    changes.published.append((TicketStatusChanged, {"status": status, "previous_status": previous}))


def apply_agent(ticket: SupportTicket, agent: Agent | None, changes: Changes) -> None:
    set_assignee(ticket, agent, agent.display_name if agent else "", changes)


def set_assignee(ticket: SupportTicket, agent: Agent | None, name: str, changes: Changes) -> None:
    previous, previous_agent = ticket.assigned_to, ticket.assignee_id
    if name == previous and (agent.pk if agent else None) == previous_agent:
        return
    if previous_agent is not None and previous_agent != (agent.pk if agent else None):
        changes.freed_agents.add(previous_agent)
    ticket.assignee = agent
    ticket.assigned_to = name
    ticket.last_activity_at = changes.when
    changes.fields |= {"assignee", "assigned_to", "last_activity_at"}
    changes.record(ticket, TicketAction.ASSIGNED, "assignedTo", previous, name)
    changes.published.append((TicketAssigned, {"assigned_to": name or None, "previous_assigned_to": previous or None}))


def apply_team(ticket: SupportTicket, team: Team | None, changes: Changes) -> None:
    """Moves the ticket to `team` (None: to no team). Its assignee stays only if they are a
    member of the new team; otherwise the new team's strategy assigns it when saved."""
    if (team.pk if team else None) == ticket.team_id:
        return
    previous = ticket.team.name if ticket.team is not None else None
    ticket.team = team
    changes.fields.add("team")
    changes.record(ticket, TicketAction.UPDATED, "team", previous, team.name if team else None)
    changes.updated["team_id"] = team.pk if team else None
    if team is None or ticket.assignee_id is None:
        return
    if ticket.assignee_id not in team.member_ids:
        apply_agent(ticket, None, changes)


def apply_priority(ticket: SupportTicket, priority: str, changes: Changes) -> None:
    """The SLA deadlines follow when the change is written (refresh_sla)."""
    require_choice("priority", priority, TicketPriority)
    previous = ticket.priority
    if priority == previous:
        return
    ticket.priority = priority
    ticket.priority_rank = PRIORITY_RANK[TicketPriority(priority)]
    changes.fields |= {"priority", "priority_rank"}
    changes.record(ticket, TicketAction.PRIORITY_CHANGED, "priority", previous, priority)
    changes.updated["priority"] = priority


def apply_category(ticket: SupportTicket, category: str, changes: Changes) -> None:
    require_choice("category", category, TicketCategory)
    previous = ticket.category
    if category == previous:
        return
    ticket.category = category
    changes.fields.add("category")
    changes.record(ticket, TicketAction.CATEGORY_CHANGED, "category", previous, category)
    changes.updated["category"] = category


def apply_tags(ticket: SupportTicket, tags: list[str], changes: Changes) -> None:
    tags = normalize_tags(tags)
    previous = list(ticket.tags)
    if tags == previous:
        return
    ticket.tags = tags
    changes.fields.add("tags")
    changes.record(ticket, TicketAction.TAGS_CHANGED, "tags", previous, tags)
    changes.updated["tags"] = tags


def apply_custom_fields(ticket: SupportTicket, given: Mapping[str, Any], changes: Changes) -> None:
    """One audit row per changed field, named `customFields.<key>`; `ticket-updated` carries
    the changed ones."""
    values, changed = value_changes(ticket.custom_fields, given)
    if not changed:
        return
    ticket.custom_fields = values
    changes.fields.add("custom_fields")
    for key, old, new in changed:
        changes.record(ticket, TicketAction.UPDATED, value_field(key), audit_text(old), audit_text(new))
    changes.updated["custom_fields"] = {key: new for key, _, new in changed}


def team_or_refuse(team_id: int | None) -> Team | None:
    return row_or_refuse(Team, team_id, field="teamId", noun="team")


def agent_named(name: str) -> Agent | None:
    """The agent whose display name this is, in any case; None for free text."""
    return Agent.objects.filter(display_name__iexact=name).first() if name else None


def agent_or_refuse(agent_id: int | None) -> Agent | None:
    return row_or_refuse(Agent, agent_id, field="assigneeId", noun="agent")


def apply_updates(
    ticket: SupportTicket,
    actor: Actor,
    *,
    status: str | None = None,
    resolution_note: str = "",
    priority: str | None = None,
    category: str | None = None,
    assignee: "Assignee | Keep" = KEEP,
    team: Team | Keep | None = KEEP,
    tags: Sequence[str] | None = None,
    custom_fields: Mapping[str, Any] | None = None,
    at: datetime | None = None,
) -> Changes:
    changes = Changes(actor, at=at)
    if status is not None:
        apply_status(ticket, status, resolution_note.strip(), changes)
    if priority is not None:
        apply_priority(ticket, priority, changes)
    if category is not None:
        apply_category(ticket, category, changes)
    # The team first: moving a ticket clears an assignee from outside the new team,
    # unless the same change names who works it.
    if not isinstance(team, Keep):
        apply_team(ticket, team, changes)
    if not isinstance(assignee, Keep):
        set_assignee(ticket, assignee.agent, assignee.name, changes)
    if tags is not None:
        apply_tags(ticket, list(tags), changes)
    if custom_fields is not None:
        apply_custom_fields(ticket, custom_fields, changes)
    return changes


@dataclass(frozen=True)
class Assignee:
    """Who is asked to work a ticket: an agent (named as they are), a free-text name
    (agent None), or nobody (both empty)."""

    agent: Agent | None
    name: str


def assignee_of(assigned_to: str | Keep | None, assignee_id: int | Keep | None) -> Assignee | Keep:
    """An agent by id wins over a name; a name that is an agent's display name (any case)
    is that agent. Looked up once per change, however many tickets it touches."""
    if not isinstance(assignee_id, Keep):
        agent = agent_or_refuse(assignee_id)
        return Assignee(agent, agent.display_name if agent else "")
    if isinstance(assigned_to, Keep):
        return KEEP
    name = normalize_assignee(assigned_to)
    agent = agent_named(name)
    return Assignee(agent, agent.display_name if agent else name)


def team_or_keep(team_id: int | Keep | None) -> Team | Keep | None:
    return team_id if isinstance(team_id, Keep) else team_or_refuse(team_id)
