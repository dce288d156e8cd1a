"""The only writer of tickets.

Each public function is one change: it runs in a transaction, locks the ticket rows it
changes, writes one audit event per changed field, and publishes its domain events
(tickets.events), which leave together once the transaction commits (tickets.publishing). Views, the admin, webhooks and
tasks parse and authorise; they call these and nothing else to change a ticket.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import BooleanField, ExpressionWrapper, F, Q
from django.utils import timezone

from . import publishing, search, versions
from .actors import SYSTEM_ACTOR, Actor
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
    MAX_TAG_LENGTH,
    MAX_TAGS,
)
from .models import (
    FINISHED_STATUSES,
    PRIORITY_RANK,
    SupportTicket,
    TicketAction,
    TicketCategory,
    TicketComment,
    TicketEvent,
    TicketNumberCounter,
    TicketPriority,
    TicketSource,
    TicketStatus,
)
from .sla import minutes_between, overdue_q, resolution_missed_q, response_missed_q, sla_deadlines


@dataclass
class _Changes:
    """What one ticket's change did: model fields touched, audit rows, and the events to
    publish (each kind with its fields; the ticket's snapshot is added once it is saved)."""

    actor: Actor
    fields: set[str] = field(default_factory=set)
    audit: list[TicketEvent] = field(default_factory=list)
    published: list[tuple[type[TicketChanged], dict[str, Any]]] = field(default_factory=list)
    updated: dict[str, Any] = field(default_factory=dict)  # for one TicketUpdated

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
            )
        )


def _audit_value(value: Any) -> str | None:
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, list):
        return ",".join(value)
    return str(value)


def _require_choice(field_name: str, value: str, choices: type[TicketStatus] | Any) -> None:
    if value not in choices.values:
        raise TicketError(field_name, f'"{value}" is not a valid {field_name}.')


def normalize_tags(tags: Iterable[str]) -> list[str]:
    """Lower-case, trimmed, unique, in the order given."""
    seen: dict[str, None] = {}
    for tag in tags:
        cleaned = " ".join(str(tag).split()).lower()
        if not cleaned:
            continue
        if len(cleaned) > MAX_TAG_LENGTH:
            raise TicketError("tags", f"A tag may have at most {MAX_TAG_LENGTH} characters.")
        seen[cleaned] = None
    if len(seen) > MAX_TAGS:
        raise TicketError("tags", f"A ticket may have at most {MAX_TAGS} tags.")
    return list(seen)


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


def _save(ticket: SupportTicket, changes: _Changes) -> list[TicketChanged]:
    """Writes the change and its audit rows; returns its events, for the caller to publish."""
    if not changes.fields:
        return []
    ticket.updated_at = timezone.now()
    ticket.version += 1  # what writers who saw the ticket before this see is now outdated
    ticket.save(update_fields=[*changes.fields, "updated_at", "version"])
    TicketEvent.objects.bulk_create(changes.audit)
    snapshot, source = TicketSnapshot.of(ticket), changes.actor.source
    events = [kind(ticket=snapshot, source=source, **data) for kind, data in changes.published]
    if changes.updated:
        events.append(TicketUpdated(ticket=snapshot, source=source, changes=changes.updated))
    return events


def _save_and_publish(ticket: SupportTicket, changes: _Changes) -> None:
    for event in _save(ticket, changes):
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
    now = timezone.now()
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


def _apply_assignee(ticket: SupportTicket, assigned_to: str | None, changes: _Changes) -> None:
    assignee = normalize_assignee(assigned_to)
    previous = ticket.assigned_to
    if assignee == previous:
        return
    ticket.assigned_to = assignee
    ticket.last_activity_at = timezone.now()
    changes.fields |= {"assigned_to", "last_activity_at"}
    changes.record(ticket, TicketAction.ASSIGNED, "assignedTo", previous, assignee)
    changes.published.append(
        (TicketAssigned, {"assigned_to": assignee or None, "previous_assigned_to": previous or None})
    )


