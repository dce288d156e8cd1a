"""Once a ticket's Help Scout conversation is known, Slack shows it (the root message's
**Help Scout** button) without waiting for the ticket's next change.

Recording the link publishes no domain event (ticket_record_sync: the ticket itself did
not change), so the side that records it asks the outbox for the refresh, in the same
transaction: `ticket-linked`, which only Slack's provider takes, and which redraws the
root message and adds nothing to the thread.
"""

from django.db import transaction

from integrations import outbox
from tickets.after_commit import run_after_commit
from tickets.events import DomainEvent
from tickets.models import ChangeSource

TICKET_LINKED = "ticket-linked"


def announce(ticket_id: int, conversation_id: str) -> None:
    """Call in the transaction that records the link: the outbox rows commit with it."""
    event = DomainEvent(
        name=TICKET_LINKED,
        ticket_id=ticket_id,
        source=ChangeSource.HELPSCOUT,
        data={"id": ticket_id, "helpscoutConversationId": conversation_id},
    )
    kick = outbox.enqueue(event)

    async def deliver() -> None:
        kick()

    transaction.on_commit(lambda: run_after_commit(deliver), robust=True)
