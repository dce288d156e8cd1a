"""The integrations' outbox: how ticket changes reach Slack and Help Scout.

`record_events`, subscribed to the domain's events, runs inside the change's transaction
and writes one `OutboxMessage` per integration that wants each event (never the one the
change came from), its payload the event in domain terms. After commit a
Celery task delivers them; if the broker is down, the minutely sweep does. Messages of
one ticket go out in order, one integration at a time per ticket (a lock per pair), and a
failure holds back the later ones until a retry, with backoff honouring Retry-After,
gets it through. Whatever a provider made is recorded with the rest of the task's results
(delivery_batch.py), and a retry after a local failure never sends it again.

A provider is a module with:
  SOURCE   the ChangeSource its own changes carry (not echoed back to it);
  EVENTS   the names of the events it sends on (tickets.events);
  OWN_EVENTS (optional)   those of its own source's events it still sends, because the
           change was made there but must show there too (a Slack button's result);
  deliver(message, attempt)   makes the calls, each call that creates something through
           attempt.once (integrations/attempts.py), so that it is never made twice; returns
           what to record with the delivery (a callable, or None); raises DeliveryError to
           retry or give up. When `attempt.followed`, another message of the ticket comes
           next in the same task: what only redraws the ticket as it is now can wait for it.
"""

import importlib
import logging
from collections.abc import Iterable
from datetime import timedelta
from types import ModuleType
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from fractionax_support.metrics import timed_delivery
from tickets.after_commit import run_after_commit
from tickets.events import CATALOGUE, decode, encode, per_ticket

from . import queueing, status
from .attempts import Attempt, record_locally
from .delivery_batch import DeliveryBatch
from .delivery_lock import Held, pair_locks
from .errors import DeliveryError
from .models import PENDING, IntegrationName, OutboxMessage

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from tickets.events import DomainEvent, TicketChanged

logger = logging.getLogger(__name__)

PROVIDERS = {
    IntegrationName.SLACK: "integrations.slack.outbound",
    IntegrationName.HELPSCOUT: "integrations.helpscout.outbound",
}
MAX_BACKOFF_SECONDS = 120  # so a recovered integration is caught up within minutes
SWEEP_BATCH = 1000


def provider(name: str) -> ModuleType:
    return importlib.import_module(PROVIDERS[IntegrationName(name)])


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(MAX_BACKOFF_SECONDS, 5 * 2 ** max(0, attempts - 1)))


def record_events(events: "list[DomainEvent]") -> None:
    """Subscribed to the domain's events (IntegrationsConfig.ready): inside the change's
    transaction, one message per integration that takes each ticket's event, written
    together, in domain terms (tickets.events.encode)."""
    rows = []
    for event in per_ticket(events):
        if takers := _takers(event):
            payload = encode(event)  # once, shared by the takers' rows
            rows += [
                OutboxMessage(integration=name, ticket_id=event.ticket_id, event=event.name, payload=payload)
                for name in takers
            ]
    if rows:
        OutboxMessage.objects.bulk_create(rows)


async def kick_for_events(events: "list[DomainEvent]") -> None:
    """After commit: the deliveries of what `record_events` wrote are queued."""
    pairs = sorted({(name, event.ticket_id) for event in per_ticket(events) for name in _takers(event)})
    if pairs:
        queueing.kick(pairs)


def queue_message(integration: str, ticket_id: int, event: str, payload: dict[str, Any]) -> None:
    """An integration's own message to itself (not a domain event), delivered like one:
    written in the caller's transaction, kicked after commit."""
    OutboxMessage.objects.create(integration=integration, ticket_id=ticket_id, event=event, payload=payload)

    async def kick() -> None:
        queueing.kick([(integration, ticket_id)])

    transaction.on_commit(lambda: run_after_commit(kick), robust=True)


def event_of(message: OutboxMessage) -> "TicketChanged | None":
    """The domain event a message carries; None for an integration's own message."""
    return decode(message.event, message.payload) if message.event in CATALOGUE else None


def _takers(event: "TicketChanged") -> list[str]:
    """The integrations that send this event on: configured, wanting its kind, and not
    the one it came from (unless that one shows its own changes too)."""
    takers: list[str] = []
    for name in PROVIDERS:
        if not status.is_configured(name):
            continue
        module = provider(name)
        if event.name not in module.EVENTS:
            continue
        if event.source == module.SOURCE and event.name not in getattr(module, "OWN_EVENTS", ()):
            continue
        takers.append(name)
    return takers


def deliver_pending(integration: str, ticket_id: int) -> int:
    """Sends this ticket's due messages to the integration; see `deliver_tickets`."""
    return deliver_tickets(integration, [ticket_id])


