"""Tickets to Help Scout through the outbox: exact calls, no echo, errors and recovery."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from werkzeug import Response

from integrations import outbox
from integrations.helpscout import markers
from integrations.models import HelpScoutConversation, OutboxMessage
from tickets import services
from tickets.models import SupportTicket, TicketComment
from tickets.tests.factories import TEST_ACTOR, make_ticket

from .conftest import conversation

pytestmark = pytest.mark.django_db

CREATED = Response(status=201, headers={"Resource-ID": "555"})


@pytest.fixture
def fake(helpscout):
    """Help Scout accepting our calls for conversation 555 (customer 77)."""
    helpscout.expect_request("/v2/conversations", method="POST").respond_with_response(CREATED)
    helpscout.expect_request("/v2/conversations/555", method="GET").respond_with_json(
        conversation(id=555, userUpdatedAt="2026-11-20T15:00:00Z")
    )
    helpscout.expect_request("/v2/conversations/555", method="PATCH").respond_with_data("", status=204)
    helpscout.expect_request("/v2/conversations/555/reply", method="POST").respond_with_response(
        Response(status=201, headers={"Resource-ID": "9001"})
    )
    helpscout.expect_request("/v2/conversations/555/notes", method="POST").respond_with_response(
        Response(status=201, headers={"Resource-ID": "9002"})
    )
    return helpscout


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs a change and its after-commit effects, as a committed request would."""

    def run(change):
        with django_capture_on_commit_callbacks(execute=True):
            return change()

    return run


def deliver(ticket):
    return outbox.deliver_pending("helpscout", ticket.pk)


@pytest.fixture
def comment(committed):
    def add(ticket, body, *, internal=False, author="Alex Agent"):
        return committed(
            lambda: services.comment_add(
                ticket_id=ticket.pk, body=body, is_internal=internal, author=author, actor=TEST_ACTOR
            )
        )

    return add


@pytest.fixture
def set_status(committed):
    return lambda ticket, status: committed(
        lambda: services.ticket_change_status(ticket_id=ticket.pk, status=status, actor=TEST_ACTOR)
    )


def bodies(requests_to, method, path):
    return [json.loads(request.data) for request in requests_to(method, path)]


def mark_of_last_comment(ticket):
    """The mark our thread carries: the outbox message that sent it (see markers.py)."""
    message = OutboxMessage.objects.filter(ticket=ticket, event="ticket-comment-added").latest("id")
    return markers.mark(message.pk)


def test_a_new_ticket_becomes_a_conversation_with_its_id_stored(fake, committed, requests_to):
    ticket = committed(make_ticket)

    assert deliver(ticket) == 1

    assert bodies(requests_to, "POST", "/v2/conversations") == [
        {
            "subject": "Cannot log in",
            "mailboxId": 85,
            "type": "email",
            "status": "active",
            "customer": {"email": "customer@example.com", "firstName": "Casey", "lastName": "Customer"},
            "threads": [
                {
                    "type": "customer",
                    "customer": {"email": "customer@example.com"},
                    "text": "The login page says my password is wrong.",
                }
            ],
            "tags": [ticket.ticket_number.lower()],
        }
    ]
    ticket.refresh_from_db()
    assert (ticket.helpscout_conversation_id, ticket.helpscout_sync_status) == ("555", "synced")
    assert ticket.helpscout_last_sync_at is not None
    assert HelpScoutConversation.objects.get(conversation_id="555").ticket == ticket


def test_public_comment_is_a_reply_to_the_customer(fake, committed, comment, requests_to):
    ticket = committed(make_ticket)
    deliver(ticket)
    comment(ticket, "We reset it.\nTry <again>.")

    assert deliver(ticket) == 1

    assert bodies(requests_to, "POST", "/v2/conversations/555/reply") == [
        {
            "text": "We reset it.<br>Try &lt;again&gt;." + mark_of_last_comment(ticket),
            "customer": {"id": 77},
            "status": "active",
        }
    ]
    assert HelpScoutConversation.objects.get(conversation_id="555").customer_id == "77"


def test_internal_comment_is_a_note_keeping_the_status(fake, committed, comment, set_status, requests_to):
    ticket = committed(make_ticket)
    deliver(ticket)
    set_status(ticket, "resolved")
    comment(ticket, "Checked the logs", internal=True)

    assert deliver(ticket) == 2

    assert bodies(requests_to, "POST", "/v2/conversations/555/notes") == [
        {
            "text": "<b>Alex Agent</b> (FractionaX):<br>Checked the logs" + mark_of_last_comment(ticket),
            "status": "closed",
        }
    ]


def test_status_changes_update_the_conversation_status(fake, committed, set_status, requests_to):
    ticket = committed(make_ticket)
    deliver(ticket)
    for status in ("in_progress", "waiting_customer", "resolved", "closed", "open"):
        set_status(ticket, status)

    assert deliver(ticket) == 5

    # in_progress and closed map to what Help Scout already has: no call for them.
    assert bodies(requests_to, "PATCH", "/v2/conversations/555") == [
        {"op": "replace", "path": "/status", "value": value} for value in ("pending", "closed", "active")
    ]


