"""The Slack provider of the outbox (see integrations/outbox.py): each ticket has one root
message in the support channel showing its current state, and a thread of what happened.

The root message is drawn from the ticket as it is now, so a late or repeated delivery
never shows a stale state; thread lines come from the event. A ticket whose root message
was never posted (Slack configured after it was created) gets it with its next event.
Both kinds of post carry message metadata naming what they are, so that after an attempt
whose outcome is unknown they are looked up in Slack rather than posted twice.
"""

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from slack_sdk import WebClient

from integrations import outbox
from integrations.attempts import Attempt
from integrations.errors import DeliveryError
from integrations.helpscout import linked
from integrations.installation import installation_id
from integrations.models import OutboxMessage
from tickets import services
from tickets.actors import Actor
from tickets.events import (
    TicketAssigned,
    TicketChanged,
    TicketCommentAdded,
    TicketCreated,
    TicketOverdue,
    TicketSlaWarning,
    TicketStatusChanged,
    TicketUpdated,
)
from tickets.models import ChangeSource, SupportTicket, TicketStatus

from . import blocks, threads, users
from .client import CALL_ERRORS, delivery_error, web_client

SOURCE = ChangeSource.SLACK
EVENTS = frozenset(
    {
        TicketCreated.name,
        TicketStatusChanged.name,
        TicketAssigned.name,
        TicketUpdated.name,
        TicketCommentAdded.name,
        TicketOverdue.name,
        TicketSlaWarning.name,
        linked.TICKET_LINKED,  # a Help Scout conversation now linked: the root message only
    }
)
# Made in Slack yet shown there too: a button's result and /create-ticket's new ticket. A
# thread reply (ticket-comment-added) is not, or it would be posted into its own thread.
OWN_EVENTS = frozenset({TicketCreated.name, TicketStatusChanged.name, TicketAssigned.name})
SLACK_ACTOR = Actor(name="Slack", source=ChangeSource.SLACK)


# Message metadata marks what we post, so that after an attempt whose outcome is unknown
# the message can be found in Slack instead of being posted again (integrations/attempts.py).
ROOT_EVENT_TYPE = "fractionax_ticket"
LINE_EVENT_TYPE = "fractionax_ticket_update"
LOOKBACK_MARGIN = timedelta(minutes=5)  # for clocks apart between Slack and us
MAX_LOOKUP_PAGES = 10


def deliver(message: OutboxMessage, attempt: Attempt) -> Callable[[], object] | None:
    ticket = attempt.batch.ticket(message.ticket_id)
    client = web_client()
    # Posting the root message records the sync with the link (_post_root).
    posts_root = not ticket.slack_message_ts and "root_message" not in message.progress
    try:
        ticket = _deliver(client, ticket, message, attempt)
    except CALL_ERRORS as error:
        raise delivery_error(error) from error
    return None if posts_root or attempt.followed else lambda: _record(ticket)


def _deliver(client: WebClient, ticket: SupportTicket, message: OutboxMessage, attempt: Attempt) -> SupportTicket:
    if not ticket.slack_message_ts:
        ticket = _post_root(client, ticket, attempt)
    elif message.event != TicketCreated.name and not attempt.followed:
        # The root shows the ticket as it is now: one redraw for a ticket's messages in a
        # task, by the last (chat.update is one of Slack's Tier 3 methods, ~50 a minute).
        _update_root(client, ticket)
    line = _thread_line(client, ticket, outbox.event_of(message))
    if line:
        metadata = _metadata(LINE_EVENT_TYPE, outbox_message_id=message.pk)
        attempt.once(
            "thread_line",
            send=lambda: str(
                client.chat_postMessage(
                    channel=ticket.slack_channel_id,
                    thread_ts=ticket.slack_thread_id,
                    text=line,
                    unfurl_links=False,
                    metadata=metadata,
                )["ts"]
            ),
            find=lambda: _find_line(client, ticket, message),
        )
    return ticket


def _post_root(client: WebClient, ticket: SupportTicket, attempt: Attempt) -> SupportTicket:
    drawn: dict[str, str | None] = {}  # the conversation the root shows; unknown when found

    def send() -> str:
        drawn["conversation"] = ticket.helpscout_conversation_id
        root = blocks.root_message(ticket, now=timezone.now())
        metadata = _metadata(ROOT_EVENT_TYPE, ticket_id=ticket.pk)
        response = client.chat_postMessage(
            channel=settings.SLACK_SUPPORT_CHANNEL_ID,
            text=root.text,
            blocks=root.blocks,
            unfurl_links=False,
            metadata=metadata,
        )
        return f"{response['channel']}/{response['ts']}"

    def record(key: str) -> None:
        fields = _root_fields(key)
        services.ticket_record_sync(ticket_id=ticket.pk, actor=SLACK_ACTOR, **fields, **_sync_fields(ticket))
        threads.record_thread(ticket.pk, channel_id=fields["slack_channel_id"], thread_ts=fields["slack_thread_id"])
        # Drawn before the ticket's Help Scout conversation was known: redrawn with it.
        linked.refresh_if_drawn_without(ticket.pk, drawn.get("conversation"))

    key = attempt.once("root_message", send=send, find=lambda: _find_root(client, ticket, attempt), record=record)
    for name, value in _root_fields(key).items():  # as recorded: no need to read the ticket again
        setattr(ticket, name, value)
    return ticket


