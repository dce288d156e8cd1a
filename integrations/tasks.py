"""Celery tasks of the integrations: they take ids, re-read, and own their retry policy
(the outbox rows, not the broker, hold what must not be lost)."""

from celery import shared_task

from . import outbox


@shared_task(ignore_result=True)
def outbox_deliver(integration: str, ticket_id: int) -> int:
    return outbox.deliver_pending(integration, ticket_id)


@shared_task(ignore_result=True)
def outbox_deliver_each(pairs: list[tuple[str, int]]) -> None:
    """One change's deliveries, queued by its web process as one message and sent on here
    one task per integration, so that a slow integration never holds back another."""
    for integration, ticket_id in pairs:
        outbox_deliver.delay(integration, ticket_id)


@shared_task(ignore_result=True)
def outbox_sweep() -> int:
    """Every minute (beat): queues delivery of everything due, after retries' backoff or
    after a broker outage swallowed the first attempt."""
    pairs = outbox.due_pairs()
    for integration, ticket_id in pairs:
        outbox_deliver.delay(integration, ticket_id)
    return len(pairs)
