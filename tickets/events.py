"""Domain events: the one place a committed ticket change leaves the transaction.

Services call `publish` inside their transaction; the event is built then (so it shows the
state the change wrote) and recorded in the integrations' outbox, and it is sent only
after commit, beside the response (tickets.after_commit): to the realtime broadcaster and,
through the outbox, to Slack and Help Scout. A failing receiver is logged and never fails
or slows the change.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import transaction

from integrations import outbox
from realtime.broadcast import broadcast

from .after_commit import run_after_commit
from .models import SupportTicket, TicketComment

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DomainEvent:
    name: str
    ticket_id: int
    source: str
    data: dict[str, Any]


def ticket_payload(ticket: SupportTicket) -> dict[str, Any]:
    from .api.serializers import TicketSerializer

    return dict(TicketSerializer(ticket).data)


def comment_payload(comment: TicketComment) -> dict[str, Any]:
    from .api.serializers import CommentSerializer

    return dict(CommentSerializer(comment).data)


def publish(name: str, ticket: SupportTicket, data: dict[str, Any], *, source: str) -> None:
    representation = ticket_payload(ticket)
    if name == "new-ticket":
        payload = representation
    else:
        payload = {"id": ticket.pk, "ticketNumber": ticket.ticket_number, **data, "ticket": representation}
    if name == "ticket-overdue":
        payload["sla"] = representation["sla"]
    event = DomainEvent(name=name, ticket_id=ticket.pk, source=source, data=payload)
    # The integrations' share is written now, in the change's transaction (the outbox), so
    # it cannot be lost; it and the dashboards' broadcast go out once the change commits.
    kick = outbox.enqueue(event)
    transaction.on_commit(lambda: run_after_commit(partial(_deliver, event, kick)), robust=True)


async def _deliver(event: DomainEvent, kick: Callable[[], None]) -> None:
    await broadcast(event.name, event.data)
    kick()
