"""The domain's events: what a committed ticket change tells the rest of the system.

One frozen dataclass per kind, its name defined once (`name`), its fields in domain terms
(the model's field names, never the API's), so subscribers depend on the domain and not
on the API's spelling. `encode`/`decode` turn an event into JSON-safe data and back: the
integrations' outbox stores events that way, and a renamed API field cannot break a
queued delivery. The WebSocket's format is derived from these by `realtime`.

Services publish them through `tickets.publishing`; tests/test_event_schemas.py pins each
one's encoded schema.
"""

import dataclasses
from collections.abc import Iterable
from datetime import datetime
from enum import Enum
from typing import Any, ClassVar

from .models import TicketComment
from .representation import TicketSnapshot


@dataclasses.dataclass(frozen=True)
class CommentSnapshot:
    id: int
    body: str
    is_internal: bool
    author: str
    source: str
    created_at: datetime
    # Who wrote it (CommentAuthorType). A default, so that events queued before it existed
    # still decode; those carry "" (unknown).
    author_type: str = ""

    @classmethod
    def of(cls, comment: TicketComment) -> "CommentSnapshot":
        return cls(
            id=comment.pk,
            body=comment.body,
            is_internal=comment.is_internal,
            author=comment.author,
            source=comment.source,
            created_at=comment.created_at,
            author_type=comment.author_type,
        )


@dataclasses.dataclass(frozen=True, kw_only=True)
class TicketChanged:
    """The base of every event about one ticket: the ticket after the change, and where
    the change came from (an integration is not sent back what came from it)."""

    name: ClassVar[str]
    ticket: TicketSnapshot
    source: str

    @property
    def ticket_id(self) -> int:
        return self.ticket.id


@dataclasses.dataclass(frozen=True, kw_only=True)
class TicketCreated(TicketChanged):
    name: ClassVar[str] = "new-ticket"


@dataclasses.dataclass(frozen=True, kw_only=True)
class TicketStatusChanged(TicketChanged):
    name: ClassVar[str] = "ticket-status-updated"
    status: str
    previous_status: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class TicketAssigned(TicketChanged):
    name: ClassVar[str] = "ticket-assigned"
    assigned_to: str | None  # None: unassigned
    previous_assigned_to: str | None


@dataclasses.dataclass(frozen=True, kw_only=True)
class TicketUpdated(TicketChanged):
    """Priority, category or tags: `changes` maps each changed field to its new value."""

    name: ClassVar[str] = "ticket-updated"
    changes: dict[str, Any]


@dataclasses.dataclass(frozen=True, kw_only=True)
class TicketCommentAdded(TicketChanged):
    name: ClassVar[str] = "ticket-comment-added"
    comment: CommentSnapshot


@dataclasses.dataclass(frozen=True, kw_only=True)
class TicketOverdue(TicketChanged):
    """A new SLA breach: `breaches` names which targets were missed (response, resolution)."""

    name: ClassVar[str] = "ticket-overdue"
    breaches: list[str]


@dataclasses.dataclass(frozen=True, kw_only=True)
class TicketSlaWarning(TicketChanged):
    """SLA_WARNING_PERCENT of a target's time has run: `targets` names which (response,
    resolution); their deadlines are the ticket's."""

    name: ClassVar[str] = "ticket-sla-warning"
    targets: list[str]


@dataclasses.dataclass(frozen=True, kw_only=True)
class TicketsBulkUpdated:
    """One bulk change of many tickets: `changes` is what was asked (field to new value),
    `ticket_ids` the tickets it changed, and `events` each ticket's own events, for the
    subscribers that act per ticket (the integrations). Dashboards apply it at once."""

    name: ClassVar[str] = "tickets-bulk-updated"
    ticket_ids: list[int]
    changes: dict[str, Any]
    source: str
    events: list[TicketChanged]


DomainEvent = TicketChanged | TicketsBulkUpdated

CATALOGUE: dict[str, type[TicketChanged]] = {
    kind.name: kind
    for kind in (
        TicketCreated,
        TicketStatusChanged,
        TicketAssigned,
        TicketUpdated,
        TicketCommentAdded,
        TicketOverdue,
        TicketSlaWarning,
    )
}


def per_ticket(events: Iterable[DomainEvent]) -> list[TicketChanged]:
    """Each ticket's own events, a bulk change's included, in order."""
    flat: list[TicketChanged] = []
    for event in events:
        flat.extend(event.events if isinstance(event, TicketsBulkUpdated) else [event])
    return flat


# --- JSON-safe data, and back ---

# The snapshots' fields that hold times (a comment's is `created_at`, as a ticket's).
_TIMES = {field.name for field in dataclasses.fields(TicketSnapshot) if field.type in (datetime, datetime | None)}


def encode(event: TicketChanged) -> dict[str, Any]:
    """The event's fields as JSON-safe data: plain values, times in ISO 8601."""
    data: dict[str, Any] = _plain(event)
    return data


def decode(name: str, data: dict[str, Any]) -> TicketChanged:
    """The event `encode` gave `data` for; KeyError for a name not in the catalogue."""
    kind = CATALOGUE[name]
    fields = dict(data)
    fields["ticket"] = TicketSnapshot(**_text_to_times(fields["ticket"]))
    if "comment" in fields:
        fields["comment"] = CommentSnapshot(**_text_to_times(fields["comment"]))
    return kind(**fields)


def _plain(value: Any) -> Any:
    """One pass over the event (dataclasses.asdict deep-copies every value first)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: _plain(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):  # the models' choices: their value, as stored
        return value.value
    return value


def _text_to_times(values: dict[str, Any]) -> dict[str, Any]:
    return {
        key: datetime.fromisoformat(value) if key in _TIMES and isinstance(value, str) else value
        for key, value in values.items()
    }
