"""The only writer of tickets.

Each public function is one change: it runs in a transaction, locks the ticket rows it
changes, writes one audit event per changed field, and publishes its domain events
(tickets.events), which leave together once the transaction commits (tickets.publishing).
Views, the admin, webhooks and tasks parse and authorise; they call these and nothing else
to change a ticket. How a change is applied and written is tickets/change_sets.py; the
SLA's batch work (breaches, recomputations) is tickets/sla_batches.py.
"""

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from . import (
    assignment,
    attachments,
    canned_responses,
    configuration_cache,
    placeholders,
    publishing,
    routing,
    search,
    sla_clock,
    versions,
)
from .actors import Actor
from .change_sets import KEEP as KEEP
from .change_sets import (
    Changes,
    apply_agent,
    apply_category,
    apply_priority,
    apply_status,
    apply_tags,
    apply_team,
    apply_updates,
    assignee_of,
    change_time,
    locked_ticket,
    require_choice,
    route_in_team,
    save_changes,
    team_or_keep,
    team_or_refuse,
    write_changes,
)
from .change_sets import Keep as Keep
from .change_sets import normalize_assignee as normalize_assignee
from .custom_fields import values_for_create
from .events import (
    CommentSnapshot,
    TicketChanged,
    TicketCommentAdded,
    TicketCreated,
    TicketsBulkUpdated,
    TicketSnapshot,
)
from .exceptions import TicketError
from .limits import (
    MAX_BULK_TICKETS,
    MAX_COMMENT_LENGTH,
    MAX_CUSTOMER_NAME_LENGTH,
    MAX_CUSTOMER_USER_ID_LENGTH,
    MAX_DESCRIPTION_LENGTH,
    MAX_EMAIL_LENGTH,
    MAX_SUBJECT_LENGTH,
)
from .lookups import row_or_refuse
from .models import (
    PRIORITY_RANK,
    Agent,
    ChangeSource,
    CommentAuthorType,
    RoutingRule,
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
from .sla_batches import tickets_announce_sla_breaches as tickets_announce_sla_breaches  # called as the others are
from .sla_batches import tickets_refresh_sla as tickets_refresh_sla
from .sla_warnings import tickets_announce_sla_warnings as tickets_announce_sla_warnings
from .tags import normalize_tags as normalize_tags  # the forms and the admin check with it too

logger = logging.getLogger(__name__)


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


def _save_and_publish(ticket: SupportTicket, changes: Changes) -> None:
    for event in save_changes(ticket, changes):
        publishing.publish(event)
    hand_out_queues(changes.freed_agents)


@publishing.atomic()
def hand_out_queues(agent_ids: set[int]) -> None:
    """Hands the queued tickets of these agents' automatic teams out again, now that they
    may have room (a ticket closed, back from away, more capacity, a new team): each goes
    to its team's next agent, until nobody has room."""
    for agent in Agent.objects.filter(pk__in=agent_ids, available=True).order_by("pk"):
        for team_id in assignment.auto_team_ids(agent):
            for ticket_id in assignment.queued_ticket_ids([team_id], limit=assignment.MAX_QUEUE_FILL):
                ticket = locked_ticket(ticket_id)
                routed = route_in_team(ticket)
                if routed is None:
                    break  # nobody in the team has room: the rest waits too
                for event in write_changes(ticket, [routed]):
                    publishing.publish(event)


# --- Field changes, applied in memory; single and bulk services share them ---


# --- Public services ---


@attachments.files_removed_on_failure()
@publishing.atomic()
@configuration_cache.one_reading()  # the policies, rules and fields under one stamp
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
    """`assignee_id` (an agent) wins over `assigned_to` (a name, see assignee_of). The active
    routing rules that match the new ticket then change it, each audited under its name
    (tickets/routing.py); a ticket of an automatic team left without an assignee goes to
    the team's next agent. `created_at`, for imports (a Help Scout conversation, the demo),
    is when the ticket was opened where it came from (not in the future): its deadlines
    count from then, and its creation and routing are audited at that time. `files` go with
    the description: attached to the ticket itself (tickets/attachments.py)."""
    require_choice("priority", priority, TicketPriority)
    require_choice("category", category, TicketCategory)
    require_choice("source", source, TicketSource)
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
    created_at = change_time(created_at, field_name="createdAt")
    attachments.refuse_any(files)
    team = team_or_refuse(team_id)
    who = assignee_of(assigned_to, assignee_id if assignee_id is not None else KEEP)
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
    routed = route_in_team(ticket, at=created_at)
    change_sets += [routed] if routed is not None else []
    events = write_changes(ticket, change_sets) if change_sets else []
    publishing.publish(TicketCreated(ticket=TicketSnapshot.of(ticket), source=actor.source))
    for event in events:
        publishing.publish(event)
    if freed := set().union(*(changes.freed_agents for changes in change_sets)):
        hand_out_queues(freed)
    return ticket


def _routing_rule_changes(ticket: SupportTicket, *, at: datetime | None = None) -> list[Changes]:
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
        changes = Changes(Actor(name=rule.name, source=ChangeSource.SYSTEM), at=at)
        _apply_rule(ticket, rule, teams, agents, changes)
        if changes.fields:
            change_sets.append(changes)
    return change_sets


def _apply_rule(
    ticket: SupportTicket, rule: RoutingRule, teams: dict[int, Team], agents: dict[int, Agent], changes: Changes
) -> None:
    """A rule's actions. One naming a team or an agent deleted since is skipped, and so are
    tags past the limit: a rule gone stale must never refuse a customer's ticket."""
    actions = rule.actions
    if "priority" in actions:
        apply_priority(ticket, actions["priority"], changes)
    if "category" in actions:
        apply_category(ticket, actions["category"], changes)
    # The team first, as in apply_updates: it keeps an assignee from outside the team only
    # if this rule (or a later one) names them; otherwise the team's strategy assigns.
    if "teamId" in actions:
        if (team := teams.get(actions["teamId"])) is not None:
            apply_team(ticket, team, changes)
        else:
            logger.warning("Routing rule %r names team %s, which no longer exists.", rule.name, actions["teamId"])
    if "assigneeId" in actions:
        if (agent := agents.get(actions["assigneeId"])) is not None:
            apply_agent(ticket, agent, changes)
        else:
            logger.warning("Routing rule %r names agent %s, who no longer exists.", rule.name, actions["assigneeId"])
    if "addTags" in actions:
        try:
            apply_tags(ticket, [*ticket.tags, *actions["addTags"]], changes)
        except TicketError as error:
            logger.warning("Routing rule %r adds no tags to %s: %s", rule.name, ticket.ticket_number, error.message)


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
    for imports, is when the change happened (see change_time): a resolution's time too."""
    ticket = locked_ticket(ticket_id)
    versions.check_version(ticket, seen=seen_version)
    changes = Changes(actor, at=change_time(at, field_name="at", ticket=ticket))
    apply_status(ticket, status, resolution_note.strip(), changes)
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
    ticket = locked_ticket(ticket_id)
    versions.check_version(ticket, seen=seen_version)
    changes = apply_updates(
        ticket,
        actor,
        assignee=assignee_of(assigned_to, assignee_id),
        team=team_or_keep(team_id),
        at=change_time(at, field_name="at", ticket=ticket),
    )
    _save_and_publish(ticket, changes)
    return ticket


@publishing.atomic()
def ticket_change_priority(
    *, ticket_id: int, priority: str, actor: Actor, seen_version: int | None = None, at: datetime | None = None
) -> SupportTicket:
    """Recomputes the SLA deadlines from the creation time. `seen_version` and `at` as for
    ticket_change_status."""
    ticket = locked_ticket(ticket_id)
    versions.check_version(ticket, seen=seen_version)
    changes = Changes(actor, at=change_time(at, field_name="at", ticket=ticket))
    apply_priority(ticket, priority, changes)
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
    ticket = locked_ticket(ticket_id)
    versions.check_version(ticket, seen=seen_version)
    changes = apply_updates(
        ticket,
        actor,
        status=status,
        resolution_note=resolution_note,
        priority=priority,
        category=category,
        assignee=assignee_of(assigned_to, assignee_id),
        team=team_or_keep(team_id),
        tags=tags,
        custom_fields=custom_fields,
    )
    _save_and_publish(ticket, changes)
    return ticket


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
            require_choice(field_name, value, choices)
    assignee, team = assignee_of(assigned_to, assignee_id), team_or_keep(team_id)  # refused before any write
    added, removed = normalize_tags(add_tags), set(normalize_tags(remove_tags))
    wanted = list(dict.fromkeys(ids))
    if len(wanted) > MAX_BULK_TICKETS:
        raise TicketError("ids", f"At most {MAX_BULK_TICKETS} tickets at a time.")
    # With their teams (each audit row names the old one), locking only the tickets' rows.
    locked = SupportTicket.objects.select_for_update(of=("self",)).select_related("team")
    tickets = list(locked.filter(pk__in=wanted).order_by("pk"))
    found = {ticket.pk for ticket in tickets}
    policies = sla_clock.active_policies()  # once for every ticket
    events: list[TicketChanged] = []
    freed: set[int] = set()
    for ticket in tickets:
        tags = None
        if added or removed:
            tags = [tag for tag in [*ticket.tags, *added] if tag not in removed]
        changes = apply_updates(
            ticket,
            actor,
            status=status,
            priority=priority,
            category=category,
            assignee=assignee,
            team=team,
            tags=tags,
        )
        events += save_changes(ticket, changes, policies)
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
    ticket = locked_ticket(queued[0])
    changes = Changes(actor)
    apply_agent(ticket, agent, changes)
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
    ticket = locked_ticket(ticket_id)
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
        ticket = locked_ticket(ticket_id)  # as the comment left it (counts, first response)
    actions = response.actions
    tags = None
    if "addTags" in actions or "removeTags" in actions:
        removed = set(actions.get("removeTags", ()))
        tags = [tag for tag in [*ticket.tags, *actions.get("addTags", ())] if tag not in removed]
    try:
        changes = apply_updates(
            ticket,
            actor,
            status=actions.get("status"),
            priority=actions.get("priority"),
            category=actions.get("category"),
            assignee=assignee_of(KEEP, actions["assigneeId"]) if "assigneeId" in actions else KEEP,
            team=team_or_refuse(actions["teamId"]) if "teamId" in actions else KEEP,
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
    require_choice("authorType", author_type, CommentAuthorType)
    body = body.strip()
    if not body:
        raise TicketError("comment", "This field may not be blank.")
    if len(body) > MAX_COMMENT_LENGTH:
        raise TicketError("comment", f"At most {MAX_COMMENT_LENGTH} characters.")
    attachments.refuse_any(files)
    ticket = locked_ticket(ticket_id)
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
    # Known here (a new comment has no other files), so its answer reads none back.
    stored = attachments.store(ticket=ticket, comment=comment, files=files) if files else []
    comment.attachment_list = stored  # type: ignore[attr-defined]
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
    ticket = locked_ticket(comment.ticket_id)
    if comment.attachments.exists():
        return []
    return attachments.store(ticket=ticket, comment=comment, files=files)
