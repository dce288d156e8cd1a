"""Celery tasks of the integrations: they take ids, re-read, and own their retry policy
(the outbox rows, not the broker, hold what must not be lost)."""

from collections import defaultdict
from collections.abc import Iterable

from celery import shared_task

from . import outbox

# Tickets per delivery task. One task per ticket cost a Celery message, a publish and a
# consume, for each delivery; a few tickets per task keep that small while a burst still
# spreads over every worker process (bench/RESULTS.md, finding 36).
TICKETS_PER_TASK = 10


@shared_task(ignore_result=True)
def outbox_deliver(integration: str, ticket_id: int) -> int:
    return outbox.deliver_pending(integration, ticket_id)


@shared_task(ignore_result=True)
def outbox_deliver_tickets(integration: str, ticket_ids: list[int]) -> int:
    """Delivers several tickets' messages to one integration, their results recorded together."""
    return outbox.deliver_tickets(integration, ticket_ids)


@shared_task(ignore_result=True)
def outbox_deliver_each(pairs: list[tuple[str, int]]) -> None:
    """A burst of changes' deliveries, queued by a web process as one message and sent on
    here in tasks of one integration each, so that a slow integration never holds back
    another."""
    queue_deliveries(pairs)


@shared_task(ignore_result=True)
def outbox_sweep() -> int:
    """Every minute (beat): queues delivery of everything due, after retries' backoff or
    after a broker outage swallowed the first attempt."""
    pairs = outbox.due_pairs()
    queue_deliveries(pairs)
    return len(pairs)


def queue_deliveries(pairs: Iterable[tuple[str, int]]) -> None:
    """Queues delivery tasks for (integration, ticket) pairs, up to TICKETS_PER_TASK
    tickets of one integration in each."""
    tickets: dict[str, list[int]] = defaultdict(list)
    for integration, ticket_id in pairs:
        tickets[integration].append(ticket_id)
    for integration, ids in sorted(tickets.items()):
        unique = list(dict.fromkeys(ids))
        for start in range(0, len(unique), TICKETS_PER_TASK):
            outbox_deliver_tickets.delay(integration, unique[start : start + TICKETS_PER_TASK])
