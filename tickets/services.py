"""The only writer of tickets.

Each public function is one change: it runs in a transaction, locks the ticket rows it
changes, writes one audit event per changed field, and publishes its domain events
(tickets.events), which leave together once the transaction commits (tickets.publishing). Views, the admin, webhooks and
tasks parse and authorise; they call these and nothing else to change a ticket.
"""

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection, transaction
from django.db.models import BooleanField, ExpressionWrapper, F, Q
from django.utils import timezone

from . import assignment, attachments, canned_responses, placeholders, publishing, routing, search, sla_clock, versions
from .actors import SYSTEM_ACTOR, Actor
from .custom_fields import audit_text, value_changes, value_field, values_for_create
from .events import (
    CommentSnapshot,
    TicketAssigned,
    TicketChanged,
    TicketCommentAdded,
    TicketCreated,
    TicketOverdue,
    TicketsBulkUpdated,
    TicketSnapshot,
    TicketStatusChanged,
    TicketUpdated,
)
from .exceptions import TicketError
from .limits import (
    MAX_ASSIGNEE_LENGTH,
    MAX_BULK_TICKETS,
    MAX_COMMENT_LENGTH,
    MAX_CUSTOMER_NAME_LENGTH,
    MAX_CUSTOMER_USER_ID_LENGTH,
    MAX_DESCRIPTION_LENGTH,
    MAX_EMAIL_LENGTH,
    MAX_NOTE_LENGTH,
    MAX_SUBJECT_LENGTH,
)
from .lookups import row_or_refuse
from .models import (
    FINISHED_STATUSES,
    PRIORITY_RANK,
    Agent,
    ChangeSource,
    CommentAuthorType,
    RoutingRule,
    SlaPolicy,
    SupportTicket,
    Team,
    TicketAction,
    TicketCategory,
    TicketComment,
    TicketEvent,
    TicketNumberCounter,
    TicketPriority,
    TicketSource,
    TicketStatus,
)
from .sla import minutes_between, overdue_q, resolution_missed_q, response_missed_q
from .sla_warnings import tickets_announce_sla_warnings as tickets_announce_sla_warnings  # called as the others are
from .tags import normalize_tags as normalize_tags  # the forms and the admin check with it too


class Keep(Enum):
    """A field a change leaves as it is, where None means "none" (no team, unassigned)."""

    KEEP = "keep"


KEEP = Keep.KEEP

logger = logging.getLogger(__name__)


@dataclass
class _Changes:
    """What one ticket's change did: model fields touched, audit rows, and the events to
    publish (each kind with its fields; the ticket's snapshot is added once it is saved)."""

    actor: Actor
    # When the change happened, for imports (see _change_time); None: now.
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
                old_value=_audit_value(old),
                new_value=_audit_value(new),
                actor=self.actor.name,
                source=self.actor.source,
                created_at=self.when,
            )
        )


def _audit_value(value: Any) -> str | None:
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, list):
        return ",".join(value)
    return str(value)


def _change_time(at: datetime | None, *, field_name: str, ticket: SupportTicket | None = None) -> datetime | None:
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


def _require_choice(field_name: str, value: str, choices: type[TicketStatus] | Any) -> None:
    if value not in choices.values:
        raise TicketError(field_name, f'"{value}" is not a valid {field_name}.')


def normalize_assignee(assigned_to: str | None) -> str:
    cleaned = " ".join((assigned_to or "").split())
    if len(cleaned) > MAX_ASSIGNEE_LENGTH:
        raise TicketError("assignedTo", f"At most {MAX_ASSIGNEE_LENGTH} characters.")
    return cleaned


def _ticket_number() -> dict[str, int]:
    """The new ticket's number, unique and ascending. PostgreSQL: none given, the INSERT
    takes the sequence's next value (the column's default, models.NextTicketNumber) and
    returns it; a sequence never makes creations wait for each other, and a creation that
    fails leaves its number unused. SQLite, with one writer at a time: the counter row,
    incremented in the creating transaction."""
    if connection.vendor == "postgresql":
        return {}
    table = TicketNumberCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {table} (id, last_number) VALUES (1, 1)
                ON CONFLICT (id) DO UPDATE SET last_number = {table}.last_number + 1
                RETURNING last_number"""
        )
        return {"number": int(cursor.fetchone()[0])}


def _locked(ticket_id: int) -> SupportTicket:
    try:
        # Without its search document: a change never reads it, and it grows with every comment.
        return SupportTicket.objects.select_for_update().defer("search_vector").get(pk=ticket_id)
    except SupportTicket.DoesNotExist:
        raise TicketError("ticket", f"Ticket {ticket_id} does not exist.") from None


def _save(ticket: SupportTicket, changes: _Changes, policies: Sequence[SlaPolicy] | None = None) -> list[TicketChanged]:
    """Writes the change and its audit rows; returns its events, for the caller to publish.
    A ticket the change leaves open in a team without an assignee goes to the team's next
    agent in the same write (tickets/assignment.py)."""
    if not changes.fields:
        return []
    routed = _route_in_team(ticket, at=changes.at)
    return _write(ticket, [changes] if routed is None else [changes, routed], policies)


def _write(
    ticket: SupportTicket, change_sets: list[_Changes], policies: Sequence[SlaPolicy] | None = None
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
        fields |= _refresh_sla(ticket, policies)
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


def _refresh_sla(ticket: SupportTicket, policies: Sequence[SlaPolicy] | None = None) -> set[str]:
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


def _save_and_publish(ticket: SupportTicket, changes: _Changes) -> None:
    for event in _save(ticket, changes):
        publishing.publish(event)
    hand_out_queues(changes.freed_agents)


def _team_actor(team: Team) -> Actor:
    """Who an automatic assignment within a team is audited as: the team's strategy."""
    return Actor(name=f"{team.name}: {team.get_assignment_display().lower()}", source=ChangeSource.SYSTEM)


