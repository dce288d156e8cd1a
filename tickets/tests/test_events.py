"""Domain events reach the dashboards' channel-layer group (Redis in tests) after commit."""

from datetime import timedelta
from typing import Any

import pytest
from channels.layers import get_channel_layer
from django.utils import timezone

from tickets import services

from .factories import TEST_ACTOR, make_ticket

pytestmark = pytest.mark.django_db


def changed(capture: Any, change: Any) -> Any:
    with capture(execute=True):
        return change()


def test_layer_is_redis_pub_sub():
    assert type(get_channel_layer()).__name__ == "RedisPubSubChannelLayer"


def test_new_ticket_event_carries_the_ticket_as_listed(dashboard, django_capture_on_commit_callbacks):
    ticket = changed(django_capture_on_commit_callbacks, make_ticket)
    [message] = dashboard(1)
    assert message["event"] == "new-ticket"
    assert message["data"]["id"] == ticket.pk
    assert message["data"]["ticketNumber"] == ticket.ticket_number
    assert message["data"]["sla"]["responseTime"] == 240
    assert "comments" not in message["data"]


def test_an_sla_breach_is_announced_with_the_ticket_s_deadlines(dashboard, django_capture_on_commit_callbacks):
    ticket = changed(django_capture_on_commit_callbacks, lambda: make_ticket(priority="urgent"))
    # Five hours on, an urgent ticket has missed its 4 h resolution deadline.
    changed(
        django_capture_on_commit_callbacks,
        lambda: services.tickets_announce_sla_breaches(now=timezone.now() + timedelta(hours=5)),
    )

    _, overdue = dashboard(2)
    assert overdue["event"] == "ticket-overdue"
    assert overdue["data"]["id"] == ticket.pk
    assert overdue["data"]["sla"]["resolutionDeadline"]


def test_status_assign_update_and_comment_events(dashboard, django_capture_on_commit_callbacks):
    ticket = changed(django_capture_on_commit_callbacks, make_ticket)
    changed(
        django_capture_on_commit_callbacks,
        lambda: services.ticket_change_status(ticket_id=ticket.pk, status="in_progress", actor=TEST_ACTOR),
    )
    changed(
        django_capture_on_commit_callbacks,
        lambda: services.ticket_assign(ticket_id=ticket.pk, assigned_to="Jo Doe", actor=TEST_ACTOR),
    )
    changed(
        django_capture_on_commit_callbacks,
        lambda: services.ticket_change_priority(ticket_id=ticket.pk, priority="high", actor=TEST_ACTOR),
    )
    comment = changed(
        django_capture_on_commit_callbacks,
        lambda: services.comment_add(
            ticket_id=ticket.pk, body="Hello", is_internal=True, author="Jo Doe", actor=TEST_ACTOR
        ),
    )

    _, status, assigned, updated, commented = dashboard(5)
    assert status["event"] == "ticket-status-updated"
    assert (status["data"]["status"], status["data"]["previousStatus"]) == ("in_progress", "open")
    assert assigned["event"] == "ticket-assigned"
    assert (assigned["data"]["assignedTo"], assigned["data"]["previousAssignedTo"]) == ("Jo Doe", None)
    assert updated["event"] == "ticket-updated"
    assert updated["data"]["changes"] == {"priority": "high"}
    assert commented["event"] == "ticket-comment-added"
    assert commented["data"]["comment"]["id"] == comment.pk
    assert commented["data"]["comment"]["isInternal"] is True
    for message in (status, assigned, updated, commented):
        assert message["data"]["id"] == ticket.pk
        assert message["data"]["ticketNumber"] == ticket.ticket_number


def test_a_bulk_change_reaches_the_dashboards_as_one_message(dashboard, django_capture_on_commit_callbacks):
    tickets = [changed(django_capture_on_commit_callbacks, make_ticket) for _ in range(3)]
    dashboard(3)
    changed(
        django_capture_on_commit_callbacks,
        lambda: services.tickets_bulk_update(
            ids=[t.pk for t in tickets], status="resolved", assigned_to="Jo Doe", actor=TEST_ACTOR
        ),
    )
    [message] = dashboard(1)
    assert message == {
        "event": "tickets-bulk-updated",
        "data": {"ids": sorted(t.pk for t in tickets), "changes": {"status": "resolved", "assignedTo": "Jo Doe"}},
    }
