"""Each domain event's schema, pinned: the outbox stores events encoded, so a change here
would break queued deliveries and every subscriber. Changing a schema means changing its
pin here on purpose (and converting queued outbox rows)."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tickets import events, publishing, services
from tickets.actors import SYSTEM_ACTOR
from tickets.events import DomainEvent, TicketsBulkUpdated

from .factories import TEST_ACTOR, make_ticket

pytestmark = pytest.mark.django_db

TICKET = {
    "id": "int",
    "number": "int",
    "subject": "str",
    "description": "str",
    "status": "str",
    "priority": "str",
    "category": "str",
    "source": "str",
    "customer_name": "str",
    "customer_email": "str",
    "customer_user_id": "str",
    "assigned_to": "str",
    "tags": "list",
    "helpscout_conversation_id": "NoneType",
    "helpscout_last_sync_at": "NoneType",
    "helpscout_sync_status": "str",
    "slack_thread_id": "str",
    "slack_channel_id": "str",
    "slack_message_ts": "str",
    "slack_last_sync_at": "NoneType",
    "slack_is_archived": "bool",
    "response_target_minutes": "int",
    "response_deadline": "str",
    "resolution_deadline": "str",
    "first_response_at": "NoneType",
    "last_activity_at": "str",
    "total_comments": "int",
    "view_count": "int",
    "resolved_by": "str",
    "resolution_note": "str",
    "resolution_time_minutes": "NoneType",
    "resolved_at": "NoneType",
    "created_at": "str",
    "updated_at": "str",
    "assignee_id": "NoneType",
    "team_id": "NoneType",
    "custom_fields": {},  # {key: value}: its keys are data
}
COMMENT = {
    "id": "int",
    "body": "str",
    "is_internal": "bool",
    "author": "str",
    "source": "str",
    "created_at": "str",
    "author_type": "str",
}


def schema(value: Any) -> Any:
    """Keys and the JSON types of their values, nested."""
    if isinstance(value, dict):
        return {key: schema(item) for key, item in value.items()}
    return type(value).__name__


@pytest.fixture
def published():
    """What services publish, as the recorders get it (inside the change's transaction)."""
    seen: list[DomainEvent] = []

    def record(batch: list[DomainEvent]) -> None:
        seen.extend(batch)

    publishing.subscribe(recorder=record)
    yield seen
    publishing.unsubscribe(recorder=record)


@pytest.fixture
def batches():
    """What leaves after commit, one list per transaction, as the listeners get it."""
    seen: list[list[DomainEvent]] = []

    async def listen(batch: list[DomainEvent]) -> None:
        seen.append(batch)

    publishing.subscribe(listener=listen)
    yield seen
    publishing.unsubscribe(listener=listen)


def only(published: list[DomainEvent], kind: type) -> Any:
    [event] = [event for event in published if isinstance(event, kind)]
    return event


def test_the_catalogue_names_each_event_once():
    assert sorted(events.CATALOGUE) == [
        "new-ticket",
        "ticket-assigned",
        "ticket-comment-added",
        "ticket-overdue",
        "ticket-sla-warning",
        "ticket-status-updated",
        "ticket-updated",
    ]


def test_new_ticket(published):
    make_ticket()
    event = only(published, events.TicketCreated)
    assert schema(events.encode(event)) == {"ticket": TICKET, "source": "str"}


def test_ticket_status_updated(published):
    ticket = make_ticket()
    services.ticket_change_status(ticket_id=ticket.pk, status="in_progress", actor=TEST_ACTOR)
    event = only(published, events.TicketStatusChanged)
    assert schema(events.encode(event)) == {
        "ticket": TICKET,
        "source": "str",
        "status": "str",
        "previous_status": "str",
    }
    assert (event.status, event.previous_status) == ("in_progress", "open")


def test_ticket_assigned(published):
    ticket = make_ticket()
    services.ticket_assign(ticket_id=ticket.pk, assigned_to="Tom Becker", actor=TEST_ACTOR)
    event = only(published, events.TicketAssigned)
    assert schema(events.encode(event)) == {
        "ticket": TICKET | {"assigned_to": "str"},
        "source": "str",
        "assigned_to": "str",
        "previous_assigned_to": "NoneType",
    }


def test_ticket_updated_carries_every_field_of_one_change_together(published):
    ticket = make_ticket()
    services.ticket_update(ticket_id=ticket.pk, priority="urgent", category="billing", tags=["vip"], actor=TEST_ACTOR)
    event = only(published, events.TicketUpdated)
    assert schema(events.encode(event)) == {
        "ticket": TICKET,
        "source": "str",
        "changes": {"priority": "str", "category": "str", "tags": "list"},
    }
    assert event.changes == {"priority": "urgent", "category": "billing", "tags": ["vip"]}


def test_ticket_comment_added(published):
    ticket = make_ticket()
    services.comment_add(ticket_id=ticket.pk, body="On it", is_internal=False, author="Tom", actor=TEST_ACTOR)
    event = only(published, events.TicketCommentAdded)
    assert schema(events.encode(event)) == {
        "ticket": TICKET | {"first_response_at": "str"},
        "source": "str",
        "comment": COMMENT,
    }


def test_ticket_overdue(published):
    make_ticket(priority="urgent")
    services.tickets_announce_sla_breaches(now=timezone.now() + timedelta(days=30))
    event = only(published, events.TicketOverdue)
    assert schema(events.encode(event)) == {"ticket": TICKET, "source": "str", "breaches": "list"}
    assert event.breaches == ["response", "resolution"]
    assert event.source == SYSTEM_ACTOR.source


def test_ticket_sla_warning(published):
    ticket = make_ticket(priority="urgent")
    services.tickets_announce_sla_warnings(now=ticket.response_warning_at)
    event = only(published, events.TicketSlaWarning)
    assert schema(events.encode(event)) == {"ticket": TICKET, "source": "str", "targets": "list"}
    assert event.targets == ["response"]
    assert event.source == SYSTEM_ACTOR.source
    assert events.decode(event.name, events.encode(event)) == event


def test_a_bulk_change_is_one_event_holding_each_tickets_own(published):
    tickets = [make_ticket() for _ in range(3)]
    published.clear()
    services.tickets_bulk_update(ids=[t.pk for t in tickets], status="resolved", add_tags=["x"], actor=TEST_ACTOR)
    [event] = published
    assert isinstance(event, TicketsBulkUpdated)
    assert event.ticket_ids == sorted(t.pk for t in tickets)
    assert event.changes == {"status": "resolved", "add_tags": ["x"]}
    assert [type(each) for each in event.events] == [events.TicketStatusChanged, events.TicketUpdated] * 3


@pytest.mark.parametrize("kind", ["new", "status", "comment"])
def test_decode_gives_back_what_encode_took(published, kind):
    ticket = make_ticket()
    if kind == "status":
        services.ticket_change_status(ticket_id=ticket.pk, status="resolved", resolution_note="ok", actor=TEST_ACTOR)
    if kind == "comment":
        services.comment_add(ticket_id=ticket.pk, body="Hi", is_internal=True, author="Tom", actor=TEST_ACTOR)
    event = published[-1]
    assert events.decode(event.name, events.encode(event)) == event


def test_events_of_a_transaction_that_rolls_back_never_leave(batches, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), publishing.atomic():
        make_ticket()
        raise RuntimeError("rolled back")
    assert batches == []


def test_a_transactions_events_leave_once_together(batches, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), publishing.atomic():
        ticket = make_ticket()
        services.ticket_assign(ticket_id=ticket.pk, assigned_to="Tom", actor=TEST_ACTOR)
    assert [[event.name for event in batch] for batch in batches] == [["new-ticket", "ticket-assigned"]]


def test_a_failed_nested_change_takes_only_its_own_events_with_it(batches, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), publishing.atomic():
        ticket = make_ticket()
        with pytest.raises(services.TicketError):
            services.ticket_update(ticket_id=ticket.pk, priority="low", category="nonsense", actor=TEST_ACTOR)
    assert [[event.name for event in batch] for batch in batches] == [["new-ticket"]]


def test_a_comment_event_queued_before_author_type_still_decodes(published):
    ticket = make_ticket()
    services.comment_add(ticket_id=ticket.pk, body="Hi", is_internal=False, author="Tom", actor=TEST_ACTOR)
    encoded = events.encode(only(published, events.TicketCommentAdded))
    del encoded["comment"]["author_type"]  # as the outbox stored it before the field

    assert events.decode("ticket-comment-added", encoded).comment.author_type == ""