def _route_in_team(ticket: SupportTicket, *, at: datetime | None = None) -> _Changes | None:
    """For an open, unassigned ticket of an automatic team: its assignment to the team's
    next agent, audited as the team's strategy. None when it stays as it is (a manual
    team, or nobody with room: it waits in the team's queue)."""
    if ticket.team_id is None or ticket.assignee_id is not None or ticket.status in FINISHED_STATUSES:
        return None
    picked = assignment.pick_agent(ticket.team_id)
    if picked is None:
        return None
    team, agent = picked
    changes = _Changes(_team_actor(team), at=at)
    _apply_agent(ticket, agent, changes)
    return changes


@publishing.atomic()
def hand_out_queues(agent_ids: set[int]) -> None:
    """Hands the queued tickets of these agents' automatic teams out again, now that they
    may have room (a ticket closed, back from away, more capacity, a new team): each goes
    to its team's next agent, until nobody has room."""
    for agent in Agent.objects.filter(pk__in=agent_ids, available=True).order_by("pk"):
        for team_id in assignment.auto_team_ids(agent):
            for ticket_id in assignment.queued_ticket_ids([team_id], limit=assignment.MAX_QUEUE_FILL):
                ticket = _locked(ticket_id)
                routed = _route_in_team(ticket)
                if routed is None:
                    break  # nobody in the team has room: the rest waits too
                for event in _write(ticket, [routed]):
                    publishing.publish(event)


# --- Field changes, applied in memory; single and bulk services share them ---


def _apply_status(ticket: SupportTicket, status: str, note: str, changes: _Changes) -> None:
    _require_choice("status", status, TicketStatus)
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


def _apply_agent(ticket: SupportTicket, agent: Agent | None, changes: _Changes) -> None:
    _set_assignee(ticket, agent, agent.display_name if agent else "", changes)


def _set_assignee(ticket: SupportTicket, agent: Agent | None, name: str, changes: _Changes) -> None:
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


def _apply_team(ticket: SupportTicket, team: Team | None, changes: _Changes) -> None:
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
    if not team.memberships.filter(agent_id=ticket.assignee_id).exists():
        _apply_agent(ticket, None, changes)


def _apply_priority(ticket: SupportTicket, priority: str, changes: _Changes) -> None:
    """The SLA deadlines follow when the change is written (_refresh_sla)."""
    _require_choice("priority", priority, TicketPriority)
    previous = ticket.priority
    if priority == previous:
        return
    ticket.priority = priority
    ticket.priority_rank = PRIORITY_RANK[TicketPriority(priority)]
    changes.fields |= {"priority", "priority_rank"}
    changes.record(ticket, TicketAction.PRIORITY_CHANGED, "priority", previous, priority)
    changes.updated["priority"] = priority


def _apply_category(ticket: SupportTicket, category: str, changes: _Changes) -> None:
    _require_choice("category", category, TicketCategory)
    previous = ticket.category
    if category == previous:
        return
    ticket.category = category
    changes.fields.add("category")
    changes.record(ticket, TicketAction.CATEGORY_CHANGED, "category", previous, category)
    changes.updated["category"] = category


def _apply_tags(ticket: SupportTicket, tags: list[str], changes: _Changes) -> None:
    tags = normalize_tags(tags)
    previous = list(ticket.tags)
    if tags == previous:
        return
    ticket.tags = tags
    changes.fields.add("tags")
    changes.record(ticket, TicketAction.TAGS_CHANGED, "tags", previous, tags)
    changes.updated["tags"] = tags


def _apply_custom_fields(ticket: SupportTicket, given: Mapping[str, Any], changes: _Changes) -> None:
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


# --- Public services ---