def _root_fields(key: str) -> dict[str, str]:
    """The ticket's Slack link from a root message's "channel/ts"."""
    channel, ts = key.split("/", 1)
    return {"slack_channel_id": channel, "slack_message_ts": ts, "slack_thread_id": ts}


def _find_root(client: WebClient, ticket: SupportTicket, attempt: Attempt) -> str | None:
    """The ticket's root message in the channel, if an earlier attempt posted it."""
    channel = settings.SLACK_SUPPORT_CHANNEL_ID
    oldest = _lookback(attempt.message)
    for message in _pages(client.conversations_history, channel=channel, oldest=oldest):
        if _marked(message, ROOT_EVENT_TYPE, "ticket_id", ticket.pk):
            return f"{channel}/{message['ts']}"
    return None


def _find_line(client: WebClient, ticket: SupportTicket, outbox_message: OutboxMessage) -> str | None:
    """This message's line in the ticket's thread, if an earlier attempt posted it."""
    replies = _pages(
        client.conversations_replies,
        channel=ticket.slack_channel_id,
        ts=ticket.slack_thread_id,
        oldest=_lookback(outbox_message),
    )
    for message in replies:
        if _marked(message, LINE_EVENT_TYPE, "outbox_message_id", outbox_message.pk):
            return str(message["ts"])
    return None


def _lookback(message: OutboxMessage) -> str:
    since = (message.sending_since or message.created_at) - LOOKBACK_MARGIN
    return f"{since.timestamp():.6f}"


def _pages(method: Callable[..., Any], **arguments: Any) -> Iterator[dict[str, Any]]:
    """The messages a lookup lists, page by page; one that cannot be read to its end is no
    proof that a message is missing, so it fails (and is retried) rather than answer no."""
    cursor = None
    for _ in range(MAX_LOOKUP_PAGES):
        response = method(**arguments, include_all_metadata=True, limit=200, cursor=cursor)
        yield from response.get("messages") or []
        cursor = (response.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return
    raise DeliveryError(f"Slack lookup of an earlier attempt's message ran past {MAX_LOOKUP_PAGES} pages.")


def _metadata(event_type: str, **payload: int) -> dict[str, Any]:
    return {"event_type": event_type, "event_payload": {"installation": installation_id(), **payload}}


def _marked(message: dict[str, Any], event_type: str, key: str, value: int) -> bool:
    metadata = message.get("metadata") or {}
    payload = metadata.get("event_payload") or {}
    return (
        metadata.get("event_type") == event_type
        and payload.get("installation") == installation_id()
        and str(payload.get(key)) == str(value)
    )


def _update_root(client: WebClient, ticket: SupportTicket) -> None:
    root = blocks.root_message(ticket, now=timezone.now())
    client.chat_update(channel=ticket.slack_channel_id, ts=ticket.slack_message_ts, text=root.text, blocks=root.blocks)


def _thread_line(client: WebClient, ticket: SupportTicket, event: TicketChanged | None) -> str:
    match event:
        case TicketStatusChanged():
            return blocks.status_line(event.status, event.previous_status)
        case TicketAssigned():
            return blocks.assignee_line(event.assigned_to, event.previous_assigned_to)
        case TicketUpdated() if "priority" in event.changes:
            return blocks.priority_line(event.changes["priority"])
        case TicketCommentAdded():
            comment = event.comment
            return blocks.comment_line(author=comment.author, body=comment.body, is_internal=comment.is_internal)
        case TicketOverdue():
            assignee = ticket.assigned_to
            mention = users.slack_user_id(assignee, client)
            return blocks.overdue_line(breaches=event.breaches, assigned_to=assignee, mention=mention)
        case TicketSlaWarning():
            warned = event.ticket  # the deadlines as they were when warned
            deadlines = {"response": warned.response_deadline, "resolution": warned.resolution_deadline}
            return blocks.warning_line(
                deadlines={target: deadlines.get(target) for target in event.targets},
                now=timezone.now(),
                assigned_to=ticket.assigned_to,
                mention=_assignee_mention(client, ticket),
            )
    return ""  # a new ticket, a link, or a change the root message shows by itself (category, tags)


def _assignee_mention(client: WebClient, ticket: SupportTicket) -> str | None:
    """The assignee's Slack user: their agent's own, else the one with their e-mail."""
    agent = ticket.assignee
    if agent is not None and agent.slack_user_id:
        return agent.slack_user_id
    return users.slack_user_id(ticket.assigned_to, client)


def _record(ticket: SupportTicket) -> None:
    services.ticket_record_sync(ticket_id=ticket.pk, actor=SLACK_ACTOR, **_sync_fields(ticket))


def _sync_fields(ticket: SupportTicket) -> dict[str, Any]:
    """The sync's stamp, and the archived flag when the ticket's status moved it."""
    fields: dict[str, Any] = {"slack_last_sync_at": timezone.now()}
    archived = ticket.status == TicketStatus.CLOSED
    if ticket.slack_is_archived != archived:
        fields["slack_is_archived"] = archived
    return fields
