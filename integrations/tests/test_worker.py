"""One end-to-end run with a real Celery worker process over Redis: a ticket created here
reaches (fake) Help Scout through the outbox, with nothing but the broker in between."""

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from fractionax_support.celery import app as celery_app
from fractionax_support.tests.processes import database_url_for_tests, start_worker, stop, use_broker, wait_for
from integrations import outbox
from integrations.models import OutboxMessage
from tickets.models import SupportTicket
from tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db(transaction=True)

HELPSCOUT = {
    "HELPSCOUT_APP_ID": "app-id",
    "HELPSCOUT_APP_SECRET": "app-secret",
    "HELPSCOUT_MAILBOX_ID": "42",
    "HELPSCOUT_WEBHOOK_SECRET": "webhook-secret",
}


@pytest.fixture
def worker(settings: Any, httpserver: HTTPServer) -> Iterator[None]:
    """Help Scout pointed at the fake, and a worker on a queue of this test's own."""
    assert settings.REDIS_URL, "this test needs Redis (REDIS_URL)"
    queue = f"fx-test-{uuid.uuid4().hex[:8]}"
    api_url = httpserver.url_for("/v2/")
    for name, value in {**HELPSCOUT, "HELPSCOUT_API_URL": api_url}.items():
        setattr(settings, name, value)
    env = {**HELPSCOUT, "HELPSCOUT_API_URL": api_url, "DATABASE_URL": database_url_for_tests(), "CELERY_QUEUE": queue}
    process = start_worker(env)
    previous_broker, previous_queue = celery_app.conf.broker_url, celery_app.conf.task_default_queue
    use_broker(settings.REDIS_URL, queue)
    outbox._kicks_paused_until = 0.0  # whatever an earlier test's broker did
    try:
        yield
    finally:
        use_broker(previous_broker, previous_queue)
        stop(process)


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
