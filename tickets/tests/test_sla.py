"""SLA deadlines and the overdue rule, with frozen time."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tickets import services
from tickets.models import SupportTicket
from tickets.selectors import ticket_list
from tickets.sla import is_overdue, overdue_q

from .factories import TEST_ACTOR, make_ticket

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("priority", "response", "resolution"),
    [
        ("urgent", timedelta(minutes=30), timedelta(hours=4)),
        ("high", timedelta(hours=2), timedelta(hours=24)),
        ("medium", timedelta(hours=4), timedelta(hours=72)),
        ("low", timedelta(hours=8), timedelta(days=7)),
    ],
)
def test_deadlines_follow_priority(priority, response, resolution):
    with time_machine.travel(T0, tick=False):
        ticket = make_ticket(priority=priority)
    assert ticket.response_deadline == T0 + response
    assert ticket.resolution_deadline == T0 + resolution
    assert ticket.response_target_minutes == response.total_seconds() // 60


def test_targets_come_from_settings(settings):
    settings.SLA_TARGETS_MINUTES = {**settings.SLA_TARGETS_MINUTES, "high": (15, 60)}
    with time_machine.travel(T0, tick=False):
        ticket = make_ticket(priority="high")
    assert (ticket.response_deadline, ticket.resolution_deadline) == (
        T0 + timedelta(minutes=15),
        T0 + timedelta(hours=1),
    )


def test_priority_change_recomputes_deadlines_from_creation():
    with time_machine.travel(T0, tick=False):
        ticket = make_ticket(priority="low")
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        ticket = services.ticket_change_priority(ticket_id=ticket.pk, priority="urgent", actor=TEST_ACTOR)
    assert ticket.response_deadline == T0 + timedelta(minutes=30)
    assert ticket.resolution_deadline == T0 + timedelta(hours=4)
    assert SupportTicket.objects.get(pk=ticket.pk).priority_rank == 4


def overdue_ids(now: datetime) -> set[int]:
    return set(ticket_list().filter(overdue_q(now=now)).values_list("pk", flat=True))


def test_no_first_response_past_response_deadline_is_overdue():
    with time_machine.travel(T0, tick=False):
        ticket = make_ticket(priority="urgent")
    assert not is_overdue(ticket, now=T0 + timedelta(minutes=30))
    assert is_overdue(ticket, now=T0 + timedelta(minutes=31))
    assert overdue_ids(T0 + timedelta(minutes=31)) == {ticket.pk}


def test_a_first_response_in_time_stops_the_response_clock():
    with time_machine.travel(T0, tick=False):
        ticket = make_ticket(priority="urgent")
    with time_machine.travel(T0 + timedelta(minutes=10), tick=False):
        services.comment_add(ticket_id=ticket.pk, body="On it", is_internal=False, author="A", actor=TEST_ACTOR)
    ticket.refresh_from_db()
    later = T0 + timedelta(hours=1)
    assert not is_overdue(ticket, now=later)
    assert overdue_ids(later) == set()


def test_an_internal_note_is_not_a_response():
    with time_machine.travel(T0, tick=False):
        ticket = make_ticket(priority="urgent")
        services.comment_add(ticket_id=ticket.pk, body="Note", is_internal=True, author="A", actor=TEST_ACTOR)
    ticket.refresh_from_db()
    assert is_overdue(ticket, now=T0 + timedelta(hours=1))


def test_past_resolution_deadline_unresolved_is_overdue_even_after_a_response():
    with time_machine.travel(T0, tick=False):
        ticket = make_ticket(priority="urgent")
        services.comment_add(ticket_id=ticket.pk, body="Hi", is_internal=False, author="A", actor=TEST_ACTOR)
    ticket.refresh_from_db()
    assert not is_overdue(ticket, now=T0 + timedelta(hours=4))
    assert is_overdue(ticket, now=T0 + timedelta(hours=4, minutes=1))
    assert overdue_ids(T0 + timedelta(hours=5)) == {ticket.pk}


@pytest.mark.parametrize("status", ["resolved", "closed"])
def test_finished_tickets_are_never_overdue(status):
    with time_machine.travel(T0, tick=False):
        ticket = make_ticket(priority="urgent")
        ticket = services.ticket_change_status(ticket_id=ticket.pk, status=status, actor=TEST_ACTOR)
    later = T0 + timedelta(days=30)
    assert not is_overdue(ticket, now=later)
    assert overdue_ids(later) == set()


def test_resolution_time_is_whole_minutes_from_creation():
    with time_machine.travel(T0, tick=False):
        ticket = make_ticket()
    with time_machine.travel(T0 + timedelta(hours=2, minutes=5, seconds=59), tick=False):
        ticket = services.ticket_change_status(ticket_id=ticket.pk, status="resolved", actor=TEST_ACTOR)
    assert ticket.resolution_time_minutes == 125
    assert ticket.resolved_at == T0 + timedelta(hours=2, minutes=5, seconds=59)
