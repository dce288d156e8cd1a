"""Help Scout failing under real Celery workers (subprocesses, over a private Redis): a
worker killed in the middle of a retry loses nothing and duplicates nothing, and a Help
Scout slower than our timeout never holds up a ticket change. Beat's minutely sweep is sent
by the test itself, whenever a retry is due, rather than waited for."""

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from fractionax_support.celery import app as celery_app
from fractionax_support.tests.processes import (
    PrivateRedis,
    database_url_for_tests,
    private_redis,
    start_worker,
    stop,
    use_broker,
    wait_for,
)
from integrations import queueing
from integrations.models import OutboxMessage
from integrations.tasks import outbox_sweep
from tickets.models import SupportTicket

from .conftest import conversation

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

STATUS_URL = "/api/admin/support-tickets/integration-status"
API = "/api/admin/support-tickets"


class Workers:
    """Starts Celery workers for this test, on a Redis of its own, and kicks them as beat would."""

    def __init__(self, settings: Any, redis: PrivateRedis) -> None:
        self.settings, self.redis = settings, redis
        self.cache_prefix = f"fx-test-{uuid.uuid4().hex[:8]}"
        self.running: list[Any] = []

    def start(self) -> Any:
        """A worker configured as this test's settings are now (Help Scout at the fake)."""
        helpscout = ("APP_ID", "APP_SECRET", "MAILBOX_ID", "WEBHOOK_SECRET", "API_URL", "TIMEOUT_SECONDS")
        env = {
            "DATABASE_URL": database_url_for_tests(),
            "REDIS_URL": self.redis.url,
            "CELERY_QUEUE": self.settings.CELERY_TASK_DEFAULT_QUEUE,
            "CACHE_KEY_PREFIX": self.cache_prefix,
            **{f"HELPSCOUT_{name}": str(getattr(self.settings, f"HELPSCOUT_{name}")) for name in helpscout},
        }
        process = start_worker(env)
        self.running.append(process)
        return process

    def sweep_until(self, check: Callable[[], Any], seconds: float = 30, what: str = "delivery") -> Any:
        """Sends the sweep every second until check() holds (beat sends it every minute)."""

        def swept() -> Any:
            outbox_sweep.delay()
            return wait_for_quietly(check, 1)

        return wait_for(swept, seconds, what)

    def close(self) -> None:
        for process in self.running:
            stop(process, kill=True)


def wait_for_quietly(check: Callable[[], Any], seconds: float) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.1)
    return None


@pytest.fixture
def workers(settings: Any, helpscout: HTTPServer) -> Iterator[Workers]:
    with private_redis() as redis:
        settings.CELERY_TASK_DEFAULT_QUEUE = f"fx-test-{uuid.uuid4().hex[:8]}"
        previous = celery_app.conf.broker_url, celery_app.conf.task_default_queue
        use_broker(redis.url, settings.CELERY_TASK_DEFAULT_QUEUE)
        queueing._kicks_paused_until = 0.0  # whatever an earlier test's broker did
        workers = Workers(settings, redis)
        try:
            yield workers
        finally:
            workers.close()
            use_broker(*previous)


def helpscout_status(client: Any) -> dict[str, Any]:
    response = client.get(STATUS_URL)
    assert response.status_code == 200
    return dict(response.json()["helpScout"])


def message_for(ticket_id: int, event: str = "new-ticket") -> OutboxMessage:
    return OutboxMessage.objects.get(integration="helpscout", ticket_id=ticket_id, event=event)


class ScriptedConversations:
    """POST /v2/conversations answering from a script, one step per request; every request
    is recorded with the status it was answered."""

    def __init__(self, helpscout: HTTPServer, *steps: Callable[[], Response]) -> None:
        self.steps = list(steps)
        self.arrived = 0
        self.answered: list[tuple[str, int]] = []  # (subject, status)
        helpscout.expect_request("/v2/conversations", method="POST").respond_with_handler(self._answer)

    def _answer(self, request: Request) -> Response:
        self.arrived += 1
        step = self.steps.pop(0) if self.steps else created
        response = step()
        self.answered.append((request.get_json()["subject"], response.status_code))
        return response


def created() -> Response:
    return Response(status=201, headers={"Resource-ID": "555"})


