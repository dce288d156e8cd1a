"""Domain events reach the dashboards' channel-layer group (Redis in tests) after commit."""

import asyncio
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from realtime import groups
from tickets import services

from .factories import TEST_ACTOR, make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def dashboard():
    """A channel subscribed to the dashboards' group, as a connected consumer would be.
    Call it with a count to receive that many messages (in one event loop, as a consumer
    does: channels-redis keeps its receive buffer per loop)."""
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(groups.ADMIN, channel)

    async def receive(count: int) -> list[dict[str, Any]]:
        return [await asyncio.wait_for(layer.receive(channel), timeout=5) for _ in range(count)]

    yield lambda count: async_to_sync(receive)(count)
    async_to_sync(layer.group_discard)(groups.ADMIN, channel)


def changed(capture: Any, change: Any) -> Any:
    with capture(execute=True):
        return change()


def test_layer_is_redis():
    assert type(get_channel_layer()).__name__ == "RedisChannelLayer"


def test_new_ticket_event_carries_the_ticket_as_listed(dashboard, django_capture_on_commit_callbacks):
    ticket = changed(django_capture_on_commit_callbacks, make_ticket)
    [message] = dashboard(1)
    assert message["event"] == "new-ticket"
    assert message["data"]["id"] == ticket.pk
    assert message["data"]["ticketNumber"] == ticket.ticket_number
    assert message["data"]["sla"]["responseTime"] == 240
    assert "comments" not in message["data"]


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
