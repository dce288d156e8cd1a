"""Help Scout's Celery tasks: the webhook work the view hands off, and the resync (every
15 minutes by beat, or on demand from the API)."""

import logging
from typing import Any

from celery import shared_task

from integrations import status
from integrations.models import IntegrationName

from . import inbound, sync
from .client import HelpScoutError
from .payloads import PayloadError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 30


@shared_task(bind=True, ignore_result=True, max_retries=5)
def helpscout_webhook(self: Any, event: str, payload: Any) -> None:
    """Applies one verified webhook delivery; a failed Help Scout call is retried, and
    the resync repairs what retries could not."""
    try:
        inbound.process_event(event, payload)
    except PayloadError as error:
        logger.warning("Help Scout %s delivery not applied: %s", event, error)
    except HelpScoutError as error:
        if error.permanent:
            logger.warning("Help Scout %s delivery not applied: %s", event, error)
            return
        raise self.retry(exc=error, countdown=error.retry_after or RETRY_SECONDS) from error


@shared_task(bind=True, ignore_result=True, max_retries=3)
def helpscout_resync(self: Any) -> int:
    """Returns how many conversations it applied."""
    if not status.is_configured(IntegrationName.HELPSCOUT):
        return 0
    try:
        return sync.resync().conversations
    except HelpScoutError as error:
        if error.permanent:
            return 0
        raise self.retry(exc=error, countdown=error.retry_after or RETRY_SECONDS) from error