def test_a_worker_killed_mid_retry_loses_nothing_and_the_sync_is_delivered_once(workers, helpscout, staff_client):
    in_flight, release = threading.Event(), threading.Event()

    def held_then_failed() -> Response:
        in_flight.set()
        release.wait(30)  # the worker making this request is killed meanwhile
        return Response("upstream error", status=500)

    fake = ScriptedConversations(
        helpscout, lambda: Response("slow down", status=429, headers={"Retry-After": "3"}), held_then_failed
    )
    # Help Scout did not create it (it answered 500): the lookup before sending again finds nothing.
    helpscout.expect_request("/v2/conversations", method="GET").respond_with_json({"page": {"totalPages": 0}})
    first = workers.start()
    response = staff_client.post(
        API, {"subject": "Killed mid-retry", "description": "d", "customerEmail": "c@example.com"}, format="json"
    )
    assert response.status_code == 201
    ticket_id = response.json()["id"]

    # The integration's status is recorded last, after the message's attempt.
    status = wait_for(lambda: helpscout_status(staff_client)["lastError"], 30, "the first attempt's error")
    assert "429" in status
    message = message_for(ticket_id)
    assert (message.delivered_at, message.attempts) == (None, 1) and "429" in message.last_error

    # When the retry is due, the sweep hands it to the worker; kill the worker mid-call.
    workers.sweep_until(in_flight.is_set, 30, "the retry to reach Help Scout")
    stop(first, kill=True)
    release.set()
    message = message_for(ticket_id)
    assert (message.delivered_at, message.attempts) == (None, 1)  # the cut-off call left no trace
    assert message.sending_since is not None  # but its outcome is unknown: look before sending again

    workers.start()
    workers.sweep_until(lambda: message_for(ticket_id).delivered_at, 30, "delivery by the new worker")

    assert fake.answered == [("Killed mid-retry", 429), ("Killed mid-retry", 500), ("Killed mid-retry", 201)]
    lookups = [
        request for request, _ in helpscout.log if request.method == "GET" and request.path == "/v2/conversations"
    ]
    assert [request.args["tag"] for request in lookups] == ["fct-000001"]
    ticket = SupportTicket.objects.get(pk=ticket_id)
    assert (ticket.helpscout_conversation_id, ticket.helpscout_sync_status) == ("555", "synced")
    wait_for(lambda: helpscout_status(staff_client)["status"] == "ok", 10, "the status to recover")
    # Later sweeps find nothing due: the conversation is created once.
    outbox_sweep.delay()
    time.sleep(2)
    assert [status for _, status in fake.answered].count(201) == 1
    assert len(fake.answered) == 3


def test_a_help_scout_slower_than_our_timeout_slows_no_ticket_change(settings, workers, helpscout, staff_client):
    settings.HELPSCOUT_TIMEOUT_SECONDS = 2
    # Help Scout holds the first call until the test has seen the ticket's changes answered
    # and our timeout pass; released before the retry (5 s after the timeout), so the fake
    # is free for it.
    release = threading.Event()

    def too_slow() -> Response:
        release.wait(30)
        return Response("gateway timeout", status=504)

    fake = ScriptedConversations(helpscout, too_slow)
    # The timed-out call may have created the conversation: the retry looks for it first.
    helpscout.expect_request("/v2/conversations", method="GET").respond_with_json({"page": {"totalPages": 0}})
    helpscout.expect_request("/v2/conversations/555", method="GET").respond_with_json(
        conversation(id=555, userUpdatedAt="2026-11-20T15:00:00Z")
    )
    helpscout.expect_request("/v2/conversations/555", method="PATCH").respond_with_data("", status=204)
    helpscout.expect_request("/v2/conversations/555/notes", method="POST").respond_with_response(
        Response(status=201, headers={"Resource-ID": "9002"})
    )
    workers.start()

    def answered(call: Callable[[], Any], expected: int) -> Any:
        """The change is answered while Help Scout still holds the worker's call."""
        response = call()
        assert response.status_code == expected, response.content
        assert fake.answered == [], "the change waited for Help Scout"
        return response.json()

    body = {"subject": "Help Scout is slow", "description": "d", "customerEmail": "c@example.com"}
    ticket_id = answered(lambda: staff_client.post(API, body, format="json"), 201)["id"]
    wait_for(lambda: fake.arrived, 30, "the worker to call Help Scout")
    answered(lambda: staff_client.put(f"{API}/{ticket_id}/status", {"status": "waiting_customer"}, format="json"), 200)
    answered(lambda: staff_client.post(f"{API}/{ticket_id}/comments", {"comment": "Note", "isInternal": True}), 201)

    status = wait_for(lambda: helpscout_status(staff_client)["lastError"], 30, "the first attempt to time out")
    release.set()
    assert "timed out" in status
    assert "timed out" in message_for(ticket_id).last_error

    def all_delivered() -> bool:
        return not OutboxMessage.objects.filter(ticket_id=ticket_id, delivered_at__isnull=True).exists()

    workers.sweep_until(all_delivered, 40, "every held-back sync")
    assert fake.answered == [("Help Scout is slow", 504), ("Help Scout is slow", 201)]
    wait_for(lambda: helpscout_status(staff_client)["lastError"] is None, 10, "the status to recover")

    def conversation_calls() -> list[tuple[str, str]]:
        return [(request.method, request.path) for request, _ in helpscout.log if request.path.endswith("/555")
                or request.path.startswith("/v2/conversations/555/")]  # fmt: skip

    # The fake logs a request once its answer is out, so the last may lag a moment.
    wait_for(lambda: len(conversation_calls()) == 3, 10, "the fake's log")
    calls = conversation_calls()
    assert calls == [
        ("PATCH", "/v2/conversations/555"),
        ("GET", "/v2/conversations/555"),
        ("POST", "/v2/conversations/555/notes"),
    ]