def _apply_priority(ticket: SupportTicket, priority: str, changes: _Changes) -> None:
    _require_choice("priority", priority, TicketPriority)
    previous = ticket.priority
    if priority == previous:
        return
    deadlines = sla_deadlines(priority=priority, created_at=ticket.created_at)
    ticket.priority = priority
    ticket.priority_rank = PRIORITY_RANK[TicketPriority(priority)]
    ticket.response_target_minutes = deadlines.response_target_minutes
    ticket.response_deadline = deadlines.response_deadline
    ticket.resolution_deadline = deadlines.resolution_deadline
    # A deadline moved into the future can be breached, and announced, anew.
    now = timezone.now()
    if ticket.response_deadline > now:
        ticket.response_breach_notified_at = None
    if ticket.resolution_deadline > now:
        ticket.resolution_breach_notified_at = None
    changes.fields |= {
        "priority",
        "priority_rank",
        "response_target_minutes",
        "response_deadline",
        "resolution_deadline",
        "response_breach_notified_at",
        "resolution_breach_notified_at",
    }
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


# --- Public services ---


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
    tags: Sequence[str] = (),
    helpscout_conversation_id: str | None = None,
) -> SupportTicket:
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
    now = timezone.now()
    deadlines = sla_deadlines(priority=priority, created_at=now)
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
        assigned_to=normalize_assignee(assigned_to),
        tags=normalize_tags(tags),
        helpscout_conversation_id=helpscout_conversation_id,
        response_target_minutes=deadlines.response_target_minutes,
        response_deadline=deadlines.response_deadline,
        resolution_deadline=deadlines.resolution_deadline,
        created_at=now,
        updated_at=now,
        last_activity_at=now,
    )
    ticket.__dict__.pop("search_vector")  # computed by the INSERT: unloaded, as the list reads it
    TicketEvent.objects.create(
        ticket=ticket,
        action=TicketAction.CREATED,
        new_value=ticket.ticket_number,
        actor=actor.name,
        source=actor.source,
        created_at=now,
    )
    publishing.publish(TicketCreated(ticket=TicketSnapshot.of(ticket), source=actor.source))
    return ticket


@publishing.atomic()
def ticket_change_status(
    *, ticket_id: int, status: str, actor: Actor, resolution_note: str = "", seen_version: int | None = None
) -> SupportTicket:
    """Any status may follow any other; leaving resolved/closed reopens the ticket.
    `seen_version`, when given, must be the ticket's version (tickets/versions.py)."""
    ticket = _locked(ticket_id)
    versions.check_version(ticket, seen=seen_version)
    changes = _Changes(actor)
    _apply_status(ticket, status, resolution_note.strip(), changes)
    _save_and_publish(ticket, changes)
    return ticket


@publishing.atomic()
def ticket_assign(
    *, ticket_id: int, assigned_to: str | None, actor: Actor, seen_version: int | None = None
) -> SupportTicket:
    """`None` or an empty string unassigns. `seen_version` as for ticket_change_status."""
    ticket = _locked(ticket_id)
    versions.check_version(ticket, seen=seen_version)
    changes = _Changes(actor)
    _apply_assignee(ticket, assigned_to, changes)
    _save_and_publish(ticket, changes)
    return ticket


