"""Rows that tie tickets to Help Scout. A conversation's row is locked while anything
changes it, inbound or outbound, so a webhook about a thread we are creating waits until
we have recorded that thread as ours."""

from collections.abc import Iterable

from integrations.models import HelpScoutConversation, InboundDelivery, IntegrationName
from tickets.models import SupportTicket


def lock_conversation(conversation_id: str) -> HelpScoutConversation:
    """The conversation's row, made if new and locked until the transaction ends."""
    HelpScoutConversation.objects.get_or_create(conversation_id=conversation_id)
    return HelpScoutConversation.objects.select_for_update().get(conversation_id=conversation_id)


def lock_for_ticket(ticket: SupportTicket) -> HelpScoutConversation | None:
    if not ticket.helpscout_conversation_id:
        return None
    link = lock_conversation(ticket.helpscout_conversation_id)
    if link.ticket_id is None:
        link.ticket = ticket
        link.save(update_fields=["ticket"])
    return link


def _thread_key(thread_id: str) -> str:
    return f"thread:{thread_id}"


def record_own_thread(thread_id: str) -> None:
    """A thread we created: when its webhook comes back it is not imported again."""
    InboundDelivery.objects.get_or_create(integration=IntegrationName.HELPSCOUT, key=_thread_key(thread_id))


def own_threads(thread_ids: Iterable[str]) -> set[str]:
    keys = {_thread_key(thread_id): thread_id for thread_id in thread_ids}
    found = InboundDelivery.objects.filter(integration=IntegrationName.HELPSCOUT, key__in=keys)
    return {keys[key] for key in found.values_list("key", flat=True)}