def test_a_stale_webhook_after_our_status_change_does_not_undo_it(fake, committed, set_status, webhook):
    ticket = committed(make_ticket)
    deliver(ticket)
    set_status(ticket, "waiting_customer")
    deliver(ticket)  # Help Scout then says the conversation was modified at 15:00

    webhook("convo.customer.reply.created", conversation(id=555, threads=("customer",), status="active"))

    ticket.refresh_from_db()
    assert ticket.status == "waiting_customer"
    assert ticket.total_comments == 1  # the customer's reply is kept all the same


def test_our_own_threads_coming_back_are_not_imported(fake, committed, comment, webhook):
    ticket = committed(make_ticket)
    deliver(ticket)
    comment(ticket, "Hi")
    comment(ticket, "Hm", internal=True)
    deliver(ticket)
    ours = [
        {"id": 9001, "type": "reply", "body": "Hi", "createdAt": "2026-11-20T15:00:00Z"},
        {"id": 9002, "type": "note", "body": "Hm", "createdAt": "2026-11-20T15:01:00Z"},
    ]
    body = conversation(id=555, tags=[{"id": 1, "tag": ticket.ticket_number.lower()}])
    body["_embedded"]["threads"] += ours
    body["threads"] = 3

    webhook("convo.created", conversation(id=555))
    webhook("convo.agent.reply.created", body)

    assert SupportTicket.objects.count() == 1
    assert list(TicketComment.objects.values_list("body", "source")) == [("Hi", "api"), ("Hm", "api")]


def test_a_webhook_faster_than_our_recording_adopts_the_ticket_by_its_tag(fake, committed, webhook, requests_to):
    ticket = committed(make_ticket)
    webhook("convo.created", conversation(id=555, tags=[{"id": 1, "tag": ticket.ticket_number.lower()}]))

    deliver(ticket)

    assert SupportTicket.objects.count() == 1
    ticket.refresh_from_db()
    assert ticket.helpscout_conversation_id == "555"
    assert requests_to("POST", "/v2/conversations") == []  # already linked: not created twice


def test_rate_limit_delays_the_message_by_retry_after(helpscout, committed):
    helpscout.expect_request("/v2/conversations", method="POST").respond_with_data(
        "", status=429, headers={"X-RateLimit-Retry-After": "30"}
    )
    ticket = committed(make_ticket)

    assert deliver(ticket) == 0

    message = OutboxMessage.objects.get(integration="helpscout")
    assert (message.attempts, message.failed_at) == (1, None)
    assert timedelta(seconds=25) < message.next_attempt_at - timezone.now() <= timedelta(seconds=30)
    ticket.refresh_from_db()
    assert ticket.helpscout_sync_status == "error"


def test_a_refused_conversation_fails_for_good_and_later_messages_go_on(helpscout, committed, comment):
    helpscout.expect_request("/v2/conversations", method="POST").respond_with_data("bad customer", status=400)
    ticket = committed(make_ticket)
    comment(ticket, "x")

    assert deliver(ticket) == 1  # the comment: nothing to send it to

    failed = OutboxMessage.objects.get(event="new-ticket")
    assert failed.failed_at is not None
    assert "HTTP 400" in failed.last_error


def test_error_shows_in_integration_status_then_recovers(helpscout, committed, staff_client):
    helpscout.expect_oneshot_request("/v2/conversations", method="POST").respond_with_data("down", status=503)
    helpscout.expect_request("/v2/conversations", method="POST").respond_with_response(CREATED)
    # After a 503 the conversation may exist all the same: the retry looks for it first.
    helpscout.expect_request("/v2/conversations", method="GET").respond_with_json({"page": {"totalPages": 0}})
    ticket = committed(make_ticket)

    deliver(ticket)

    health = staff_client.get("/api/admin/support-tickets/integration-status").json()["helpScout"]
    assert (health["configured"], health["status"]) == (True, "error")
    assert "HTTP 503" in health["lastError"]
    link = staff_client.get(f"/api/admin/support-tickets/{ticket.pk}").json()["integration"]["helpScout"]
    assert (link["conversationId"], link["syncStatus"]) == (None, "error")

    with time_machine.travel(timezone.now() + timedelta(minutes=3)):
        assert deliver(ticket) == 1

    health = staff_client.get("/api/admin/support-tickets/integration-status").json()["helpScout"]
    assert (health["status"], health["lastError"]) == ("ok", None)
    assert health["lastSyncAt"] is not None
    link = staff_client.get(f"/api/admin/support-tickets/{ticket.pk}").json()["integration"]["helpScout"]
    assert (link["conversationId"], link["syncStatus"]) == ("555", "synced")


def test_nothing_is_queued_when_help_scout_is_not_configured(committed, comment, set_status):
    ticket = committed(make_ticket)
    set_status(ticket, "resolved")
    comment(ticket, "x")

    assert not OutboxMessage.objects.filter(integration="helpscout").exists()


def test_a_deleted_conversation_gets_nothing_more(fake, committed, set_status, webhook, requests_to):
    ticket = committed(make_ticket)
    deliver(ticket)
    webhook("convo.deleted", {"id": 555})
    set_status(ticket, "resolved")

    assert deliver(ticket) == 1

    assert requests_to("PATCH", "/v2/conversations/555") == []
    ticket.refresh_from_db()
    assert ticket.helpscout_sync_status == "deleted"