def deliver_tickets(integration: str, ticket_ids: Iterable[int]) -> int:
    """Sends these tickets' due messages to the integration, each ticket's oldest first;
    returns how many went through. A ticket stops at a failure to retry, so nothing
    overtakes it; a ticket another worker holds is left to it (it will take these too)."""
    delivered = 0
    ids = list(dict.fromkeys(ticket_ids))
    for _ in range(3):
        with pair_locks(integration, ids) as held:
            delivered += _deliver_locked(integration, held)
        # A kick refused while we held the locks found us about to stop: look once more.
        ids = list(dict.fromkeys(_due(integration, held).values_list("ticket_id", flat=True)))
        if not ids:
            break
    return delivered


def _due(integration: str, ticket_ids: Iterable[int]) -> "QuerySet[OutboxMessage]":
    return OutboxMessage.objects.filter(
        PENDING, integration=integration, ticket_id__in=list(ticket_ids), next_attempt_at__lte=timezone.now()
    )


def _deliver_locked(integration: str, held: dict[int, Held]) -> int:
    if not held:
        return 0
    module = provider(integration)
    queues = _due_in_order(integration, held)
    batch = DeliveryBatch(integration)
    attempts = {
        ticket_id: [
            Attempt(message, batch, guard=held[ticket_id].confirm, followed=position < len(messages) - 1)
            for position, message in enumerate(messages)
        ]
        for ticket_id, messages in queues.items()
    }
    batch.mark_sending(attempt for queue in attempts.values() for attempt in queue)
    batch.read_tickets(attempts)
    delivered = 0
    for queue in attempts.values():
        for position, attempt in enumerate(queue):
            if batch.holds(attempt.message.ticket_id):
                batch.flush()  # the ticket's next delivery reads what the last one recorded
            if _deliver(module, attempt):
                delivered += 1
            elif attempt.message.failed_at is None:  # to retry: the later ones wait behind it
                for waiting in queue[position + 1 :]:
                    batch.not_attempted(waiting)
                break
    batch.flush()
    return delivered


def _due_in_order(integration: str, ticket_ids: Iterable[int]) -> dict[int, list[OutboxMessage]]:
    """Each ticket's pending messages up to the first that is not due yet (one waiting for
    its retry holds back those after it)."""
    now = timezone.now()
    queues: dict[int, list[OutboxMessage]] = {}
    waiting: set[int] = set()
    pending = OutboxMessage.objects.filter(PENDING, integration=integration, ticket_id__in=list(ticket_ids))
    for message in pending.order_by("ticket_id", "id"):
        if message.ticket_id in waiting:
            continue
        if message.next_attempt_at > now:
            waiting.add(message.ticket_id)
            continue
        queues.setdefault(message.ticket_id, []).append(message)
    return queues


def _deliver(module: ModuleType, attempt: Attempt) -> bool:
    """Whether the message went through; a failure is recorded (with the results before it)."""
    message = attempt.message
    try:
        finish = timed_delivery(module.deliver, message, attempt)
    except DeliveryError as error:
        attempt.batch.flush()
        _record_failure(attempt, error)
        return False
    except Exception as error:  # a bug or an unforeseen answer: keep it, retry later
        logger.exception("Delivering outbox message %s failed", message.pk)
        attempt.batch.flush()
        _record_failure(attempt, DeliveryError(f"{type(error).__name__}: {error}"))
        return False
    attempt.batch.delivered(message, finish)
    return True


def _record_failure(attempt: Attempt, error: DeliveryError) -> None:
    message, now = attempt.message, timezone.now()
    fields = {
        "attempts": message.attempts + (0 if error.deferred else 1),
        "last_error": str(error)[: status.MAX_ERROR_LENGTH],
        # Kept while a call may have gone through, so the next attempt looks before sending.
        "sending_since": message.sending_since if attempt.may_have_sent(error) else None,
        "progress": message.progress,  # the steps made: a retry does not make them again
    }
    delay = timedelta(seconds=error.retry_after) if error.retry_after is not None else backoff(message.attempts + 1)
    if error.permanent:
        fields["failed_at"] = message.failed_at = now
    else:
        fields["next_attempt_at"] = now + delay

    def write() -> None:
        OutboxMessage.objects.filter(pk=message.pk).update(**fields)
        if not error.deferred:  # our own pacing is no failure of the integration
            status.record_failure(message.integration, str(error))

    record_locally(write)
    if not error.permanent:
        queueing.deliver_later(message.integration, message.ticket_id, delay)
    logger.warning(
        "%s delivery of %s failed (attempt %s): %s", message.integration, message.pk, fields["attempts"], error
    )


def due_pairs(limit: int = SWEEP_BATCH) -> list[tuple[str, int]]:
    """(integration, ticket) pairs with a message due now."""
    rows = (
        OutboxMessage.objects.filter(PENDING, next_attempt_at__lte=timezone.now())
        .values_list("integration", "ticket_id")
        .distinct()[:limit]
    )
    return list(rows)