@attachments.files_removed_on_failure()
@publishing.atomic()
def ticket_create(
    *,
    subject: str,
    description: str,
    customer_email: str,
    actor: Actor,
    customer_name: str = "",
    customer_user_id: str = "",
    priority: str = TicketPriority.MEDIUM,
    category: str = TicketCategory.GENERAL,
    source: str = TicketSource.WEB,
    assigned_to: str = "",
    assignee_id: int | None = None,
    team_id: int | None = None,
    tags: Sequence[str] = (),
    helpscout_conversation_id: str | None = None,
    custom_fields: Mapping[str, Any] | None = None,
    created_at: datetime | None = None,
    files: Sequence[attachments.IncomingFile] = (),
) -> SupportTicket:
    """`assignee_id` (an agent) wins over `assigned_to` (a name, see _assignee). The active
    routing rules that match the new ticket then change it, each audited under its name
    (tickets/routing.py); a ticket of an automatic team left without an assignee goes to
    the team's next agent. `created_at`, for imports (a Help Scout conversation, the demo),
    is when the ticket was opened where it came from (not in the future): its deadlines
    count from then, and its creation and routing are audited at that time. `files` go with
    the description: attached to the ticket itself (tickets/attachments.py)."""
    _require_choice("priority", priority, TicketPriority)
    _require_choice("category", category, TicketCategory)
    _require_choice("source", source, TicketSource)
    if not subject.strip():
        raise TicketError("subject", "This field may not be blank.")
    if len(subject.strip()) > MAX_SUBJECT_LENGTH:
        raise TicketError("subject", f"At most {MAX_SUBJECT_LENGTH} characters.")
    # E-mail validators accept up to 320 characters; the column holds 254.
    if len(customer_email.strip()) > MAX_EMAIL_LENGTH:
        raise TicketError("customerEmail", f"At most {MAX_EMAIL_LENGTH} characters.")
    if len(customer_name.strip()) > MAX_CUSTOMER_NAME_LENGTH:
        raise TicketError("customerName", f"At most {MAX_CUSTOMER_NAME_LENGTH} characters.")
    if len(customer_user_id) > MAX_CUSTOMER_USER_ID_LENGTH:
        raise TicketError("customerUserId", f"At most {MAX_CUSTOMER_USER_ID_LENGTH} characters.")
    if len(description) > MAX_DESCRIPTION_LENGTH:
        raise TicketError("description", f"At most {MAX_DESCRIPTION_LENGTH} characters.")
    values = values_for_create(custom_fields, source=actor.source)  # tickets/custom_fields.py
    created_at = _change_time(created_at, field_name="createdAt")
    attachments.refuse_any(files)
    team = _team(team_id)
    who = _assignee(assigned_to, assignee_id if assignee_id is not None else KEEP)
    assert not isinstance(who, Keep)
    now = created_at or timezone.now()
    clock = sla_clock.clock_for(priority=priority, category=category, source=source, team_id=team_id)
    deadlines = sla_clock.deadlines(clock, created_at=now)
    subject, customer_email, customer_name = subject.strip(), customer_email.strip(), customer_name.strip()
    document = (
        search.new_ticket_document(
            subject=subject, customer_name=customer_name, customer_email=customer_email, description=description
        )
        if search.uses_full_text()
        else None
    )
    ticket = SupportTicket.objects.create(
        **_ticket_number(),
        subject=subject,
        description=description,
        customer_email=customer_email,
        customer_name=customer_name,
        customer_user_id=customer_user_id,
        search_vector=document,
        priority=priority,
        priority_rank=PRIORITY_RANK[TicketPriority(priority)],
        category=category,
        source=source,
        assignee=who.agent,
        assigned_to=who.name,
        team=team,
        tags=normalize_tags(tags),
        custom_fields=values,
        helpscout_conversation_id=helpscout_conversation_id,
        sla_policy=clock.policy,
        response_target_minutes=clock.response_minutes,
        response_deadline=deadlines.response,
        resolution_deadline=deadlines.resolution,
        response_warning_at=deadlines.response_warning,
        resolution_warning_at=deadlines.resolution_warning,
        created_at=now,
        updated_at=now,
        last_activity_at=now,
    )
    ticket.__dict__.pop("search_vector")  # computed by the INSERT: unloaded, as the list reads it
    if files:
        attachments.store(ticket=ticket, comment=None, files=files)
    TicketEvent.objects.create(
        ticket=ticket,
        action=TicketAction.CREATED,
        new_value=ticket.ticket_number,
        actor=actor.name,
        source=actor.source,
        created_at=now,
    )
    # The routing rules' changes, then the team's assignment, in one UPDATE; `new-ticket`
    # shows the ticket as they left it, and their own events follow it.
    change_sets = _routing_rule_changes(ticket, at=created_at)
    routed = _route_in_team(ticket, at=created_at)
    change_sets += [routed] if routed is not None else []
    events = _write(ticket, change_sets) if change_sets else []
    publishing.publish(TicketCreated(ticket=TicketSnapshot.of(ticket), source=actor.source))
    for event in events:
        publishing.publish(event)
    if freed := set().union(*(changes.freed_agents for changes in change_sets)):
        hand_out_queues(freed)
    return ticket


