"""A ticket and a comment as the outside sees them: the API's JSON (camelCase, as the
contract fixes it), which the WebSocket's events carry too.

It lives in the domain so that every way out renders a ticket the same way: the API's
serializers declare the shape for the OpenAPI schema and render through these functions,
and realtime derives its messages from the domain's events with them. They are plain
Python rather than DRF fields because DRF's field-by-field rendering of the nested shape
took ten times as long as the SQL behind a list page (bench/RESULTS.md).
"""

import dataclasses
from datetime import datetime, tzinfo
from typing import Any

import orjson
from django.utils import timezone

from .models import SupportTicket, format_ticket_number
from .sla import is_overdue


@dataclasses.dataclass(frozen=True)
class TicketSnapshot:
    """A ticket's columns that its representation reads: what a list page selects, and what
    a domain event carries of the ticket as the change left it."""

    id: int
    number: int
    subject: str
    description: str
    status: str
    priority: str
    category: str
    source: str
    customer_name: str
    customer_email: str
    customer_user_id: str
    assigned_to: str
    tags: list[str]
    helpscout_conversation_id: str | None
    helpscout_last_sync_at: datetime | None
    helpscout_sync_status: str
    slack_thread_id: str
    slack_channel_id: str
    slack_message_ts: str
    slack_last_sync_at: datetime | None
    slack_is_archived: bool
    response_target_minutes: int
    response_deadline: datetime | None
    resolution_deadline: datetime | None
    first_response_at: datetime | None
    last_activity_at: datetime
    total_comments: int
    view_count: int
    resolved_by: str
    resolution_note: str
    resolution_time_minutes: int | None
    resolved_at: datetime | None
    created_at: datetime
    updated_at: datetime
    # Defaults, so that events queued before these columns existed still decode.
    assignee_id: int | None = None
    team_id: int | None = None
    custom_fields: dict[str, Any] = dataclasses.field(default_factory=dict)

    @classmethod
    def of(cls, ticket: SupportTicket) -> "TicketSnapshot":
        return cls(**{name: getattr(ticket, name) for name in TICKET_COLUMNS})

    @property
    def ticket_number(self) -> str:
        return format_ticket_number(self.number)


# The columns above, which is all a list page selects: rows of these are a third of the CPU
# of model instances (whose every field Django sets one by one), and the few columns it
# never shows stay in the database.
TICKET_COLUMNS = tuple(field.name for field in dataclasses.fields(TicketSnapshot))


def iso_time(value: datetime | None, zone: tzinfo | None = None) -> str | None:
    """As DRF renders a DateTimeField: ISO 8601 in the current time zone, `Z` for UTC.
    orjson writes it in a quarter of the time of `isoformat()`, and a page of 50 tickets
    has 500 of them; tests/test_api_shape.py checks it writes DRF's text."""
    if value is None:
        return None
    local = value.astimezone(zone or timezone.get_current_timezone())
    offset = local.utcoffset()
    if offset is not None and (offset.seconds % 60 or offset.microseconds):
        # Local mean times before standard time had offsets in seconds; orjson rounds them.
        text = local.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    return orjson.dumps(local, option=orjson.OPT_UTC_Z)[1:-1].decode()


def ticket_representation(ticket: Any, *, now: datetime, zone: tzinfo) -> dict[str, Any]:
    """`ticket`: anything with the attributes TICKET_COLUMNS names (a SupportTicket, a row
    of a list page, an event's TicketSnapshot). `now` decides `isOverdue`."""
    return {
        "id": ticket.id,
        "ticketNumber": format_ticket_number(ticket.number),
        "subject": ticket.subject,
        "description": ticket.description,
        "status": ticket.status,
        "priority": ticket.priority,
        "category": ticket.category,
        "source": ticket.source,
        "customerName": ticket.customer_name,
        "customerEmail": ticket.customer_email,
        "customerUserId": ticket.customer_user_id or None,
        "assignedTo": ticket.assigned_to or None,
        "assigneeId": ticket.assignee_id,
        "teamId": ticket.team_id,
        "tags": [str(tag) for tag in ticket.tags],
        "customFields": dict(ticket.custom_fields),
        "integration": {
            "helpScout": {
                "conversationId": ticket.helpscout_conversation_id or None,
                "lastSyncAt": iso_time(ticket.helpscout_last_sync_at, zone),
                "syncStatus": ticket.helpscout_sync_status or None,
            },
            "slack": {
                "threadId": ticket.slack_thread_id or None,
                "channelId": ticket.slack_channel_id or None,
                "messageTs": ticket.slack_message_ts or None,
                "lastSyncAt": iso_time(ticket.slack_last_sync_at, zone),
                "isArchived": ticket.slack_is_archived,
            },
        },
        "sla": {
            "responseTime": ticket.response_target_minutes,
            "responseDeadline": iso_time(ticket.response_deadline, zone),
            "resolutionDeadline": iso_time(ticket.resolution_deadline, zone),
            "isOverdue": is_overdue(ticket, now=now),
        },
        "statistics": {
            "firstResponseAt": iso_time(ticket.first_response_at, zone),
            "lastActivityAt": iso_time(ticket.last_activity_at, zone),
            "totalComments": ticket.total_comments,
            "viewCount": ticket.view_count,
        },
        "resolution": {
            "resolvedBy": ticket.resolved_by or None,
            "resolutionNote": ticket.resolution_note or None,
            "resolutionTime": ticket.resolution_time_minutes,
            "resolvedAt": iso_time(ticket.resolved_at, zone),
        },
        "createdAt": iso_time(ticket.created_at, zone),
        "updatedAt": iso_time(ticket.updated_at, zone),
    }


def comment_representation(comment: Any) -> dict[str, Any]:
    """`comment`: a TicketComment or an event's CommentSnapshot."""
    return {
        "id": comment.id,
        "comment": comment.body,
        "isInternal": comment.is_internal,
        "author": comment.author,
        "authorType": comment.author_type,
        "source": comment.source,
        "createdAt": iso_time(comment.created_at),
        "attachments": [attachment_representation(attachment) for attachment in comment_attachments(comment)],
    }


def comment_attachments(comment: Any) -> Any:
    """The comment's attachments: as the ticket's detail read them (`attachment_list`, see
    selectors.ticket_find), else its rows; none for an event's CommentSnapshot."""
    if hasattr(comment, "attachment_list"):
        return comment.attachment_list
    if hasattr(comment, "attachments"):
        return comment.attachments.all()
    return ()


def ticket_attachments(ticket: Any) -> list[dict[str, Any]]:
    """The files sent with the ticket itself (not with a comment), for its detail."""
    if hasattr(ticket, "attachment_list"):
        found = ticket.attachment_list
    else:
        found = ticket.attachments.filter(comment__isnull=True)
    return [attachment_representation(attachment) for attachment in found]


def attachment_representation(attachment: Any) -> dict[str, Any]:
    """An Attachment, or one of the summaries selectors.ticket_find reads."""
    return {
        "id": attachment.id,
        "filename": attachment.filename,
        "contentType": attachment.content_type,
        "size": attachment.size,
        "url": attachment.url,
    }
