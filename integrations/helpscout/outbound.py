"""Tickets to Help Scout: the outbox provider (see integrations.outbox).

A ticket made elsewhere becomes a conversation in our mailbox, public comments become
replies to the customer, internal ones notes, status changes the conversation's status,
and an assignment to an agent who is a Help Scout user (Agent.helpscout_user_id) its
assignee. Each call runs with the conversation's row locked, and the threads we create are
recorded, so their webhooks coming back are not imported a second time.
"""

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Q
from django.utils import timezone
from django.utils.html import escape

from integrations.attempts import Attempt, record_locally
from integrations.models import HelpScoutConversation, OutboxMessage
from tickets import services
from tickets.events import (
    TicketAssigned,
    TicketChanged,
    TicketCommentAdded,
    TicketCreated,
    TicketStatusChanged,
    decode,
)
from tickets.models import Agent, ChangeSource, HelpScoutSyncStatus, SupportTicket

from . import linked, links, markers
from .attachments import outgoing
from .client import HelpScoutClient, HelpScoutError
from .inbound import HELPSCOUT
from .mapping import status_to_helpscout
from .payloads import PayloadError, parse_conversation

logger = logging.getLogger(__name__)

SOURCE = ChangeSource.HELPSCOUT
EVENTS = frozenset({TicketCreated.name, TicketStatusChanged.name, TicketCommentAdded.name, TicketAssigned.name})


def deliver(message: OutboxMessage, attempt: Attempt) -> Callable[[], object] | None:
    ticket = attempt.batch.ticket(message.ticket_id)
    client = HelpScoutClient.from_settings()
    # Making the conversation records the sync with the link (_create_conversation).
    linked_before = ticket.helpscout_conversation_id or "conversation" in message.progress
    event = decode(message.event, message.payload)
    makes_conversation = isinstance(event, TicketCreated) and not linked_before
    try:
        synced = HANDLERS[message.event](client, ticket, message, event, attempt)
    except HelpScoutError as error:
        if not error.deferred:
            try:
                record_locally(lambda: _record(ticket, HelpScoutSyncStatus.ERROR))
            except DatabaseError:  # the outbox records the failure; keep its reason
                logger.warning("Could not mark ticket %s's Help Scout sync as failed", ticket.pk, exc_info=True)
        raise
    if not synced or makes_conversation or attempt.followed:  # the next message stamps the sync
        return None
    return lambda: _record(ticket, HelpScoutSyncStatus.SYNCED)


def _create_conversation(
    client: HelpScoutClient, ticket: SupportTicket, message: OutboxMessage, event: TicketChanged, attempt: Attempt
) -> bool:
    if ticket.helpscout_conversation_id:
        return True  # made by an earlier attempt, or linked from its webhook already
    mailbox = str(settings.HELPSCOUT_MAILBOX_ID)
    if not mailbox.isdigit():
        raise HelpScoutError(f"HELPSCOUT_MAILBOX_ID must be a number, not {mailbox!r}.", maybe_sent=False)
    made = event.ticket  # as it was created: later changes follow as their own messages
    email = made.customer_email
    first, _, last = made.customer_name.strip().partition(" ")
    customer = {"email": email, **({"firstName": first} if first else {}), **({"lastName": last} if last else {})}
    status = status_to_helpscout(made.status)
    assignee = _helpscout_assignee(made.assignee_id, made.assigned_to)
    user_id, _ = assignee or ("", "")
    # The ticket-number tag lets the webhook side recognise the conversation as this
    # ticket's, and a retry find it.
    tag = made.ticket_number.lower()
    body = {
        "subject": made.subject,
        "mailboxId": int(mailbox),
        "type": "email",
        "status": status,
        "customer": customer,
        "threads": [
            {
                "type": "customer",
                "customer": {"email": email},
                "text": _html(made.description),
                **({"attachments": files} if (files := outgoing(ticket_id=ticket.pk)) else {}),
            }
        ],
        "tags": [tag],
        # Without it Help Scout's inbox rules choose; an assignee it does not know is left to them.
        **({"assignTo": int(user_id)} if user_id else {}),
    }

    def record(conversation_id: str) -> None:
        links.tie_new_conversation(
            conversation_id, ticket_id=ticket.pk, status=status, assignee=assignee if user_id else None
        )
        services.ticket_record_sync(
            ticket_id=ticket.pk,
            actor=HELPSCOUT,
            helpscout_conversation_id=conversation_id,
            helpscout_sync_status=HelpScoutSyncStatus.SYNCED,
            helpscout_last_sync_at=timezone.now(),
        )
        linked.announce(ticket.pk, conversation_id)  # Slack's root message gets its Help Scout button

    attempt.once(
        "conversation",
        send=lambda: client.create_conversation(body),
        find=lambda: client.find_tagged_conversation(mailbox, tag, created_since=message.created_at),
        record=record,
    )
    return True