def _routing_rule_changes(ticket: SupportTicket, *, at: datetime | None = None) -> list[_Changes]:
    """What the active routing rules that match the new ticket (as it was created) do to
    it, one change set per rule, audited with the rule's name (tickets/routing.py)."""
    rules = routing.matching_rules(ticket)
    if not rules:
        return []
    wanted_teams = {rule.actions["teamId"] for rule in rules if "teamId" in rule.actions}
    wanted_agents = {rule.actions["assigneeId"] for rule in rules if "assigneeId" in rule.actions}
    teams = Team.objects.in_bulk(wanted_teams) if wanted_teams else {}
    agents = Agent.objects.in_bulk(wanted_agents) if wanted_agents else {}
    change_sets = []
    for rule in rules:
        changes = _Changes(Actor(name=rule.name, source=ChangeSource.SYSTEM), at=at)
        _apply_rule(ticket, rule, teams, agents, changes)
        if changes.fields:
            change_sets.append(changes)
    return change_sets


def _apply_rule(
    ticket: SupportTicket, rule: RoutingRule, teams: dict[int, Team], agents: dict[int, Agent], changes: _Changes
) -> None:
    """A rule's actions. One naming a team or an agent deleted since is skipped, and so are
    tags past the limit: a rule gone stale must never refuse a customer's ticket."""
    actions = rule.actions
    if "priority" in actions:
        _apply_priority(ticket, actions["priority"], changes)
    if "category" in actions:
        _apply_category(ticket, actions["category"], changes)
    # The team first, as in _apply_updates: it keeps an assignee from outside the team only
    # if this rule (or a later one) names them; otherwise the team's strategy assigns.
    if "teamId" in actions:
        if (team := teams.get(actions["teamId"])) is not None:
            _apply_team(ticket, team, changes)
        else:
            logger.warning("Routing rule %r names team %s, which no longer exists.", rule.name, actions["teamId"])
    if "assigneeId" in actions:
        if (agent := agents.get(actions["assigneeId"])) is not None:
            _apply_agent(ticket, agent, changes)
        else:
            logger.warning("Routing rule %r names agent %s, who no longer exists.", rule.name, actions["assigneeId"])
    if "addTags" in actions:
        try:
            _apply_tags(ticket, [*ticket.tags, *actions["addTags"]], changes)
        except TicketError as error:
            logger.warning("Routing rule %r adds no tags to %s: %s", rule.name, ticket.ticket_number, error.message)


def _team(team_id: int | None) -> Team | None:
    return row_or_refuse(Team, team_id, field="teamId", noun="team")


def _agent_named(name: str) -> Agent | None:
    """The agent whose display name this is, in any case; None for free text."""
    return Agent.objects.filter(display_name__iexact=name).first() if name else None


def _agent(agent_id: int | None) -> Agent | None:
    return row_or_refuse(Agent, agent_id, field="assigneeId", noun="agent")


@publishing.atomic()
def ticket_change_status(
    *,
    ticket_id: int,
    status: str,
    actor: Actor,
    resolution_note: str = "",
    seen_version: int | None = None,
    at: datetime | None = None,
) -> SupportTicket:
    """Any status may follow any other; leaving resolved/closed reopens the ticket.
    `seen_version`, when given, must be the ticket's version (tickets/versions.py). `at`,
    for imports, is when the change happened (see _change_time): a resolution's time too."""
    ticket = _locked(ticket_id)
    versions.check_version(ticket, seen=seen_version)
    changes = _Changes(actor, at=_change_time(at, field_name="at", ticket=ticket))
    _apply_status(ticket, status, resolution_note.strip(), changes)
    _save_and_publish(ticket, changes)
    return ticket


@publishing.atomic()
def ticket_assign(
    *,
    ticket_id: int,
    actor: Actor,
    assigned_to: str | Keep | None = KEEP,
    assignee_id: int | Keep | None = KEEP,
    team_id: int | Keep | None = KEEP,
    seen_version: int | None = None,
    at: datetime | None = None,
) -> SupportTicket:
    """Who works the ticket: an agent (`assignee_id`, None unassigns), or a name
    (`assigned_to`, None or empty unassigns; an agent's display name assigns that agent),
    and its team (`team_id`, None for none). KEEP leaves a field as it is.
    `seen_version` and `at` as for ticket_change_status."""
    ticket = _locked(ticket_id)
    versions.check_version(ticket, seen=seen_version)
    changes = _apply_updates(
        ticket,
        actor,
        assignee=_assignee(assigned_to, assignee_id),
        team=_team_or_keep(team_id),
        at=_change_time(at, field_name="at", ticket=ticket),
    )
    _save_and_publish(ticket, changes)
    return ticket


