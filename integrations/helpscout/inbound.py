"""Help Scout to tickets: a conversation as Help Scout shows it, applied through the
services with source helpscout (so nothing is echoed back).

Webhooks and the resync both land here, in any order and any number of times:
- threads are comments keyed by their Help Scout id, so each is stored once, whenever
  it arrives; the first thread is the description, and threads we created are skipped;
- status and assignee are applied only from a conversation at least as new as the newest
  one applied, and only when Help Scout's value moved, so a late, older delivery or our
  own change coming back changes nothing;
- an assignee who is an agent's Help Scout user (Agent.helpscout_user_id) assigns that
  agent; another is taken by name, as `assignedTo`.
"""

import logging
import re
from dataclasses import dataclass, replace

from django.conf import settings
from django.utils import timezone

from integrations import status
from integrations.models import HelpScoutConversation, IntegrationName
from tickets import attachments, limits, publishing, services
from tickets.actors import Actor
from tickets.models import (
    TICKET_NUMBER_PREFIX,
    Agent,
    ChangeSource,
    CommentAuthorType,
    HelpScoutSyncStatus,
    SupportTicket,
    TicketComment,
    TicketSource,
)

from . import linked, links
from .attachments import Files, fetch_new_files
from .client import HelpScoutClient, HelpScoutError
from .mapping import status_from_helpscout
from .payloads import (
    Conversation,
    PayloadError,
    Thread,
    parse_conversation,
    parse_conversation_id,
    parse_customer,
)

logger = logging.getLogger(__name__)

HELPSCOUT = Actor(name="Help Scout", source=ChangeSource.HELPSCOUT)

# Thread type: (internal, counts as the first response). Help Scout calls an agent's
# reply "reply" when creating it and has shown it as "message" when reading it back.
THREAD_KINDS = {
    "customer": (False, False),
    "reply": (False, True),
    "message": (False, True),
    "note": (True, False),
}
_TICKET_TAG = re.compile(rf"^{re.escape(TICKET_NUMBER_PREFIX)}(\d+)$", re.IGNORECASE)


@dataclass
class Outcome:
    created: bool = False
    updated: bool = False
    comments: int = 0


def process_event(event: str, payload: object) -> Outcome:
    """One webhook delivery (already verified and parsed once by the view)."""
    if event == "convo.deleted":
        conversation_delete(parse_conversation_id(payload))
        return Outcome()
    return conversation_apply(with_threads(parse_conversation(payload)))


def with_threads(conversation: Conversation) -> Conversation:
    """The conversation with all its threads, fetched when the body lacked them."""
    if conversation.threads is not None or not status.is_configured(IntegrationName.HELPSCOUT):
        return conversation
    try:
        data = HelpScoutClient.from_settings().get_conversation(conversation.id)
    except HelpScoutError as error:
        status.record_failure(IntegrationName.HELPSCOUT, str(error))
        raise
    status.record_success(IntegrationName.HELPSCOUT)
    return parse_conversation(data)


@publishing.atomic()
def conversation_delete(conversation_id: str) -> None:
    """The ticket stays; its link is marked, and nothing more comes from or goes to it."""
    link = links.lock_conversation(conversation_id)
    link.deleted = True
    link.save(update_fields=["deleted"])
    if link.ticket_id is not None:
        services.ticket_record_sync(
            ticket_id=link.ticket_id,
            actor=HELPSCOUT,
            helpscout_last_sync_at=timezone.now(),
            helpscout_sync_status=HelpScoutSyncStatus.DELETED,
        )


def conversation_apply(conversation: Conversation) -> Outcome:
    conversation = with_customer_email(conversation)
    return _apply(conversation, fetch_new_files(conversation))


def with_customer_email(conversation: Conversation) -> Conversation:
    """A conversation about to become a ticket whose customer came without an e-mail (and
    was not its creator, see payloads): the e-mail from the customer endpoint. Asked
    before the conversation's transaction, so no lock waits on Help Scout."""
    customer = conversation.customer
    if customer is None or customer.email or not customer.id or not status.is_configured(IntegrationName.HELPSCOUT):
        return conversation
    if not _in_our_mailbox(conversation) or _ticket_for(conversation) is not None:
        return conversation
    try:
        found = parse_customer(HelpScoutClient.from_settings().get_customer(customer.id))
    except HelpScoutError as error:
        if not error.permanent:  # retried: a ticket made now would lack the e-mail for good
            status.record_failure(IntegrationName.HELPSCOUT, str(error))
            raise
        logger.warning("Help Scout customer %s of conversation %s: %s", customer.id, conversation.id, error)
        return conversation
    except PayloadError as error:
        logger.warning("Help Scout customer %s of conversation %s unreadable: %s", customer.id, conversation.id, error)
        return conversation
    return replace(conversation, customer=replace(customer, name=customer.name or found.name, email=found.email))


