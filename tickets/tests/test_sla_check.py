"""The minutely SLA check: each breach is announced once, to dashboards and integrations."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tickets import services
from tickets.models import TicketEvent
from tickets.tasks import sla_check

from .factories import TEST_ACTOR, make_ticket

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def announced(ticket) -> list[str | None]:
    return list(TicketEvent.objects.filter(ticket=ticket, field="sla").values_list("new_value", flat=True))


def run_check_at(moment: datetime, capture) -> list:
    with time_machine.travel(moment, tick=False), capture() as callbacks:
        sla_check()
    return callbacks


def test_each_breach_is_announced_once(django_capture_on_commit_callbacks):
    with time_machine.travel(T0, tick=False):
        ticket = make_ticket(priority="urgent")

    assert run_check_at(T0 + timedelta(minutes=23), django_capture_on_commit_callbacks) == []
    assert len(run_check_at(T0 + timedelta(minutes=29), django_capture_on_commit_callbacks)) == 1  # the warning
    assert len(run_check_at(T0 + timedelta(minutes=31), django_capture_on_commit_callbacks)) == 1
    assert run_check_at(T0 + timedelta(minutes=45), django_capture_on_commit_callbacks) == []
    assert len(run_check_at(T0 + timedelta(hours=4, minutes=1), django_capture_on_commit_callbacks)) == 1
    assert run_check_at(T0 + timedelta(hours=5), django_capture_on_commit_callbacks) == []
    # The resolution's warning came due with its breach (no check ran between): the breach says it.
    assert announced(ticket) == ["response due in 1 min", "missed response", "missed resolution"]


def test_both_breaches_at_once_are_one_announcement(django_capture_on_commit_callbacks):
    with time_machine.travel(T0, tick=False):
        ticket = make_ticket(priority="urgent")
    run_check_at(T0 + timedelta(hours=5), django_capture_on_commit_callbacks)
    assert announced(ticket) == ["missed response and resolution"]


def test_answered_or_finished_tickets_are_not_announced(django_capture_on_commit_callbacks):
    with time_machine.travel(T0, tick=False):
        answered = make_ticket(priority="urgent")
        services.comment_add(ticket_id=answered.pk, body="Hi", is_internal=False, author="A", actor=TEST_ACTOR)
        resolved = make_ticket(priority="urgent")
        services.ticket_change_status(ticket_id=resolved.pk, status="resolved", actor=TEST_ACTOR)
    run_check_at(T0 + timedelta(hours=1), django_capture_on_commit_callbacks)
    assert announced(answered) == []
    assert announced(resolved) == []


def test_a_later_deadline_after_a_priority_change_can_be_breached_again(django_capture_on_commit_callbacks):
    with time_machine.travel(T0, tick=False):
        ticket = make_ticket(priority="urgent")
    run_check_at(T0 + timedelta(minutes=31), django_capture_on_commit_callbacks)
    with time_machine.travel(T0 + timedelta(minutes=40), tick=False):
        services.ticket_change_priority(ticket_id=ticket.pk, priority="high", actor=TEST_ACTOR)  # response due at 2 h
    assert run_check_at(T0 + timedelta(minutes=50), django_capture_on_commit_callbacks) == []
    assert len(run_check_at(T0 + timedelta(hours=2, minutes=1), django_capture_on_commit_callbacks)) == 1
    assert announced(ticket) == ["missed response", "missed response"]


def test_overdue_event_carries_the_sla(dashboard, django_capture_on_commit_callbacks):
    with time_machine.travel(T0, tick=False):
        ticket = make_ticket(priority="urgent")
    with time_machine.travel(T0 + timedelta(minutes=31), tick=False), django_capture_on_commit_callbacks(execute=True):
        sla_check()
    [message] = dashboard(1)
    assert message["event"] == "ticket-overdue"
    assert message["data"]["id"] == ticket.pk
    assert message["data"]["sla"]["isOverdue"] is True
    assert message["data"]["breaches"] == ["response"]
