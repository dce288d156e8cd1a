"""Tickets to Help Scout: the outbox provider (see integrations.outbox).

A ticket made elsewhere becomes a conversation in our mailbox, public comments become
replies to the customer, internal ones notes, and status changes the conversation's
status. Each call runs with the conversation's row locked, and the threads we create are
recorded, so their webhooks coming back are not imported a second time.
"""

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape

from integrations.models import OutboxMessage
from tickets import services
from tickets.models import ChangeSource, HelpScoutSyncStatus, SupportTicket

from . import linked, links
from .client import HelpScoutClient, HelpScoutError
from .inbound import HELPSCOUT
from .mapping import status_to_helpscout
from .payloads import PayloadError, parse_conversation

logger = logging.getLogger(__name__)

SOURCE = ChangeSource.HELPSCOUT
EVENTS = frozenset({"new-ticket", "ticket-status-updated", "ticket-comment-added"})


def deliver(message: OutboxMessage) -> None:
    ticket = SupportTicket.objects.get(pk=message.ticket_id)
    client = HelpScoutClient.from_settings()
    try:
        synced = HANDLERS[message.event](client, ticket, message.payload)
    except HelpScoutError:
        _record(ticket.pk, HelpScoutSyncStatus.ERROR)
        raise
    if synced:
        _record(ticket.pk, HelpScoutSyncStatus.SYNCED)


def _create_conversation(client: HelpScoutClient, ticket: SupportTicket, payload: dict[str, Any]) -> bool:
    if ticket.helpscout_conversation_id:
        return True  # made by an earlier attempt, or linked from its webhook already
    mailbox = str(settings.HELPSCOUT_MAILBOX_ID)
    if not mailbox.isdigit():
        raise HelpScoutError(f"HELPSCOUT_MAILBOX_ID must be a number, not {mailbox!r}.")
    email = payload["customerEmail"]
    first, _, last = payload["customerName"].strip().partition(" ")
    customer = {"email": email, **({"firstName": first} if first else {}), **({"lastName": last} if last else {})}
    status = status_to_helpscout(payload["status"])
    conversation_id = client.create_conversation(
        {
            "subject": payload["subject"],
            "mailboxId": int(mailbox),
            "type": "email",
            "status": status,
            "customer": customer,
            "threads": [{"type": "customer", "customer": {"email": email}, "text": _html(payload["description"])}],
            # Lets the webhook side recognise the conversation as this ticket's.
            "tags": [payload["ticketNumber"].lower()],
        }
    )
    with transaction.atomic():
        link = links.lock_conversation(conversation_id)
        link.ticket = link.ticket or ticket
        link.status = status
        link.save(update_fields=["ticket", "status"])
        services.ticket_record_sync(ticket_id=ticket.pk, actor=HELPSCOUT, helpscout_conversation_id=conversation_id)
        linked.announce(ticket.pk, conversation_id)  # Slack's root message gets its Help Scout button
    return True


@transaction.atomic
def _add_thread(client: HelpScoutClient, ticket: SupportTicket, payload: dict[str, Any]) -> bool:
    link = links.lock_for_ticket(ticket)
    if link is None or link.deleted:
        return False  # no conversation (made before Help Scout was set up) or deleted there
    comment = payload["comment"]
    status = status_to_helpscout(payload["ticket"]["status"])
    # Without an explicit status, a new thread would reopen a closed conversation.
    if comment["isInternal"]:
        text = f"<b>{escape(comment['author'])}</b> (FractionaX):<br>{_html(comment['comment'])}"
        thread_id = client.create_note(link.conversation_id, {"text": text, "status": status})
    else:
        if not link.customer_id:
            link.customer_id = _customer_id(client, link.conversation_id)
        body = {"text": _html(comment["comment"]), "customer": {"id": int(link.customer_id)}, "status": status}
        thread_id = client.create_reply(link.conversation_id, body)
    links.record_own_thread(thread_id)
    link.status = status
    link.save(update_fields=["customer_id", "status"])
    return True


@transaction.atomic
def _update_status(client: HelpScoutClient, ticket: SupportTicket, payload: dict[str, Any]) -> bool:
    link = links.lock_for_ticket(ticket)
    if link is None or link.deleted:
        return False
    status = status_to_helpscout(payload["status"])
    if link.status == status:
        return True  # e.g. open -> in_progress: both `active`
    client.update_status(link.conversation_id, status)
    link.status = status
    # Help Scout's time for our change: a webhook older than it is stale (see inbound).
    try:
        modified_at = parse_conversation(client.get_conversation(link.conversation_id)).modified_at
    except PayloadError as error:
        logger.warning("Help Scout conversation %s unreadable after update: %s", link.conversation_id, error)
        modified_at = None
    if modified_at is not None and (link.modified_at is None or modified_at > link.modified_at):
        link.modified_at = modified_at
    link.save(update_fields=["status", "modified_at"])
    return True


def _customer_id(client: HelpScoutClient, conversation_id: str) -> str:
    try:
        customer = parse_conversation(client.get_conversation(conversation_id)).customer
    except PayloadError as error:
        raise HelpScoutError(f"Help Scout conversation {conversation_id} unreadable: {error}") from error
    if customer is None or not customer.id:
        raise HelpScoutError(f"Help Scout conversation {conversation_id} has no customer.", permanent=True)
    return customer.id


def _html(text: str) -> str:
    """Thread text is HTML: our plain text, escaped, with its line breaks kept."""
    return escape(text.replace("\r\n", "\n")).replace("\n", "<br>")


def _record(ticket_id: int, sync_status: str) -> None:
    fields: dict[str, Any] = {"helpscout_sync_status": sync_status}
    if sync_status == HelpScoutSyncStatus.SYNCED:
        fields["helpscout_last_sync_at"] = timezone.now()
    services.ticket_record_sync(ticket_id=ticket_id, actor=HELPSCOUT, **fields)


Handler = Callable[[HelpScoutClient, SupportTicket, dict[str, Any]], bool]
HANDLERS: dict[str, Handler] = {
    "new-ticket": _create_conversation,
    "ticket-comment-added": _add_thread,
    "ticket-status-updated": _update_status,
}