@attachments.files_removed_on_failure()
@publishing.atomic()
def _apply(conversation: Conversation, files: Files | None = None) -> Outcome:
    """`files`: the new threads' files, by thread id (fetched before, see attachments.py)."""
    files = files or {}
    link = links.lock_conversation(conversation.id)
    if link.deleted:
        return Outcome()
    if conversation.state == "deleted":
        conversation_delete(conversation.id)
        return Outcome()
    created = newly_linked = False
    if link.ticket_id is None:
        ticket = _ticket_for(conversation)
        if ticket is None:
            if not _in_our_mailbox(conversation):
                return Outcome()
            ticket, created = _create_ticket(link, conversation, files), True
        elif ticket.helpscout_conversation_id not in (None, "", conversation.id):
            logger.warning("Help Scout conversation %s duplicates ticket %s's; ignored", conversation.id, ticket.pk)
            return Outcome()
        newly_linked = ticket.helpscout_conversation_id != conversation.id  # a ticket of ours, by its tag
        link.ticket = ticket
    ticket_id = link.ticket_id
    assert ticket_id is not None
    outcome = Outcome(created=created)
    if not link.customer_id and conversation.customer:
        link.customer_id = conversation.customer.id
    modified_at = conversation.modified_at
    if link.modified_at is None or modified_at is None or modified_at >= link.modified_at:
        outcome.updated = _apply_fields(link, ticket_id, conversation) and not created
        link.modified_at = modified_at or link.modified_at
    if conversation.threads is not None:
        outcome.comments = _apply_threads(link, ticket_id, conversation, files)
    link.save()
    services.ticket_record_sync(
        ticket_id=ticket_id,
        actor=HELPSCOUT,
        helpscout_conversation_id=conversation.id,
        helpscout_last_sync_at=timezone.now(),
        helpscout_sync_status=HelpScoutSyncStatus.SYNCED,
    )
    if newly_linked:
        linked.announce(ticket_id, conversation.id)
    return outcome


def _ticket_for(conversation: Conversation) -> SupportTicket | None:
    """The ticket we made this conversation for: found by its id, or by the ticket-number
    tag we give the conversations we create (in case their webhook beats our recording
    of the id)."""
    linked = SupportTicket.objects.filter(helpscout_conversation__conversation_id=conversation.id).first()
    return linked or _tagged(conversation)


def _in_our_mailbox(conversation: Conversation) -> bool:
    mailbox = str(settings.HELPSCOUT_MAILBOX_ID)
    return not (mailbox and conversation.mailbox_id and conversation.mailbox_id != mailbox)


def _tagged(conversation: Conversation) -> SupportTicket | None:
    for tag in conversation.tags:
        match = _TICKET_TAG.match(tag.strip())
        if match:
            return SupportTicket.objects.filter(number=int(match.group(1))).first()
    return None


def _create_ticket(link: HelpScoutConversation, conversation: Conversation, files: Files) -> SupportTicket:
    first = conversation.threads[0] if conversation.threads else None
    if first is not None:
        link.first_thread_id = first.id
    customer = conversation.customer
    name = customer.name if customer else ""
    subject = conversation.subject.strip() or f"Help Scout conversation #{conversation.number or conversation.id}"
    opened = conversation.created_at or (first.created_at if first else None)
    return services.ticket_create(
        # The conversation's own time, so its SLA counts from when the customer wrote; not
        # past ours, should Help Scout's clock run ahead.
        created_at=None if opened is None else min(opened, timezone.now()),
        subject=subject[: limits.MAX_SUBJECT_LENGTH],
        description=((first.text if first else "") or conversation.preview or subject)[: limits.MAX_DESCRIPTION_LENGTH],
        customer_email=(customer.email if customer else "")[: limits.MAX_EMAIL_LENGTH],
        customer_name=name[: limits.MAX_CUSTOMER_NAME_LENGTH],
        source=TicketSource.HELPSCOUT,
        helpscout_conversation_id=conversation.id,
        actor=Actor(name=name[:150] or HELPSCOUT.name, source=ChangeSource.HELPSCOUT),
        files=files.get(first.id, []) if first else [],
    )