def _add_thread(
    client: HelpScoutClient, ticket: SupportTicket, message: OutboxMessage, event: TicketChanged, attempt: Attempt
) -> bool:
    assert isinstance(event, TicketCommentAdded)
    link = record_locally(lambda: links.link_for_ticket(ticket))
    if link is None or link.deleted:
        return False  # no conversation (made before Help Scout was set up) or deleted there
    comment = event.comment
    status = status_to_helpscout(event.ticket.status)
    conversation_id = link.conversation_id
    files = outgoing(comment_id=comment.id)
    # Without an explicit status, a new thread would reopen a closed conversation.
    if comment.is_internal:
        text = f"<b>{escape(comment.author)}</b> (FractionaX):<br>{_html(comment.body)}"
        body: dict[str, Any] = {"text": text + markers.mark(message.pk), "status": status}
        body |= {"attachments": files} if files else {}
        send = lambda: client.create_note(conversation_id, body)  # noqa: E731
    else:
        customer_id = link.customer_id or _customer_id(client, conversation_id)
        if not link.customer_id:
            record_locally(lambda: HelpScoutConversation.objects.filter(pk=link.pk).update(customer_id=customer_id))
        text = _html(comment.body) + markers.mark(message.pk)
        body = {"text": text, "customer": {"id": int(customer_id)}, "status": status}
        body |= {"attachments": files} if files else {}
        send = lambda: client.create_reply(conversation_id, body)  # noqa: E731

    def record(thread_id: str) -> None:
        links.record_own_thread(thread_id)
        HelpScoutConversation.objects.filter(pk=link.pk).update(status=status)

    attempt.once("thread", send=send, find=lambda: _find_thread(client, conversation_id, message.pk), record=record)
    return True


def _find_thread(client: HelpScoutClient, conversation_id: str, outbox_message_id: int) -> str | None:
    """The thread this outbox message created, if an earlier attempt did."""
    try:
        threads = parse_conversation(client.get_conversation(conversation_id)).threads
    except PayloadError as error:
        raise HelpScoutError(f"Help Scout conversation {conversation_id} unreadable: {error}") from error
    if threads is None:  # not all of them: no proof that ours is missing
        raise HelpScoutError(f"Help Scout sent conversation {conversation_id} without all its threads.")
    return next((thread.id for thread in threads if thread.outbox_message_id == outbox_message_id), None)


def _update_status(
    client: HelpScoutClient, ticket: SupportTicket, message: OutboxMessage, event: TicketChanged, attempt: Attempt
) -> bool:
    assert isinstance(event, TicketStatusChanged)
    link = record_locally(lambda: links.link_for_ticket(ticket))
    if link is None or link.deleted:
        return False
    status = status_to_helpscout(event.status)
    if link.status == status and not message.attempts:
        return True  # e.g. open -> in_progress: both `active`
    # Recorded first, so the webhook of our own change finds nothing new to apply back.
    record_locally(lambda: HelpScoutConversation.objects.filter(pk=link.pk).update(status=status))
    try:
        client.update_status(link.conversation_id, status)  # the same PATCH twice does no harm
    except HelpScoutError:
        previous = link.status  # the change did not happen: Help Scout's status is as it was
        record_locally(lambda: HelpScoutConversation.objects.filter(pk=link.pk).update(status=previous))
        raise
    _note_modified(client, link)
    return True


