"""Rows that tie tickets to Help Scout. Inbound changes lock a conversation's row, so that
concurrent deliveries of one conversation apply one after the other. Outbound calls hold
no lock (nor any transaction): the threads we create carry a mark, by which the webhook
side knows them as ours before their ids are recorded (markers.py)."""

from collections.abc import Iterable

from django.db.models import F, Value
from django.db.models.functions import Coalesce

from integrations.models import HelpScoutConversation, InboundDelivery, IntegrationName, OutboxMessage
from tickets.models import SupportTicket

from .payloads import Thread


def lock_conversation(conversation_id: str) -> HelpScoutConversation:
    """The conversation's row, made if new and locked until the transaction ends."""
    HelpScoutConversation.objects.get_or_create(conversation_id=conversation_id)
    return HelpScoutConversation.objects.select_for_update().get(conversation_id=conversation_id)


def tie_new_conversation(
    conversation_id: str, *, ticket_id: int, status: str, assignee: tuple[str, str] | None = None
) -> None:
    """A conversation we created, tied to its ticket unless its webhook tied it first: two
    statements and no read, since every new ticket records one. `assignee`: the Help
    Scout user (id, name) it was created assigned to."""
    new = HelpScoutConversation(conversation_id=conversation_id)
    HelpScoutConversation.objects.bulk_create([new], ignore_conflicts=True)
    assigned = {"assignee_user_id": assignee[0], "assignee": assignee[1]} if assignee else {}
    HelpScoutConversation.objects.filter(conversation_id=conversation_id).update(
        ticket_id=Coalesce(F("ticket_id"), Value(ticket_id)), status=status, **assigned
    )


def record_assignee(link_id: int, *, user_id: str, name: str) -> None:
    """The assignee we gave the conversation (user id "" and name "": nobody)."""
    HelpScoutConversation.objects.filter(pk=link_id).update(assignee_user_id=user_id, assignee=name)


def assignee_moved(link: HelpScoutConversation, *, user_id: str, name: str) -> bool:
    """Whether Help Scout's assignee is another than the one last seen or set by us: by
    user id when both are known (names change), else by name (rows from before ids were
    kept, and an assignee without an id)."""
    if user_id and link.assignee_user_id:
        return user_id != link.assignee_user_id
    return name != link.assignee


def link_for_ticket(ticket: SupportTicket) -> HelpScoutConversation | None:
    """The row of the ticket's conversation, made (and tied to the ticket) if missing."""
    if not ticket.helpscout_conversation_id:
        return None
    link, _ = HelpScoutConversation.objects.get_or_create(
        conversation_id=ticket.helpscout_conversation_id, defaults={"ticket": ticket}
    )
    if link.ticket_id is None:
        HelpScoutConversation.objects.filter(pk=link.pk, ticket__isnull=True).update(ticket=ticket)
        link.ticket = ticket
    return link


def _thread_key(thread_id: str) -> str:
    return f"thread:{thread_id}"


def record_own_thread(thread_id: str) -> None:
    """A thread we created: when its webhook comes back it is not imported again."""
    InboundDelivery.objects.get_or_create(integration=IntegrationName.HELPSCOUT, key=_thread_key(thread_id))


def own_threads(threads: Iterable[Thread], *, ticket_id: int) -> set[str]:
    """The ids of the threads we created: recorded as ours, or marked by one of this
    ticket's outbox messages (their webhook may come before we record them)."""
    threads = list(threads)
    keys = {_thread_key(thread.id): thread.id for thread in threads}
    found = InboundDelivery.objects.filter(integration=IntegrationName.HELPSCOUT, key__in=keys)
    ours = {keys[key] for key in found.values_list("key", flat=True)}
    marked = {thread.outbox_message_id: thread.id for thread in threads if thread.outbox_message_id is not None}
    # A mark counts only for this ticket's own outbox messages.
    if marked:
        messages = OutboxMessage.objects.filter(
            pk__in=marked, ticket_id=ticket_id, integration=IntegrationName.HELPSCOUT
        ).values_list("pk", flat=True)
        ours.update(marked[pk] for pk in messages)
    return ours