@publishing.atomic()
def ticket_change_priority(
    *, ticket_id: int, priority: str, actor: Actor, seen_version: int | None = None, at: datetime | None = None
) -> SupportTicket:
    """Recomputes the SLA deadlines from the creation time. `seen_version` and `at` as for
    ticket_change_status."""
    ticket = _locked(ticket_id)
    versions.check_version(ticket, seen=seen_version)
    changes = _Changes(actor, at=_change_time(at, field_name="at", ticket=ticket))
    _apply_priority(ticket, priority, changes)
    _save_and_publish(ticket, changes)
    return ticket


@publishing.atomic()
def ticket_update(
    *,
    ticket_id: int,
    actor: Actor,
    status: str | None = None,
    resolution_note: str = "",
    priority: str | None = None,
    category: str | None = None,
    assigned_to: str | Keep | None = KEEP,
    assignee_id: int | Keep | None = KEEP,
    team_id: int | Keep | None = KEEP,
    tags: Sequence[str] | None = None,
    custom_fields: Mapping[str, Any] | None = None,
    seen_version: int | None = None,
) -> SupportTicket:
    """Several field changes at once (the admin and dashboard forms); None (KEEP for who
    works it, as in ticket_assign) leaves a field as it is. `custom_fields` changes the
    values it names (None clears one), as tickets/custom_fields.py allows. `seen_version`
    as for ticket_change_status."""
    ticket = _locked(ticket_id)
    versions.check_version(ticket, seen=seen_version)
    changes = _apply_updates(
        ticket,
        actor,
        status=status,
        resolution_note=resolution_note,
        priority=priority,
        category=category,
        assignee=_assignee(assigned_to, assignee_id),
        team=_team_or_keep(team_id),
        tags=tags,
        custom_fields=custom_fields,
    )
    _save_and_publish(ticket, changes)
    return ticket


def _apply_updates(
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
) -> _Changes:
    changes = _Changes(actor, at=at)
    if status is not None:
        _apply_status(ticket, status, resolution_note.strip(), changes)
    if priority is not None:
        _apply_priority(ticket, priority, changes)
    if category is not None:
        _apply_category(ticket, category, changes)
    # The team first: moving a ticket clears an assignee from outside the new team,
    # unless the same change names who works it.
    if not isinstance(team, Keep):
        _apply_team(ticket, team, changes)
    if not isinstance(assignee, Keep):
        _set_assignee(ticket, assignee.agent, assignee.name, changes)
    if tags is not None:
        _apply_tags(ticket, list(tags), changes)
    if custom_fields is not None:
        _apply_custom_fields(ticket, custom_fields, changes)
    return changes


@dataclass(frozen=True)
class Assignee:
    """Who is asked to work a ticket: an agent (named as they are), a free-text name
    (agent None), or nobody (both empty)."""

    agent: Agent | None
    name: str


def _assignee(assigned_to: str | Keep | None, assignee_id: int | Keep | None) -> Assignee | Keep:
    """An agent by id wins over a name; a name that is an agent's display name (any case)
    is that agent. Looked up once per change, however many tickets it touches."""
    if not isinstance(assignee_id, Keep):
        agent = _agent(assignee_id)
        return Assignee(agent, agent.display_name if agent else "")
    if isinstance(assigned_to, Keep):
        return KEEP
    name = normalize_assignee(assigned_to)
    agent = _agent_named(name)
    return Assignee(agent, agent.display_name if agent else name)


def _team_or_keep(team_id: int | Keep | None) -> Team | Keep | None:
    return team_id if isinstance(team_id, Keep) else _team(team_id)


@dataclass(frozen=True)
class BulkResult:
    updated: int
    not_found: list[int]


@publishing.atomic()
def tickets_bulk_update(
    *,
    ids: Sequence[int],
    actor: Actor,
    status: str | None = None,
    priority: str | None = None,
    category: str | None = None,
    assigned_to: str | Keep | None = KEEP,
    assignee_id: int | Keep | None = KEEP,
    team_id: int | Keep | None = KEEP,
    add_tags: Sequence[str] = (),
    remove_tags: Sequence[str] = (),
) -> BulkResult:
    """All or nothing: an invalid value raises before any row is written.

    `updated` counts the tickets found (a ticket already in the wanted state counts too).
    Rows are locked in id order so two bulk updates cannot deadlock each other.
    """
    for field_name, value, choices in (
        ("status", status, TicketStatus),
        ("priority", priority, TicketPriority),
        ("category", category, TicketCategory),
    ):
        if value is not None:
            _require_choice(field_name, value, choices)
    assignee, team = _assignee(assigned_to, assignee_id), _team_or_keep(team_id)  # refused before any write
    added, removed = normalize_tags(add_tags), set(normalize_tags(remove_tags))
    wanted = list(dict.fromkeys(ids))
    if len(wanted) > MAX_BULK_TICKETS:
        raise TicketError("ids", f"At most {MAX_BULK_TICKETS} tickets at a time.")
    tickets = list(SupportTicket.objects.select_for_update().filter(pk__in=wanted).order_by("pk"))
    found = {ticket.pk for ticket in tickets}
    policies = sla_clock.active_policies()  # once for every ticket
    events: list[TicketChanged] = []
    freed: set[int] = set()
    for ticket in tickets:
        tags = None
        if added or removed:
            tags = [tag for tag in [*ticket.tags, *added] if tag not in removed]
        changes = _apply_updates(
            ticket,
            actor,
            status=status,
            priority=priority,
            category=category,
            assignee=assignee,
            team=team,
            tags=tags,
        )
        events += _save(ticket, changes, policies)
        freed |= changes.freed_agents
    if events:
        asked: dict[str, Any] = {
            "status": status,
            "priority": priority,
            "category": category,
            "add_tags": added or None,
            "remove_tags": sorted(removed) or None,
        }
        asked = {name: value for name, value in asked.items() if value is not None}
        if not isinstance(assigned_to, Keep):
            asked["assigned_to"] = assigned_to or ""
        for name, row_id in (("assignee_id", assignee_id), ("team_id", team_id)):
            if not isinstance(row_id, Keep):
                asked[name] = row_id
        publishing.publish(
            TicketsBulkUpdated(
                ticket_ids=sorted({event.ticket_id for event in events}),
                changes=asked,
                source=actor.source,
                events=events,
            )
        )
    hand_out_queues(freed)
    return BulkResult(updated=len(found), not_found=[pk for pk in wanted if pk not in found])


