"""Slack down, slow or rate-limiting: the ticket change stands, the outbox retries (honouring
Retry-After) and the integration status shows the last error until a success clears it."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from integrations.models import OutboxMessage
from integrations.slack.client import delivery_error
from tickets import services
from tickets.models import SupportTicket
from tickets.tests.factories import TEST_ACTOR, make_ticket

from .helpers import deliver

pytestmark = pytest.mark.django_db
STATUS_URL = "/api/admin/support-tickets/integration-status"


@pytest.fixture
def created(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return make_ticket()


def slack_status(client) -> dict:
    response = client.get(STATUS_URL)
    assert response.status_code == 200
    return response.json()["slack"]


def pending(ticket: SupportTicket) -> OutboxMessage:
    return OutboxMessage.objects.get(ticket=ticket, integration="slack", delivered_at__isnull=True)


def test_429_waits_as_long_as_retry_after_says_and_shows_in_the_status(slack, created, staff_client):
    slack.fail("chat.postMessage", status=429, error="ratelimited", headers={"Retry-After": "30"})

    before = timezone.now()
    assert deliver(created) == 0

    message = pending(created)
    assert message.attempts == 1
    assert timedelta(seconds=29) < message.next_attempt_at - before < timedelta(seconds=32)
    assert "ratelimited" in message.last_error and "429" in message.last_error
    status = slack_status(staff_client)
    assert status["status"] == "error"
    assert "ratelimited" in status["lastError"]

    assert deliver(created) == 0  # not due yet: Slack is not asked again
    assert len(slack.calls) == 1

    with time_machine.travel(before + timedelta(seconds=31)):
        assert deliver(created) == 1
        status = slack_status(staff_client)
    assert (status["status"], status["lastError"]) == ("ok", None)
    assert status["lastSyncAt"] is not None
    created.refresh_from_db()
    assert created.slack_message_ts


def test_500_is_retried_with_backoff(slack, created, staff_client):
    slack.fail("chat.postMessage", status=500, error="internal_error")

    assert deliver(created) == 0
    message = pending(created)
    assert message.failed_at is None
    assert "HTTP 500" in message.last_error
    assert slack_status(staff_client)["status"] == "error"

    with time_machine.travel(message.next_attempt_at + timedelta(seconds=1)):
        assert deliver(created) == 1
    # A 500 may come after Slack posted: the retry looks in the channel before posting again.
    assert slack.methods == ["chat.postMessage", "conversations.history", "chat.postMessage"]
    assert len(slack.posted) == 1
    assert slack_status(staff_client)["lastError"] is None


def test_slack_unreachable_then_recovered(settings, slack, django_capture_on_commit_callbacks, staff_client):
    api_url = settings.SLACK_API_URL
    settings.SLACK_API_URL = "http://127.0.0.1:9/"  # nothing listens there
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket()
        services.ticket_change_status(ticket_id=ticket.pk, status="in_progress", actor=TEST_ACTOR)

    assert deliver(ticket) == 0
    ticket.refresh_from_db()
    assert ticket.status == "in_progress"  # the change did not wait for Slack
    status = slack_status(staff_client)
    assert status["status"] == "error"
    assert status["lastError"].startswith("Slack unreachable")

    settings.SLACK_API_URL = api_url
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        assert deliver(ticket) == 2  # everything held back, in order
    assert slack.methods == ["chat.postMessage", "chat.update", "chat.postMessage"]
    assert slack_status(staff_client)["lastError"] is None


def test_slack_slower_than_our_timeout_is_retried_and_the_ticket_change_stands(
    settings, slack, django_capture_on_commit_callbacks, staff_client
):
    settings.SLACK_TIMEOUT_SECONDS = 1
    release = slack.hold("chat.postMessage")
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket()

    assert deliver(ticket) == 0
    assert not slack.held_answered.is_set()  # gave up after our timeout, not waiting for Slack
    release.set()
    assert slack.held_answered.wait(10)
    message = pending(ticket)
    assert message.failed_at is None
    assert "timed out" in message.last_error
    assert "timed out" in slack_status(staff_client)["lastError"]

    with time_machine.travel(message.next_attempt_at + timedelta(seconds=1)):
        assert deliver(ticket) == 1
    # Slack posted it after all, past our timeout: the retry finds it and posts nothing.
    assert slack.methods == ["chat.postMessage", "conversations.history"]
    assert len(slack.posted) == 1
    ticket.refresh_from_db()
    assert ticket.slack_message_ts == slack.posted[0]["ts"]
    assert slack_status(staff_client)["lastError"] is None


def test_a_failed_thread_line_retries_without_posting_the_root_again(
    slack, created, django_capture_on_commit_callbacks
):
    deliver(created)
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_change_status(ticket_id=created.pk, status="in_progress", actor=TEST_ACTOR)
    slack.fail("chat.postMessage", status=429, error="ratelimited", headers={"Retry-After": "1"})

    assert deliver(created) == 0
    with time_machine.travel(timezone.now() + timedelta(seconds=2)):
        assert deliver(created) == 1

    roots = [args for args in slack.calls_to("chat.postMessage") if "thread_ts" not in args]
    assert len(roots) == 1
    assert slack.methods == ["chat.postMessage", "chat.update", "chat.postMessage", "chat.update", "chat.postMessage"]


def test_an_error_retrying_cannot_fix_gives_up_on_that_message(slack, created, staff_client):
    slack.fail("chat.postMessage", error="channel_not_found")

    assert deliver(created) == 0

    message = OutboxMessage.objects.get(ticket=created, integration="slack")
    assert message.failed_at is not None
    assert "channel_not_found" in slack_status(staff_client)["lastError"]


@pytest.mark.parametrize("error", [TimeoutError("timed out"), ConnectionResetError("reset"), OSError("unreachable")])
def test_network_errors_and_timeouts_are_retried(error):
    assert delivery_error(error).permanent is False


@pytest.mark.parametrize(
    ("code", "permanent"),
    [
        ("invalid_blocks", True),
        ("msg_too_long", True),
        ("not_in_channel", True),
        ("invalid_auth", False),  # held until an admin fixes the token
        ("service_unavailable", False),
    ],
)
def test_slack_error_codes(slack, created, code, permanent):
    slack.fail("chat.postMessage", error=code)
    deliver(created)
    message = OutboxMessage.objects.get(ticket=created, integration="slack")
    assert (message.failed_at is not None) is permanent