def _update_assignee(
    client: HelpScoutClient, ticket: SupportTicket, message: OutboxMessage, event: TicketChanged, attempt: Attempt
) -> bool:
    """The conversation's assignee follows the ticket's agent when Help Scout knows them,
    and unassigning here unassigns there. An assignee Help Scout does not know (a name,
    an agent without a Help Scout user id) is not sent: the conversation keeps its own."""
    assert isinstance(event, TicketAssigned)
    wanted = _helpscout_assignee(event.ticket.assignee_id, event.assigned_to or "")
    if wanted is None:
        return False
    link = record_locally(lambda: links.link_for_ticket(ticket))
    if link is None or link.deleted:
        return False
    user_id, name = wanted
    if not links.assignee_moved(link, user_id=user_id, name=name) and not message.attempts:
        return True  # Help Scout has them already (assigned there, or when we created it)
    previous = (link.assignee_user_id, link.assignee)
    # Recorded first, so the webhook of our own change finds nothing new to apply back.
    record_locally(lambda: links.record_assignee(link.pk, user_id=user_id, name=name))
    try:
        client.update_assignee(link.conversation_id, user_id)  # the same PATCH twice does no harm
    except HelpScoutError:
        record_locally(lambda: links.record_assignee(link.pk, user_id=previous[0], name=previous[1]))
        raise
    _note_modified(client, link)
    return True


def _helpscout_assignee(agent_id: int | None, assigned_to: str) -> tuple[str, str] | None:
    """(Help Scout user id, name) to assign, ("", "") to unassign; None for an assignee
    Help Scout does not know."""
    if not assigned_to:
        return "", ""
    agent = Agent.objects.filter(pk=agent_id).first() if agent_id is not None else None
    user_id = agent.helpscout_user_id if agent is not None else ""
    return (user_id, assigned_to) if user_id.isdigit() else None


def _note_modified(client: HelpScoutClient, link: HelpScoutConversation) -> None:
    """Help Scout's time for our change: a webhook older than it is stale (see inbound)."""
    try:
        modified_at = parse_conversation(client.get_conversation(link.conversation_id)).modified_at
    except PayloadError as error:
        logger.warning("Help Scout conversation %s unreadable after update: %s", link.conversation_id, error)
        return
    if modified_at is not None:
        newer = Q(modified_at__isnull=True) | Q(modified_at__lt=modified_at)
        record_locally(lambda: HelpScoutConversation.objects.filter(newer, pk=link.pk).update(modified_at=modified_at))


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


def _record(ticket: SupportTicket, sync_status: str) -> None:
    fields: dict[str, Any] = {}
    if sync_status == HelpScoutSyncStatus.SYNCED:
        fields["helpscout_last_sync_at"] = timezone.now()
    if ticket.helpscout_sync_status != sync_status:  # otherwise a stamp: one UPDATE, no lock
        fields["helpscout_sync_status"] = sync_status
    if fields:
        services.ticket_record_sync(ticket_id=ticket.pk, actor=HELPSCOUT, **fields)


Handler = Callable[[HelpScoutClient, SupportTicket, OutboxMessage, TicketChanged, Attempt], bool]
HANDLERS: dict[str, Handler] = {
    TicketCreated.name: _create_conversation,
    TicketCommentAdded.name: _add_thread,
    TicketStatusChanged.name: _update_status,
    TicketAssigned.name: _update_assignee,
}