@publishing.atomic()
def ticket_take_next(*, agent_id: int, actor: Actor) -> SupportTicket | None:
    """The dashboard's "Next ticket": the most urgent queued ticket of the agent's teams
    (any strategy), assigned to them; None when every queue is empty."""
    agent = row_or_refuse(Agent, agent_id, field="agent", noun="agent")
    team_ids = list(agent.teams.values_list("pk", flat=True))
    queued = assignment.queued_ticket_ids(team_ids, limit=1)
    if not queued:
        return None
    ticket = _locked(queued[0])
    changes = _Changes(actor)
    _apply_agent(ticket, agent, changes)
    _save_and_publish(ticket, changes)
    return ticket


@publishing.atomic()
def ticket_apply_macro(
    *,
    ticket_id: int,
    canned_response_id: int,
    user: AbstractBaseUser | AnonymousUser,
    actor: Actor,
    is_internal: bool = False,
    comment: str = "",
    seen_version: int | None = None,
    seen_comment_id: int | None = None,
) -> SupportTicket:
    """Sends a canned response on the ticket, as `user` (who must see it, else
    CannedResponse.DoesNotExist; tickets/canned_responses.py): its body rendered for the
    ticket and the user, then `comment`, as one comment (comment_add: public replies go out
    like any other), then its actions, each changed field audited. One transaction: an
    action refused (a team or an agent deleted since the response was saved, a tag too
    many) writes nothing, the reply included. `seen_version` as for ticket_change_status,
    `seen_comment_id` as for comment_add."""
    response = canned_responses.find(user, canned_response_id)
    ticket = _locked(ticket_id)
    versions.check_version(ticket, seen=seen_version)
    text = canned_responses.reply_text(response, ticket=ticket, sender=placeholders.Sender.of(user), comment=comment)
    if text:
        comment_add(
            ticket_id=ticket.pk,
            body=text,
            is_internal=is_internal,
            author=actor.name,
            actor=actor,
            seen_comment_id=seen_comment_id,
        )
        ticket = _locked(ticket_id)  # as the comment left it (counts, first response)
    actions = response.actions
    tags = None
    if "addTags" in actions or "removeTags" in actions:
        removed = set(actions.get("removeTags", ()))
        tags = [tag for tag in [*ticket.tags, *actions.get("addTags", ())] if tag not in removed]
    try:
        changes = _apply_updates(
            ticket,
            actor,
            status=actions.get("status"),
            priority=actions.get("priority"),
            category=actions.get("category"),
            assignee=_assignee(KEEP, actions["assigneeId"]) if "assigneeId" in actions else KEEP,
            team=_team(actions["teamId"]) if "teamId" in actions else KEEP,
            tags=tags,
        )
    except TicketError as error:  # named as the request names it: the response, not a field it never sent
        raise TicketError("cannedResponseId", f'"{response.title}" cannot be applied: {error.message}') from None
    _save_and_publish(ticket, changes)
    return ticket


