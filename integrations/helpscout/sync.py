"""The resync: pulls the mailbox's conversations modified since the last successful run,
page by page, and applies each like a webhook would (idempotently), so a missed or
failed webhook is repaired. Each run is recorded with what it changed."""

import logging
from datetime import UTC, timedelta

from django.conf import settings
from django.utils import timezone

from integrations import status
from integrations.models import HelpScoutSyncRun, IntegrationName

from . import inbound
from .client import HelpScoutClient, HelpScoutError
from .payloads import PayloadError, parse_conversation

logger = logging.getLogger(__name__)

FIRST_RUN_WINDOW = timedelta(days=7)
# Help Scout's clock is not ours, and a conversation changed while we page may move
# past us: start a little before the last run began (applying twice changes nothing).
OVERLAP = timedelta(minutes=5)


def resync() -> HelpScoutSyncRun:
    client = HelpScoutClient.from_settings()
    now = timezone.now()
    last = HelpScoutSyncRun.objects.filter(succeeded=True).order_by("-started_at").first()
    since = last.started_at - OVERLAP if last else now - FIRST_RUN_WINDOW
    run = HelpScoutSyncRun.objects.create(started_at=now, modified_since=since)
    params = {
        "mailbox": str(settings.HELPSCOUT_MAILBOX_ID),
        "status": "all",
        "modifiedSince": since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "sortField": "modifiedAt",
        "sortOrder": "asc",
        "embed": "threads",
    }
    try:
        for data in client.conversations(params):
            _pull(client, data, run)
    except Exception as error:
        run.error = str(error)[: status.MAX_ERROR_LENGTH]
        run.finished_at = timezone.now()
        run.save()
        status.record_failure(IntegrationName.HELPSCOUT, f"Resync failed: {error}")
        raise
    run.succeeded = True
    run.finished_at = timezone.now()
    run.save()
    status.record_success(IntegrationName.HELPSCOUT)
    logger.info(
        "Help Scout resync since %s: %s conversations, %s tickets created, %s updated, %s comments added",
        since.isoformat(),
        run.conversations,
        run.tickets_created,
        run.tickets_updated,
        run.comments_added,
    )
    return run


def _pull(client: HelpScoutClient, data: dict[str, object], run: HelpScoutSyncRun) -> None:
    """One conversation; one that cannot be read is logged and skipped, so it does not
    hold back every later run."""
    try:
        conversation = parse_conversation(data)
        if conversation.threads is None:
            conversation = parse_conversation(client.get_conversation(conversation.id))
    except (PayloadError, HelpScoutError) as error:
        if isinstance(error, HelpScoutError) and not error.permanent:
            raise
        logger.warning("Help Scout resync skipped conversation %s: %s", data.get("id"), error)
        return
    outcome = inbound.conversation_apply(conversation)
    run.conversations += 1
    run.tickets_created += outcome.created
    run.tickets_updated += outcome.updated
    run.comments_added += outcome.comments