def _apply_fields(link: HelpScoutConversation, ticket_id: int, conversation: Conversation) -> bool:
    ticket = SupportTicket.objects.get(pk=ticket_id)
    changed = False
    if conversation.status and conversation.status != link.status:
        wanted = status_from_helpscout(conversation.status, ticket.status)
        if wanted is not None and wanted != ticket.status:
            ticket = services.ticket_change_status(ticket_id=ticket.pk, status=wanted, actor=HELPSCOUT)
            changed = True
        link.status = conversation.status
    person = conversation.assignee
    assignee = (person.name if person else "")[: limits.MAX_ASSIGNEE_LENGTH]
    user_id = person.id if person else ""
    if links.assignee_moved(link, user_id=user_id, name=assignee):
        changed = _apply_assignee(ticket, user_id=user_id, name=assignee) or changed
    link.assignee, link.assignee_user_id = assignee, user_id
    return changed


def _apply_assignee(ticket: SupportTicket, *, user_id: str, name: str) -> bool:
    """The agent who is this Help Scout user (Agent.helpscout_user_id); else, as before
    agents had Help Scout ids, the name (an agent's display name still finds the agent;
    an empty one unassigns)."""
    agent = Agent.objects.filter(helpscout_user_id=user_id).first() if user_id else None
    if agent is not None:
        if agent.pk == ticket.assignee_id:
            return False
        services.ticket_assign(ticket_id=ticket.pk, assignee_id=agent.pk, actor=HELPSCOUT)
        return True
    if services.normalize_assignee(name) == ticket.assigned_to:
        return False
    services.ticket_assign(ticket_id=ticket.pk, assigned_to=name, actor=HELPSCOUT)
    return True


def _apply_threads(link: HelpScoutConversation, ticket_id: int, conversation: Conversation, files: Files) -> int:
    threads = conversation.threads or ()
    if not link.first_thread_id and threads:
        link.first_thread_id = threads[0].id
    ours = links.own_threads(threads, ticket_id=ticket_id)
    stored = set(
        TicketComment.objects.filter(
            source=ChangeSource.HELPSCOUT, external_id__in=[thread.id for thread in threads]
        ).values_list("external_id", flat=True)
    )
    added = 0
    for thread in threads:
        kind = THREAD_KINDS.get(thread.type)
        skip = thread.id == link.first_thread_id or thread.id in ours or thread.id in stored
        thread_files = files.get(thread.id, [])
        # A message of files alone (a screenshot sent without a word) says what it sent.
        text = thread.text or ", ".join(file.filename for file in thread_files)
        if kind is None or skip or thread.state not in ("", "published") or not text:
            continue
        internal, counts_as_response = kind
        author = _author(thread, conversation)
        services.comment_add(
            ticket_id=ticket_id,
            body=text[: limits.MAX_COMMENT_LENGTH],
            is_internal=internal,
            author=author,
            author_type=_author_type(thread),
            actor=Actor(name=author, source=ChangeSource.HELPSCOUT),
            counts_as_response=counts_as_response,
            external_id=thread.id,
            written_at=thread.created_at,
            files=thread_files,
        )
        added += 1
    return added


def _author_type(thread: Thread) -> CommentAuthorType:
    """A customer thread is the customer's (even one a Help Scout user entered for them);
    a reply or note by a Help Scout user is an agent's; one without an author (a workflow,
    an auto-reply) is the integration's."""
    if thread.type == "customer":
        return CommentAuthorType.CUSTOMER
    if thread.author is None or not thread.author.name:
        return CommentAuthorType.INTEGRATION
    return CommentAuthorType.AGENT


def _author(thread: Thread, conversation: Conversation) -> str:
    if thread.author and thread.author.name:
        return thread.author.name[:150]
    if thread.type == "customer" and conversation.customer and conversation.customer.name:
        return conversation.customer.name[:150]
    return HELPSCOUT.name
