"""The service layer: every change writes its audit row and publishes after commit."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tickets import services
from tickets.actors import Actor
from tickets.exceptions import TicketError
from tickets.models import ChangeSource, SupportTicket, TicketAction, TicketEvent

from .factories import TEST_ACTOR, make_ticket

pytestmark = pytest.mark.django_db

SLACK_ACTOR = Actor(name="Sam Slack", source=ChangeSource.SLACK)


def audit(ticket: SupportTicket) -> list[tuple[str, str, str | None, str | None, str, str]]:
    return [
        (event.action, event.field, event.old_value, event.new_value, event.actor, event.source)
        for event in TicketEvent.objects.filter(ticket=ticket).order_by("created_at", "id")
    ]


def test_create_numbers_tickets_in_sequence_and_audits_with_source():
    first = make_ticket()
    second = make_ticket(actor=SLACK_ACTOR, source="slack")
    assert (first.ticket_number, second.ticket_number) == ("FCT-000001", "FCT-000002")
    assert audit(second) == [("created", "", None, "FCT-000002", "Sam Slack", "slack")]


def test_create_takes_its_number_in_its_insert():
    """One statement for the ticket: PostgreSQL's INSERT draws the number from the
    sequence and returns it; SQLite's creation first counts in the counter row."""
    with CaptureQueriesContext(connection) as captured:
        ticket = make_ticket()
    inserts = [query["sql"] for query in captured.captured_queries if "tickets_supportticket" in query["sql"]]
    assert len(inserts) == 1 and inserts[0].startswith("INSERT")
    assert ticket.number == SupportTicket.objects.get(pk=ticket.pk).number == 1
    if connection.vendor == "postgresql":
        assert not [query for query in captured.captured_queries if "nextval" in query["sql"]]


def test_create_normalises_tags_and_assignee():
    ticket = make_ticket(tags=[" VIP ", "vip", "Billing  Issue"], assigned_to="  John   Doe ")
    assert ticket.tags == ["vip", "billing issue"]
    assert ticket.assigned_to == "John Doe"


@pytest.mark.parametrize(
    ("field", "value"),
    [("priority", "critical"), ("category", "misc"), ("source", "fax"), ("subject", "   ")],
)
def test_create_refuses_invalid_values_and_writes_nothing(field, value):
    with pytest.raises(TicketError) as error:
        make_ticket(**{field: value})
    assert error.value.field == field
    assert SupportTicket.objects.count() == 0
    assert TicketEvent.objects.count() == 0


def test_status_change_to_same_status_changes_nothing():
    ticket = make_ticket()
    services.ticket_change_status(ticket_id=ticket.pk, status="open", actor=TEST_ACTOR)
    assert [row[0] for row in audit(ticket)] == ["created"]


def test_resolve_records_resolution_and_reopen_clears_it():
    ticket = make_ticket()
    resolved = services.ticket_change_status(
        ticket_id=ticket.pk, status="resolved", resolution_note="Reset the password", actor=TEST_ACTOR
    )
    assert resolved.resolved_by == "Test Agent"
    assert resolved.resolution_note == "Reset the password"
    assert resolved.resolved_at is not None
    assert resolved.resolution_time_minutes == 0

    reopened = services.ticket_change_status(ticket_id=ticket.pk, status="open", actor=SLACK_ACTOR)
    assert (reopened.resolved_at, reopened.resolved_by, reopened.resolution_note) == (None, "", "")
    assert audit(ticket)[1:] == [
        ("status_changed", "status", "open", "resolved", "Test Agent", "api"),
        ("status_changed", "status", "resolved", "open", "Sam Slack", "slack"),
    ]


def test_closing_a_resolved_ticket_keeps_its_resolution():
    ticket = make_ticket()
    services.ticket_change_status(ticket_id=ticket.pk, status="resolved", resolution_note="Fixed", actor=TEST_ACTOR)
    closed = services.ticket_change_status(ticket_id=ticket.pk, status="closed", actor=SLACK_ACTOR)
    assert (closed.resolved_by, closed.resolution_note) == ("Test Agent", "Fixed")


def test_resolution_note_is_refused_for_an_open_status():
    ticket = make_ticket()
    with pytest.raises(TicketError) as error:
        services.ticket_change_status(ticket_id=ticket.pk, status="in_progress", resolution_note="x", actor=TEST_ACTOR)
    assert error.value.field == "resolutionNote"
    assert SupportTicket.objects.get(pk=ticket.pk).status == "open"


def test_assign_reassign_and_unassign_are_audited_with_null_for_nobody():
    ticket = make_ticket()
    services.ticket_assign(ticket_id=ticket.pk, assigned_to="John Doe", actor=TEST_ACTOR)
    services.ticket_assign(ticket_id=ticket.pk, assigned_to="Support Team", actor=TEST_ACTOR)
    services.ticket_assign(ticket_id=ticket.pk, assigned_to=None, actor=TEST_ACTOR)
    assert audit(ticket)[1:] == [
        ("assigned", "assignedTo", None, "John Doe", "Test Agent", "api"),
        ("assigned", "assignedTo", "John Doe", "Support Team", "Test Agent", "api"),
        ("assigned", "assignedTo", "Support Team", None, "Test Agent", "api"),
    ]
    assert SupportTicket.objects.get(pk=ticket.pk).assigned_to == ""


