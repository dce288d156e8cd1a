"""A ticket's audit trail as people read it: one sentence per TicketEvent ("Tom Becker
assigned the ticket to Priya Shah", "Priya Shah changed the status: Open → In progress").

The one place that knows what each action's `field`, `old_value` and `new_value` hold
(tickets/services.py writes them): values are shown by their choices' labels, never as
codes or field names. The dashboard's ticket page shows these; the API keeps the codes.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.db.models import TextChoices

from .models import (
    ChangeSource,
    CommentAuthorType,
    RoutingRule,
    TicketAction,
    TicketCategory,
    TicketComment,
    TicketEvent,
    TicketPriority,
    TicketStatus,
)

NONE = "—"


@dataclass(frozen=True)
class Entry:
    event: TicketEvent
    text: str


def ticket_history(events: Iterable[TicketEvent], *, comments: Iterable[TicketComment]) -> list[Entry]:
    """The events, each with its sentence; `comments` are the ticket's (to tell whose a
    comment was). One query for the routing rules' names, whatever the number of events."""
    events = list(events)
    rule_names = frozenset(RoutingRule.objects.values_list("name", flat=True)) if events else frozenset()
    by_id = {comment.pk: comment for comment in comments}
    return [Entry(event, sentence(event, comments=by_id, rule_names=rule_names)) for event in events]


def sentence(
    event: TicketEvent,
    *,
    comments: Mapping[int, TicketComment] | None = None,
    rule_names: frozenset[str] = frozenset(),
) -> str:
    who = _who(event, rule_names)
    describe = SENTENCES.get(event.action)
    if describe is None:  # an action added later: still readable
        return f"{who} {_label_of(TicketAction, event.action).lower()}"
    return describe(event, who, comments or {})


def _who(event: TicketEvent, rule_names: frozenset[str]) -> str:
    """The actor; a routing rule (audited under its name, source system) says so."""
    name = event.actor or "Someone"
    if event.source == ChangeSource.SYSTEM and name in rule_names:
        return f"Routing rule “{name}”"
    return name


def _label_of(choices: type[TextChoices], value: str | None) -> str:
    if value is None or value == "":
        return NONE
    try:
        return str(choices(value).label)
    except ValueError:  # a value from before a choice was renamed
        return value


def _created(event: TicketEvent, who: str, comments: Mapping[int, TicketComment]) -> str:
    return f"{who} created the ticket"


def _choice_change(noun: str, choices: type[TextChoices]) -> Callable[..., str]:
    def describe(event: TicketEvent, who: str, comments: Mapping[int, TicketComment]) -> str:
        return (
            f"{who} changed the {noun}: {_label_of(choices, event.old_value)} → {_label_of(choices, event.new_value)}"
        )

    return describe


def _assigned(event: TicketEvent, who: str, comments: Mapping[int, TicketComment]) -> str:
    old, new = event.old_value, event.new_value
    if not new:
        return f"{who} unassigned the ticket from {old}" if old else f"{who} unassigned the ticket"
    if old:
        return f"{who} reassigned the ticket from {old} to {new}"
    if new == who:
        return f"{who} took the ticket"
    return f"{who} assigned the ticket to {new}"


def _tags(event: TicketEvent, who: str, comments: Mapping[int, TicketComment]) -> str:
    old, new = _tag_list(event.old_value), _tag_list(event.new_value)
    added = [tag for tag in new if tag not in old]
    removed = [tag for tag in old if tag not in new]
    parts = [_tag_phrase("added", added), _tag_phrase("removed", removed)]
    done = " and ".join(part for part in parts if part)
    return f"{who} {done or 'reordered the tags'}"


def _tag_list(value: str | None) -> list[str]:
    return [tag for tag in (value or "").split(",") if tag]


def _tag_phrase(verb: str, tags: list[str]) -> str:
    if not tags:
        return ""
    return f"{verb} the tag{'s' if len(tags) > 1 else ''} {', '.join(tags)}"


def _commented(event: TicketEvent, who: str, comments: Mapping[int, TicketComment]) -> str:
    comment_id = event.new_value or ""
    comment = comments.get(int(comment_id)) if comment_id.isdigit() else None
    author = comment.author if comment is not None else who
    if event.field == "internal":
        return f"{author} added an internal note"
    kind = comment.author_type if comment is not None else CommentAuthorType.AGENT
    if kind == CommentAuthorType.CUSTOMER:
        return f"{author} (customer) wrote"
    if kind in (CommentAuthorType.SYSTEM, CommentAuthorType.INTEGRATION):
        return f"{author} sent an automatic message"
    return f"{author} replied"


def _updated(event: TicketEvent, who: str, comments: Mapping[int, TicketComment]) -> str:
    old, new = event.old_value, event.new_value
    if event.field == "team":
        if not new:
            return f"{who} removed the ticket from the team {old}"
        return f"{who} moved the ticket from {old} to {new}" if old else f"{who} set the team to {new}"
    if event.field == "sla":
        return _sla(new or "")
    field = event.field.replace("_", " ") or "the ticket"
    return f"{who} changed {field}: {old or NONE} → {new or NONE}"


def _sla(value: str) -> str:
    """services.tickets_announce_sla_breaches writes "missed response and resolution";
    sla_warnings "response due in 24 min and resolution due in 2 h"."""
    if value.startswith("missed "):
        targets = value.removeprefix("missed ")
        plural = "s" if " and " in targets else ""
        return f"SLA breached: the {targets} deadline{plural} passed"
    return f"SLA warning: {value}"


def _synced(event: TicketEvent, who: str, comments: Mapping[int, TicketComment]) -> str:
    """services.ticket_record_sync writes the link as "conversation_id=1001" (Help Scout)
    or "channel_id=C1, message_ts=..., thread_id=..." (Slack)."""
    links = dict(part.split("=", 1) for part in (event.new_value or "").split(", ") if "=" in part)
    if event.field == "helpscout":
        if links.get("sync_status") == "deleted":
            return "The Help Scout conversation was deleted"
        if links.get("conversation_id"):
            return f"Linked to Help Scout conversation {links['conversation_id']}"
        return "Synced with Help Scout"
    if event.field == "slack":
        if links.get("is_archived") == "True":
            return "The Slack thread was archived"
        if links.get("message_ts"):
            return "Posted to the Slack support channel"
        return "Synced with Slack"
    return f"Synced with {event.field or 'an integration'}"


SENTENCES: dict[str, Callable[[TicketEvent, str, Mapping[int, TicketComment]], str]] = {
    TicketAction.CREATED: _created,
    TicketAction.STATUS_CHANGED: _choice_change("status", TicketStatus),
    TicketAction.ASSIGNED: _assigned,
    TicketAction.PRIORITY_CHANGED: _choice_change("priority", TicketPriority),
    TicketAction.CATEGORY_CHANGED: _choice_change("category", TicketCategory),
    TicketAction.TAGS_CHANGED: _tags,
    TicketAction.COMMENTED: _commented,
    TicketAction.UPDATED: _updated,
    TicketAction.SYNCED: _synced,
}