@publishing.atomic()
def ticket_change_priority(
    *, ticket_id: int, priority: str, actor: Actor, seen_version: int | None = None
) -> SupportTicket:
    """Recomputes the SLA deadlines from the creation time. `seen_version` as for ticket_change_status."""
    ticket = _locked(ticket_id)
    versions.check_version(ticket, seen=seen_version)
    changes = _Changes(actor)
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
    assigned_to: str | None = None,
    tags: Sequence[str] | None = None,
    seen_version: int | None = None,
) -> SupportTicket:
    """Several field changes at once (the admin and dashboard forms); None leaves a field
    as it is, and an empty `assigned_to` unassigns. `seen_version` as for ticket_change_status."""
    ticket = _locked(ticket_id)
    versions.check_version(ticket, seen=seen_version)
    changes = _apply_updates(
        ticket,
        actor,
        status=status,
        resolution_note=resolution_note,
        priority=priority,
        category=category,
        assigned_to=assigned_to,
        tags=tags,
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
    assigned_to: str | None = None,
    tags: Sequence[str] | None = None,
) -> _Changes:
    changes = _Changes(actor)
    if status is not None:
        _apply_status(ticket, status, resolution_note.strip(), changes)
    if priority is not None:
        _apply_priority(ticket, priority, changes)
    if category is not None:
        _apply_category(ticket, category, changes)
    if assigned_to is not None:
        _apply_assignee(ticket, assigned_to, changes)
    if tags is not None:
        _apply_tags(ticket, list(tags), changes)
    return changes


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
    assigned_to: str | None = None,
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
    added, removed = normalize_tags(add_tags), set(normalize_tags(remove_tags))
    wanted = list(dict.fromkeys(ids))
    if len(wanted) > MAX_BULK_TICKETS:
        raise TicketError("ids", f"At most {MAX_BULK_TICKETS} tickets at a time.")
    tickets = list(SupportTicket.objects.select_for_update().filter(pk__in=wanted).order_by("pk"))
    found = {ticket.pk for ticket in tickets}
    events: list[TicketChanged] = []
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
            assigned_to=assigned_to,
            tags=tags,
        )
        events += _save(ticket, changes)
    if events:
        asked = {
            "status": status,
            "priority": priority,
            "category": category,
            "assigned_to": assigned_to,
            "add_tags": added or None,
            "remove_tags": sorted(removed) or None,
        }
        publishing.publish(
            TicketsBulkUpdated(
                ticket_ids=sorted({event.ticket_id for event in events}),
                changes={name: value for name, value in asked.items() if value is not None},
                source=actor.source,
                events=events,
            )
        )
    return BulkResult(updated=len(found), not_found=[pk for pk in wanted if pk not in found])


@publishing.atomic()
def comment_add(
    *,
    ticket_id: int,
    body: str,
    is_internal: bool,
    author: str,
    actor: Actor,
    counts_as_response: bool = True,
    external_id: str = "",
    written_at: datetime | None = None,
    seen_version: int | None = None,
    seen_comment_id: int | None = None,
) -> TicketComment:
    """A comment by `author`. The earliest public one that `counts_as_response` (an
    agent's, not a customer's) sets the ticket's first-response time, to the comment's
    time. A comment with an `external_id` already stored from the same source is returned
    as it is (idempotent). `written_at`, when it was written where it came from (a Slack
    message, a Help Scout thread), dates the comment (within the ticket's life), so
    comments delivered late or out of order keep the time they were written.
    `seen_version` and `seen_comment_id` (the newest comment the author had seen, 0 for
    none), when given, refuse a comment written on an outdated view (tickets/versions.py)."""
    body = body.strip()
    if not body:
        raise TicketError("comment", "This field may not be blank.")
    if len(body) > MAX_COMMENT_LENGTH:
        raise TicketError("comment", f"At most {MAX_COMMENT_LENGTH} characters.")
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
        source=actor.source,
        created_at=now if written_at is None else min(max(written_at, ticket.created_at), now),
        external_id=external_id,
    )
    fields = ["total_comments", "last_activity_at", "updated_at"]
    ticket.total_comments += 1
    ticket.last_activity_at = ticket.updated_at = now
    responds = counts_as_response and not is_internal
    if responds and (ticket.first_response_at is None or comment.created_at < ticket.first_response_at):
        ticket.first_response_at = comment.created_at
        fields.append("first_response_at")
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
        created_at=now,
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