def test_first_public_agent_comment_sets_first_response_once():
    ticket = make_ticket()
    services.comment_add(ticket_id=ticket.pk, body="Looking", is_internal=True, author="A", actor=TEST_ACTOR)
    assert SupportTicket.objects.get(pk=ticket.pk).first_response_at is None
    services.comment_add(
        ticket_id=ticket.pk,
        body="Customer again",
        is_internal=False,
        author="C",
        actor=TEST_ACTOR,
        counts_as_response=False,
    )
    assert SupportTicket.objects.get(pk=ticket.pk).first_response_at is None
    first = services.comment_add(ticket_id=ticket.pk, body="Hi!", is_internal=False, author="A", actor=TEST_ACTOR)
    services.comment_add(ticket_id=ticket.pk, body="More", is_internal=False, author="A", actor=TEST_ACTOR)
    ticket.refresh_from_db()
    assert ticket.first_response_at == first.created_at
    assert ticket.total_comments == 4
    assert [row[:2] for row in audit(ticket)].count(("commented", "public")) == 3


def test_comment_on_missing_ticket_is_a_domain_error():
    with pytest.raises(TicketError):
        services.comment_add(ticket_id=999, body="x", is_internal=False, author="A", actor=TEST_ACTOR)


def test_bulk_update_is_all_or_nothing_on_invalid_input():
    tickets = [make_ticket() for _ in range(3)]
    with pytest.raises(TicketError):
        services.tickets_bulk_update(
            ids=[t.pk for t in tickets], status="resolved", priority="extreme", actor=TEST_ACTOR
        )
    assert set(SupportTicket.objects.values_list("status", flat=True)) == {"open"}
    assert TicketEvent.objects.exclude(action=TicketAction.CREATED).count() == 0


def test_bulk_update_applies_each_change_with_its_audit_row_and_reports_missing_ids():
    first, second = make_ticket(tags=["vip"]), make_ticket()
    result = services.tickets_bulk_update(
        ids=[first.pk, second.pk, 999, first.pk],
        priority="urgent",
        assigned_to="Support Team",
        add_tags=["Escalated"],
        remove_tags=["vip"],
        actor=TEST_ACTOR,
    )
    assert (result.updated, result.not_found) == (2, [999])
    first.refresh_from_db()
    assert (first.priority, first.assigned_to, first.tags) == ("urgent", "Support Team", ["escalated"])
    for ticket in (first, second):
        assert [row[0] for row in audit(ticket)] == ["created", "priority_changed", "assigned", "tags_changed"]


def test_bulk_tags_are_added_after_the_ticket_s_own_once_each_and_removed():
    first, second = make_ticket(tags=["wallet", "old"]), make_ticket(tags=["old"])
    services.tickets_bulk_update(
        ids=[first.pk, second.pk], add_tags=["VIP", "wallet"], remove_tags=["old"], actor=TEST_ACTOR
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.tags == ["wallet", "vip"]
    assert second.tags == ["vip", "wallet"]


def test_update_changes_only_what_differs():
    ticket = make_ticket(category="billing")
    services.ticket_update(ticket_id=ticket.pk, category="billing", priority="high", actor=TEST_ACTOR)
    assert [row[0] for row in audit(ticket)] == ["created", "priority_changed"]


def test_events_leave_only_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        ticket = make_ticket()
        services.ticket_assign(ticket_id=ticket.pk, assigned_to="Jo", actor=TEST_ACTOR)
    assert len(callbacks) == 2


def test_a_failed_change_publishes_nothing(django_capture_on_commit_callbacks):
    ticket = make_ticket()
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(TicketError):
        services.ticket_change_priority(ticket_id=ticket.pk, priority="extreme", actor=TEST_ACTOR)
    assert callbacks == []


def test_a_comment_with_a_known_external_id_is_stored_once():
    ticket = make_ticket()
    first = services.comment_add(
        ticket_id=ticket.pk, body="From Slack", is_internal=True, author="S", actor=SLACK_ACTOR, external_id="171.1"
    )
    again = services.comment_add(
        ticket_id=ticket.pk, body="From Slack", is_internal=True, author="S", actor=SLACK_ACTOR, external_id="171.1"
    )
    assert again.pk == first.pk
    ticket.refresh_from_db()
    assert ticket.total_comments == 1


def test_record_sync_stores_links_and_audits_only_link_changes():
    ticket = make_ticket()
    services.ticket_record_sync(
        ticket_id=ticket.pk, actor=SLACK_ACTOR, slack_channel_id="C1", slack_message_ts="1.2", slack_thread_id="1.2"
    )
    services.ticket_record_sync(ticket_id=ticket.pk, actor=SLACK_ACTOR, slack_channel_id="C1", slack_message_ts="1.2")
    ticket.refresh_from_db()
    assert (ticket.slack_channel_id, ticket.slack_message_ts) == ("C1", "1.2")
    assert [row[:4] for row in audit(ticket)] == [
        ("created", "", None, "FCT-000001"),
        ("synced", "slack", None, "channel_id=C1, message_ts=1.2, thread_id=1.2"),
    ]
    with pytest.raises(ValueError):
        services.ticket_record_sync(ticket_id=ticket.pk, actor=SLACK_ACTOR, subject="nope")
