"""Files to and from Help Scout. In: threads' files, fetched for the threads about to become comments (or a
ticket's description). Asked before the conversation's transaction, as the customer's
e-mail is, so no lock waits on Help Scout; the services then store them with the comment.

A file Help Scout no longer has, or one we refuse (an executable, one over
ATTACHMENT_MAX_BYTES), is left out with a warning: the message still comes in. A failure
that may pass (timeout, 5xx, 429) fails the delivery, which is retried whole.

Out: a comment's files go with the reply or note it becomes, as base64 (`outgoing`)."""

import base64
import logging

from integrations import status
from integrations.models import HelpScoutConversation, IntegrationName
from tickets import attachments
from tickets.limits import attachment_max_bytes
from tickets.models import Attachment, ChangeSource, TicketComment

from .client import HelpScoutClient, HelpScoutError
from .payloads import AttachmentRef, Conversation, Thread

logger = logging.getLogger(__name__)

Files = dict[str, list[attachments.IncomingFile]]  # by thread id


def fetch_new_files(conversation: Conversation) -> Files:
    threads = [thread for thread in conversation.threads or () if _may_be_new(thread)]
    if not threads or not status.is_configured(IntegrationName.HELPSCOUT):
        return {}
    stored = set(
        TicketComment.objects.filter(
            source=ChangeSource.HELPSCOUT, external_id__in=[thread.id for thread in threads]
        ).values_list("external_id", flat=True)
    )
    link = HelpScoutConversation.objects.filter(conversation_id=conversation.id, ticket__isnull=False).first()
    described = link.first_thread_id if link is not None else ""  # the ticket's description: it exists
    client = HelpScoutClient.from_settings()
    found: Files = {}
    for thread in threads:
        if thread.id in stored or thread.id == described:
            continue
        files = [_fetch(client, conversation.id, ref) for ref in thread.attachments if _wanted(ref)]
        found[thread.id] = attachments.acceptable(file for file in files if file is not None)
    return found


def _may_be_new(thread: Thread) -> bool:
    return bool(thread.attachments) and thread.outbox_message_id is None  # ours carry no file back


def _wanted(ref: AttachmentRef) -> bool:
    """Whether to fetch it: not when its listing already says we would refuse it."""
    name = attachments.clean_filename(ref.filename)
    refused = attachments.type_refusal(name, attachments.clean_content_type(ref.mime_type, name))
    if refused is not None or (ref.size is not None and ref.size > attachment_max_bytes()):
        reason = refused.message if refused else f"{ref.size} bytes"
        logger.warning("Help Scout attachment %s left out: %s", ref.id, reason)
        return False
    return True


def _fetch(client: HelpScoutClient, conversation_id: str, ref: AttachmentRef) -> attachments.IncomingFile | None:
    try:
        data = client.get_attachment_data(conversation_id, ref.id)
    except HelpScoutError as error:
        if not error.permanent:
            status.record_failure(IntegrationName.HELPSCOUT, str(error))
            raise
        logger.warning("Help Scout attachment %s of conversation %s left out: %s", ref.id, conversation_id, error)
        return None
    return attachments.IncomingFile.from_bytes(ref.filename, ref.mime_type, data)


def outgoing(*, comment_id: int | None = None, ticket_id: int | None = None) -> list[dict[str, str]]:
    """A comment's files (or, with `ticket_id`, the files sent with the new ticket) as Help
    Scout's create-thread endpoints take them: name, type and base64 data."""
    rows = (
        Attachment.objects.filter(comment_id=comment_id)
        if comment_id is not None
        else Attachment.objects.filter(ticket_id=ticket_id, comment__isnull=True)
    )
    found = []
    for row in rows.order_by("id"):
        with attachments.storage().open(row.storage_name, "rb") as file:
            data = file.read()
        found.append(
            {"fileName": row.filename, "mimeType": row.content_type, "data": base64.b64encode(data).decode("ascii")}
        )
    return found
