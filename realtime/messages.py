"""The WebSocket's messages, derived from the domain's events (tickets.events).

Each is `{"event": name, "data": {...}}` in the API's terms: `data` holds the ticket's
`id` and `ticketNumber`, the event's own fields, and the ticket as the API shows it.
A bulk change is one `tickets-bulk-updated` message with the ids and the changes asked.
"""

from typing import Any

from django.utils import timezone

from tickets.events import (
    DomainEvent,
    TicketAssigned,
    TicketChanged,
    TicketCommentAdded,
    TicketCreated,
    TicketOverdue,
    TicketsBulkUpdated,
    TicketSlaWarning,
    TicketStatusChanged,
    TicketUpdated,
)
from tickets.representation import comment_representation, ticket_representation

# A bulk change's fields, by their API names.
BULK_FIELDS = {
    "status": "status",
    "priority": "priority",
    "category": "category",
    "assigned_to": "assignedTo",
    "assignee_id": "assigneeId",
    "team_id": "teamId",
    "add_tags": "addTags",
    "remove_tags": "removeTags",
}


# A ticket-updated's fields whose API name differs from the domain's.
CHANGED_FIELDS = {"team_id": "teamId", "custom_fields": "customFields"}


def message(event: DomainEvent) -> dict[str, Any]:
    if isinstance(event, TicketsBulkUpdated):
        changes = {BULK_FIELDS[name]: value for name, value in event.changes.items()}
        return {"event": event.name, "data": {"ids": event.ticket_ids, "changes": changes}}
    return {"event": event.name, "data": _data(event)}


def _data(event: TicketChanged) -> dict[str, Any]:
    ticket = ticket_representation(event.ticket, now=timezone.now(), zone=timezone.get_current_timezone())
    if isinstance(event, TicketCreated):
        return ticket
    data: dict[str, Any] = {"id": ticket["id"], "ticketNumber": ticket["ticketNumber"]}
    match event:
        case TicketStatusChanged():
            data |= {"status": event.status, "previousStatus": event.previous_status}
        case TicketAssigned():
            data |= {"assignedTo": event.assigned_to, "previousAssignedTo": event.previous_assigned_to}
        case TicketUpdated():
            data |= {"changes": {CHANGED_FIELDS.get(name, name): value for name, value in event.changes.items()}}
        case TicketCommentAdded():
            data |= {"comment": comment_representation(event.comment)}
        case TicketOverdue():
            data |= {"breaches": list(event.breaches), "sla": ticket["sla"]}
        case TicketSlaWarning():
            data |= {"targets": list(event.targets), "sla": ticket["sla"]}
    return {**data, "ticket": ticket}
