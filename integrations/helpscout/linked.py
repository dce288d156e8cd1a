"""Once a ticket's Help Scout conversation is known, Slack shows it (the root message's
**Help Scout** button) without waiting for the ticket's next change.

Recording the link publishes no domain event (ticket_record_sync: the ticket itself did
not change), so the side that records it asks the outbox for the refresh, in the same
transaction: `ticket-linked`, which only Slack's provider takes, and which redraws the
root message and adds nothing to the thread.

Only a root message drawn without the link needs it. The side that records the link asks
for it when the root message is already posted; the Slack side, recording a root message
drawn before the link was known, asks for it then. Each reads the other's record under the
ticket's row lock, so whichever of the two commits second sees the first: the refresh is
asked for once when needed, and a new ticket whose conversation is made before its root
message is posted (the common case) costs no second Slack delivery.
"""

from integrations import outbox
from integrations.models import IntegrationName
from tickets.models import SupportTicket

TICKET_LINKED = "ticket-linked"


def announce(ticket_id: int, conversation_id: str) -> None:
    """Call in the transaction that records the link, after it."""
    if _locked(ticket_id, "slack_message_ts"):
        _refresh(ticket_id, conversation_id)


def refresh_if_drawn_without(ticket_id: int, drawn_conversation_id: str | None) -> None:
    """Call in the transaction that records a root message drawn with `drawn_conversation_id`."""
    conversation_id = _locked(ticket_id, "helpscout_conversation_id")
    if conversation_id and conversation_id != drawn_conversation_id:
        _refresh(ticket_id, conversation_id)


def _locked(ticket_id: int, field: str) -> str | None:
    value: str | None = (
        SupportTicket.objects.select_for_update().filter(pk=ticket_id).values_list(field, flat=True).first()
    )
    return value


def _refresh(ticket_id: int, conversation_id: str) -> None:
    outbox.queue_message(
        IntegrationName.SLACK, ticket_id, TICKET_LINKED, {"id": ticket_id, "helpscoutConversationId": conversation_id}
    )
