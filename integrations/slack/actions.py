"""What people do to tickets from Slack: each is a service call made as the Slack user
(source slack).

A thread reply is never sent back to Slack; a button's or /create-ticket's result is (see
OWN_EVENTS in outbound.py), so the ticket's Slack message shows it like any other change.
"""

from django.db import transaction

from integrations.models import InboundDelivery, IntegrationName
from tickets import services
from tickets.actors import Actor
from tickets.models import ChangeSource, SupportTicket, TicketComment, TicketSource

from .ticket_input import NewTicket


def slack_actor(name: str) -> Actor:
    return Actor(name=name, source=ChangeSource.SLACK)


def ticket_create_from_slack(*, data: NewTicket, author: str) -> SupportTicket:
    return services.ticket_create(
        subject=data.subject,
        description=data.description,
        customer_email=data.customer_email,
        priority=data.priority,
        source=TicketSource.SLACK,
        actor=slack_actor(author),
    )


@transaction.atomic
def ticket_create_from_form(*, view_id: str, data: NewTicket, author: str) -> SupportTicket | None:
    """The create-ticket form's submission. A second click on Create while the first is
    slow sends the same view again: that creates nothing and returns None."""
    if not _first_delivery(f"view_submission:{view_id}"):
        return None
    return ticket_create_from_slack(data=data, author=author)


def ticket_status_from_slack(*, ticket_id: int, status: str, author: str) -> SupportTicket:
    return services.ticket_change_status(ticket_id=ticket_id, status=status, actor=slack_actor(author))


def ticket_assign_from_slack(*, ticket_id: int, author: str) -> SupportTicket:
    """Assigns the ticket to the clicking Slack user's display name."""
    return services.ticket_assign(ticket_id=ticket_id, assigned_to=author, actor=slack_actor(author))


@transaction.atomic
def thread_reply_record(
    *, event_id: str, ticket_id: int, body: str, author: str, message_ts: str
) -> TicketComment | None:
    """A person's reply in the ticket's thread, as an internal comment (the support channel
    is internal). Slack's redelivery of an event already recorded returns None."""
    if not _first_delivery(event_id):
        return None
    return services.comment_add(
        ticket_id=ticket_id,
        body=body,
        is_internal=True,
        author=author,
        actor=slack_actor(author),
        external_id=message_ts,
    )


def _first_delivery(key: str) -> bool:
    """Records the delivery in the caller's transaction: if the change fails, so does this,
    and Slack's retry is handled anew."""
    _, created = InboundDelivery.objects.get_or_create(integration=IntegrationName.SLACK, key=key[:200])
    return created