@attachments.files_removed_on_failure()
@publishing.atomic()
def comment_add(
    *,
    ticket_id: int,
    body: str,
    is_internal: bool,
    author: str,
    actor: Actor,
    author_type: str = CommentAuthorType.AGENT,
    counts_as_response: bool = True,
    external_id: str = "",
    written_at: datetime | None = None,
    seen_version: int | None = None,
    seen_comment_id: int | None = None,
    files: Sequence[attachments.IncomingFile] = (),
) -> TicketComment:
    """A comment by `author`, who is `author_type` (CommentAuthorType): the caller knows
    it from the way in (staff in the app: an agent; a Help Scout customer thread: the
    customer), never from what a client asks. The earliest public one that
    `counts_as_response` (an agent's; never a customer's) sets the ticket's first-response
    time, to the comment's time. A comment with an `external_id` already stored from the
    same source is returned as it is (idempotent). `written_at`, when it was written where
    it came from (a Slack message, a Help Scout thread, an import), dates the comment and
    its audit row, kept within the ticket's life (remote clocks may run ahead of ours), so
    comments delivered late or out of order keep the time they were written.
    `seen_version` and `seen_comment_id` (the newest comment the author had seen, 0 for
    none), when given, refuse a comment written on an outdated view (tickets/versions.py).
    `files` are attached to the comment (tickets/attachments.py): all of them or none."""
    _require_choice("authorType", author_type, CommentAuthorType)
    body = body.strip()
    if not body:
        raise TicketError("comment", "This field may not be blank.")
    if len(body) > MAX_COMMENT_LENGTH:
        raise TicketError("comment", f"At most {MAX_COMMENT_LENGTH} characters.")
    attachments.refuse_any(files)
    ticket = _locked(ticket_id)
    versions.check_version(ticket, seen=seen_version)
    versions.check_seen_comments(ticket, seen_comment_id=seen_comment_id, author=author)
    if external_id:  # checked under the ticket's lock, so two deliveries cannot both pass
        existing = TicketComment.objects.filter(source=actor.source, external_id=external_id).first()
        if existing is not None:
            return existing
    now = timezone.now()
    comment = TicketComment.objects.create(
        ticket=ticket,
        body=body,
        is_internal=is_internal,
        author=author,
        author_type=author_type,
        source=actor.source,
        created_at=now if written_at is None else min(max(written_at, ticket.created_at), now),
        external_id=external_id,
    )
    if files:
        comment.attachment_list = attachments.store(ticket=ticket, comment=comment, files=files)  # type: ignore[attr-defined]
    fields = ["total_comments", "last_activity_at", "updated_at"]
    ticket.total_comments += 1
    # A comment written earlier (delivered late, imported) moves neither time back.
    ticket.last_activity_at = max(ticket.last_activity_at, comment.created_at)
    ticket.updated_at = max(ticket.updated_at, comment.created_at)
    responds = counts_as_response and not is_internal and author_type != CommentAuthorType.CUSTOMER
    if responds and (ticket.first_response_at is None or comment.created_at < ticket.first_response_at):
        ticket.first_response_at = comment.created_at
        clock = sla_clock.ticket_clock(ticket)
        ticket.response_business_minutes = sla_clock.business_minutes(
            clock, start=ticket.created_at, end=comment.created_at, pauses=sla_clock.ticket_pauses(ticket, clock)
        )
        fields += ["first_response_at", "response_business_minutes"]
    document = search.document_with_comment(body)
    if document is not None:
        ticket.search_vector = document
        fields.append("search_vector")
    ticket.save(update_fields=fields)
    ticket.__dict__.pop("search_vector", None)  # written by the UPDATE: unloaded, as the list reads it
    TicketEvent.objects.create(
        ticket=ticket,
        action=TicketAction.COMMENTED,
        field="internal" if is_internal else "public",
        new_value=str(comment.pk),
        actor=actor.name,
        source=actor.source,
        created_at=comment.created_at,  # the history reads in the order things were written
    )
    publishing.publish(
        TicketCommentAdded(ticket=TicketSnapshot.of(ticket), source=actor.source, comment=CommentSnapshot.of(comment))
    )
    return comment


@publishing.atomic()
def tickets_announce_sla_breaches(*, now: datetime, batch: int = 500) -> int:
    """Marks each new SLA breach of an open ticket and publishes `ticket-overdue` for it,
    once per breach (missed first response, missed resolution). Rows another run holds
    are skipped, so overlapping runs never announce twice. Returns how many tickets."""
    # The overdue rule (sla.py), each breach not announced yet.
    response_missed = response_missed_q(now=now) & Q(response_breach_notified_at__isnull=True)
    resolution_missed = resolution_missed_q(now=now) & Q(resolution_breach_notified_at__isnull=True)
    tickets = list(
        SupportTicket.objects.select_for_update(skip_locked=True)
        .filter(overdue_q(now=now), response_missed | resolution_missed)
        .annotate(
            new_response_breach=ExpressionWrapper(response_missed, output_field=BooleanField()),
            new_resolution_breach=ExpressionWrapper(resolution_missed, output_field=BooleanField()),
        )
        .order_by("pk")[:batch]
    )
    for ticket in tickets:
        breaches = []
        if ticket.new_response_breach:
            ticket.response_breach_notified_at = now
            breaches.append("response")
        if ticket.new_resolution_breach:
            ticket.resolution_breach_notified_at = now
            breaches.append("resolution")
        ticket.save(update_fields=["response_breach_notified_at", "resolution_breach_notified_at"])
        TicketEvent.objects.create(
            ticket=ticket,
            action=TicketAction.UPDATED,
            field="sla",
            new_value=f"missed {' and '.join(breaches)}",
            actor=SYSTEM_ACTOR.name,
            source=SYSTEM_ACTOR.source,
            created_at=now,
        )
        publishing.publish(
            TicketOverdue(ticket=TicketSnapshot.of(ticket), source=SYSTEM_ACTOR.source, breaches=breaches)
        )
    return len(tickets)


