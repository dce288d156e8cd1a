"""The Slack provider of the outbox (see integrations/outbox.py): each ticket has one root
message in the support channel showing its current state, and a thread of what happened.

The root message is drawn from the ticket as it is now, so a late or repeated delivery
never shows a stale state; thread lines come from the event. A ticket whose root message
was never posted (Slack configured after it was created) gets it with its next event.
"""

from typing import Any

from django.conf import settings
from django.utils import timezone
from slack_sdk import WebClient

from integrations.models import OutboxMessage
from tickets import services
from tickets.actors import Actor
from tickets.models import ChangeSource, SupportTicket, TicketStatus

from . import blocks, users
from .client import CALL_ERRORS, delivery_error, web_client

SOURCE = ChangeSource.SLACK
EVENTS = frozenset(
    {
        "new-ticket",
        "ticket-status-updated",
        "ticket-assigned",
        "ticket-updated",
        "ticket-comment-added",
        "ticket-overdue",
        "ticket-linked",  # a Help Scout conversation now linked: the root message only
    }
)
# Made in Slack yet shown there too: a button's result and /create-ticket's new ticket. A
# thread reply (ticket-comment-added) is not, or it would be posted into its own thread.
OWN_EVENTS = frozenset({"new-ticket", "ticket-status-updated", "ticket-assigned"})
SLACK_ACTOR = Actor(name="Slack", source=ChangeSource.SLACK)


def deliver(message: OutboxMessage) -> None:
    ticket = SupportTicket.objects.get(pk=message.ticket_id)
    client = web_client()
    try:
        _deliver(client, ticket, message.event, message.payload)
    except CALL_ERRORS as error:
        raise delivery_error(error) from error


def _deliver(client: WebClient, ticket: SupportTicket, event: str, payload: dict[str, Any]) -> None:
    if not ticket.slack_message_ts:
        ticket = _post_root(client, ticket)
    elif event != "new-ticket":
        _update_root(client, ticket)
    line = _thread_line(client, ticket, event, payload)
    if line:
        client.chat_postMessage(
            channel=ticket.slack_channel_id, thread_ts=ticket.slack_thread_id, text=line, unfurl_links=False
        )
    _record(ticket)


def _post_root(client: WebClient, ticket: SupportTicket) -> SupportTicket:
    root = blocks.root_message(ticket, now=timezone.now())
    response = client.chat_postMessage(
        channel=settings.SLACK_SUPPORT_CHANNEL_ID, text=root.text, blocks=root.blocks, unfurl_links=False
    )
    # Stored before any further call, so a retry updates this message instead of posting another.
    return services.ticket_record_sync(
        ticket_id=ticket.pk,
        actor=SLACK_ACTOR,
        slack_channel_id=str(response["channel"]),
        slack_message_ts=str(response["ts"]),
        slack_thread_id=str(response["ts"]),
        slack_last_sync_at=timezone.now(),
        slack_is_archived=ticket.status == TicketStatus.CLOSED,
    )


def _update_root(client: WebClient, ticket: SupportTicket) -> None:
    root = blocks.root_message(ticket, now=timezone.now())
    client.chat_update(channel=ticket.slack_channel_id, ts=ticket.slack_message_ts, text=root.text, blocks=root.blocks)


def _thread_line(client: WebClient, ticket: SupportTicket, event: str, payload: dict[str, Any]) -> str:
    if event == "ticket-status-updated":
        return blocks.status_line(payload["status"], payload.get("previousStatus"))
    if event == "ticket-assigned":
        return blocks.assignee_line(payload.get("assignedTo"), payload.get("previousAssignedTo"))
    if event == "ticket-updated" and "priority" in payload.get("changes", {}):
        return blocks.priority_line(payload["changes"]["priority"])
    if event == "ticket-comment-added":
        comment = payload["comment"]
        return blocks.comment_line(author=comment["author"], body=comment["comment"], is_internal=comment["isInternal"])
    if event == "ticket-overdue":
        assignee = ticket.assigned_to
        mention = users.slack_user_id(assignee, client)
        return blocks.overdue_line(breaches=payload.get("breaches", []), assigned_to=assignee, mention=mention)
    return ""  # a new ticket, or a change the root message shows by itself (category, tags)


def _record(ticket: SupportTicket) -> None:
    services.ticket_record_sync(
        ticket_id=ticket.pk,
        actor=SLACK_ACTOR,
        slack_last_sync_at=timezone.now(),
        slack_is_archived=ticket.status == TicketStatus.CLOSED,
    )
