"""Imports (Help Scout conversations, the demo) give the services their own times: the
ticket, its deadlines, its audit trail and its figures all follow them."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from tickets import services
from tickets.exceptions import TicketError
from tickets.models import CommentAuthorType, TicketAction, TicketEvent

from .factories import TEST_ACTOR, make_ticket

pytestmark = pytest.mark.django_db


def audit_times(ticket_id: int, action: str) -> list[datetime]:
    return list(TicketEvent.objects.filter(ticket_id=ticket_id, action=action).values_list("created_at", flat=True))


def test_a_ticket_created_in_the_past_counts_its_sla_from_then():
    opened = timezone.now() - timedelta(days=10)

    ticket = make_ticket(priority="high", created_at=opened)

    assert ticket.created_at == ticket.updated_at == ticket.last_activity_at == opened
    assert ticket.response_deadline == opened + timedelta(hours=2)
    assert ticket.resolution_deadline == opened + timedelta(hours=24)
    assert audit_times(ticket.pk, TicketAction.CREATED) == [opened]


def test_changes_at_their_own_times_make_the_resolution_and_the_audit():
    opened = timezone.now() - timedelta(days=3)
    ticket = make_ticket(created_at=opened)

    services.ticket_assign(
        ticket_id=ticket.pk, assigned_to="Priya Shah", actor=TEST_ACTOR, at=opened + timedelta(minutes=5)
    )
    services.comment_add(
        ticket_id=ticket.pk,
        body="Looking into it",
        is_internal=False,
        author="Priya Shah",
        author_type=CommentAuthorType.AGENT,
        actor=TEST_ACTOR,
        written_at=opened + timedelta(minutes=30),
    )
    services.ticket_change_priority(
        ticket_id=ticket.pk, priority="high", actor=TEST_ACTOR, at=opened + timedelta(hours=1)
    )
    ticket = services.ticket_change_status(
        ticket_id=ticket.pk, status="resolved", actor=TEST_ACTOR, at=opened + timedelta(hours=6)
    )

    assert ticket.first_response_at == opened + timedelta(minutes=30)
    assert ticket.resolved_at == opened + timedelta(hours=6)
    assert ticket.resolution_time_minutes == 360
    assert ticket.updated_at == ticket.last_activity_at == opened + timedelta(hours=6)
    times = list(TicketEvent.objects.filter(ticket=ticket).order_by("created_at").values_list("action", "created_at"))
    assert times == [
        ("created", opened),
        ("assigned", opened + timedelta(minutes=5)),
        ("commented", opened + timedelta(minutes=30)),
        ("priority_changed", opened + timedelta(hours=1)),
        ("status_changed", opened + timedelta(hours=6)),
    ]


def test_a_comment_written_earlier_moves_no_time_back():
    ticket = make_ticket(created_at=timezone.now() - timedelta(hours=2))
    services.ticket_change_status(ticket_id=ticket.pk, status="in_progress", actor=TEST_ACTOR)
    before = type(ticket).objects.get(pk=ticket.pk)

    services.comment_add(
        ticket_id=ticket.pk,
        body="Written an hour ago",
        is_internal=True,
        author="Sam",
        actor=TEST_ACTOR,
        written_at=ticket.created_at + timedelta(hours=1),
    )

    ticket.refresh_from_db()
    assert (ticket.updated_at, ticket.last_activity_at) == (before.updated_at, before.last_activity_at)
    assert audit_times(ticket.pk, TicketAction.COMMENTED) == [before.created_at + timedelta(hours=1)]


def test_a_creation_time_in_the_future_is_refused():
    with pytest.raises(TicketError) as refused:
        make_ticket(created_at=timezone.now() + timedelta(minutes=5))
    assert (refused.value.field, refused.value.message) == ("createdAt", "Cannot be in the future.")


@pytest.mark.parametrize(
    ("offset", "message"),
    [
        (timedelta(hours=1), "Cannot be in the future."),
        (-timedelta(days=2), "Cannot be before the ticket was created."),
    ],
)
def test_a_change_time_outside_the_tickets_life_is_refused(offset, message):
    ticket = make_ticket(created_at=timezone.now() - timedelta(days=1))

    with pytest.raises(TicketError) as refused:
        services.ticket_change_status(
            ticket_id=ticket.pk, status="resolved", actor=TEST_ACTOR, at=timezone.now() + offset
        )

    assert (refused.value.field, refused.value.message) == ("at", message)
    ticket.refresh_from_db()
    assert ticket.status == "open"


def test_a_time_without_a_zone_is_refused():
    with pytest.raises(TicketError) as refused:
        make_ticket(created_at=datetime(2026, 1, 1, 12, 0))  # naive: the mistake under test
    assert refused.value.field == "createdAt"