@publishing.atomic()
def tickets_refresh_sla(*, calendar_id: int | None = None, after_id: int = 0, batch: int = 500) -> int | None:
    """Recomputes the SLA policy and deadlines of up to `batch` tickets still being worked
    on, in id order after `after_id` (only those whose policy uses `calendar_id`, when
    given), after an edit of the policies or a calendar. Not a change of the ticket: no
    version, no audit row, no event. Returns the last id done; None when none were left."""
    tickets = SupportTicket.objects.select_for_update().defer("search_vector").exclude(status__in=FINISHED_STATUSES)
    if calendar_id is not None:
        tickets = tickets.filter(sla_policy__calendar_id=calendar_id)
    rows = list(tickets.filter(pk__gt=after_id).order_by("pk")[:batch])
    policies = sla_clock.active_policies()
    for ticket in rows:
        before = _sla_state(ticket)
        fields = _refresh_sla(ticket, policies)
        if _sla_state(ticket) != before:
            ticket.save(update_fields=list(fields))
    return rows[-1].pk if rows else None


def _sla_state(ticket: SupportTicket) -> tuple[Any, ...]:
    return (
        ticket.sla_policy_id,
        ticket.response_deadline,
        ticket.resolution_deadline,
        ticket.response_warning_at,
        ticket.resolution_warning_at,
    )


# Integration link fields a sync may set, by the integration's own name for them.
SYNC_FIELDS = {
    "slack_channel_id",
    "slack_message_ts",
    "slack_thread_id",
    "slack_last_sync_at",
    "slack_is_archived",
    "helpscout_conversation_id",
    "helpscout_last_sync_at",
    "helpscout_sync_status",
}


# When the ticket last synced with each integration: a stamp, never audited.
SYNC_STAMP_FIELDS = {name for name in SYNC_FIELDS if name.endswith("_last_sync_at")}


def ticket_record_sync(*, ticket_id: int, actor: Actor, **fields: Any) -> None:
    """Stores where the ticket lives in an integration (Slack message, Help Scout
    conversation) and when it last synced. Audited as `synced`, naming the link as given,
    when it differs from the one stored; it publishes no domain event, since nothing about
    the ticket itself changed. No read and no lock of its own: each delivery records this,
    and an UPDATE locks the row it changes (a concurrent one finds nothing left to change)."""
    unknown = set(fields) - SYNC_FIELDS
    if unknown:
        raise ValueError(f"Not sync fields: {sorted(unknown)}")
    tickets = SupportTicket.objects.filter(pk=ticket_id)
    links = {name: value for name, value in fields.items() if name not in SYNC_STAMP_FIELDS}
    if not links:
        tickets.update(**fields)
        return
    differs = Q()
    for name, value in links.items():
        differs |= ~Q(**{name: value})
    with transaction.atomic(savepoint=False):
        if not tickets.filter(differs).update(**fields):
            stamps = {name: value for name, value in fields.items() if name in SYNC_STAMP_FIELDS}
            if stamps:
                tickets.update(**stamps)
            return
        TicketEvent.objects.bulk_create(
            TicketEvent(
                ticket_id=ticket_id,
                action=TicketAction.SYNCED,
                field=integration,
                new_value=", ".join(
                    f"{name.split('_', 1)[1]}={value}"
                    for name, value in sorted(links.items())
                    if name.startswith(integration)
                ),
                actor=actor.name,
                source=actor.source,
            )
            for integration in sorted({name.split("_", 1)[0] for name in links})
        )


def ticket_register_view(*, ticket_id: int) -> None:
    """Counts one view; a single atomic UPDATE, no lock, no audit row (views are not changes)."""
    SupportTicket.objects.filter(pk=ticket_id).update(view_count=F("view_count") + 1)


@attachments.files_removed_on_failure()
@publishing.atomic()
def comment_attach_files(*, comment_id: int, files: Sequence[attachments.IncomingFile]) -> list[Any]:
    """Files that arrive after their comment was recorded (a Slack message's, fetched off
    the webhook's request). A comment that has files already gets none: a task that runs
    twice adds them once. Checked as comment_add checks them."""
    attachments.refuse_any(files)
    comment = TicketComment.objects.filter(pk=comment_id).first()
    if comment is None or not files:
        return []
    ticket = _locked(comment.ticket_id)
    if comment.attachments.exists():
        return []
    return attachments.store(ticket=ticket, comment=comment, files=files)
