"""One end-to-end run with a real Celery worker process over Redis: a ticket created here
reaches (fake) Help Scout through the outbox, with nothing but the broker in between."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from fractionax_support.celery import app as celery_app
from fractionax_support.tests.processes import database_url_for_tests, start_worker, stop, use_broker, wait_for
from integrations import queueing
from integrations.models import OutboxMessage
from tickets.models import SupportTicket
from tickets.tests.factories import make_ticket

from .configured import HELPSCOUT, SLACK

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@contextmanager
def _worker(settings: Any, configured: dict[str, str]) -> Iterator[None]:
    """The integrations `configured`, and a worker on a queue of this test's own."""
    assert settings.REDIS_URL, "this test needs Redis (REDIS_URL)"
    queue = f"fx-test-{uuid.uuid4().hex[:8]}"
    for name, value in configured.items():
        setattr(settings, name, value)
    process = start_worker({**configured, "DATABASE_URL": database_url_for_tests(), "CELERY_QUEUE": queue})
    previous_broker, previous_queue = celery_app.conf.broker_url, celery_app.conf.task_default_queue
    use_broker(settings.REDIS_URL, queue)
    queueing._kicks_paused_until = 0.0  # whatever an earlier test's broker did
    try:
        yield
    finally:
        use_broker(previous_broker, previous_queue)
        stop(process)


def _helpscout(httpserver: HTTPServer) -> dict[str, str]:
    return {**HELPSCOUT, "HELPSCOUT_API_URL": httpserver.url_for("/v2/")}


@pytest.fixture
def worker(settings: Any, httpserver: HTTPServer) -> Iterator[None]:
    """Help Scout pointed at the fake."""
    with _worker(settings, _helpscout(httpserver)):
        yield


@pytest.fixture
def worker_for_both(settings: Any, httpserver: HTTPServer) -> Iterator[None]:
    """Help Scout and Slack pointed at the fake."""
    with _worker(settings, {**_helpscout(httpserver), **SLACK, "SLACK_API_URL": httpserver.url_for("/slack/")}):
        yield


def test_a_worker_delivers_a_new_ticket_to_help_scout(worker: None, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/v2/oauth2/token", method="POST").respond_with_json(
        {"token_type": "bearer", "access_token": "token-1", "expires_in": 7200}
    )
    httpserver.expect_request("/v2/conversations", method="POST").respond_with_data(
        "", status=201, headers={"Resource-ID": "555"}
    )

    ticket = make_ticket(subject="Through a real worker")  # commits: the kick goes to Redis

    # The message is marked delivered last, after the ticket's link and sync status.
    wait_for(lambda: OutboxMessage.objects.get(ticket=ticket).delivered_at, 30, "the delivery")
    linked = SupportTicket.objects.get(pk=ticket.pk)
    assert (linked.helpscout_conversation_id, linked.helpscout_sync_status) == ("555", "synced")
    [request] = [request for request, _ in httpserver.log if request.path == "/v2/conversations"]
    assert request.json["subject"] == "Through a real worker"
    assert request.json["mailboxId"] == 42


def test_one_change_for_two_integrations_reaches_both(worker_for_both: None, httpserver: HTTPServer) -> None:
    """The change is queued as one message; the worker sends each integration its own."""
    httpserver.expect_request("/v2/oauth2/token", method="POST").respond_with_json(
        {"token_type": "bearer", "access_token": "token-1", "expires_in": 7200}
    )
    httpserver.expect_request("/v2/conversations", method="POST").respond_with_data(
        "", status=201, headers={"Resource-ID": "556"}
    )
    httpserver.expect_request("/slack/chat.postMessage", method="POST").respond_with_json(
        {"ok": True, "channel": "C0SUPPORT", "ts": "1700000000.000100"}
    )

    ticket = make_ticket(subject="To both")

    def delivered() -> set[str]:
        return set(
            OutboxMessage.objects.filter(ticket=ticket, delivered_at__isnull=False).values_list(
                "integration", flat=True
            )
        )

    wait_for(lambda: delivered() == {"slack", "helpscout"}, 30, "both deliveries")
    paths = [request.path for request, _ in httpserver.log]
    assert paths.count("/v2/conversations") == 1
    assert paths.count("/slack/chat.postMessage") == 1
