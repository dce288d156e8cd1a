"""Statistics against figures worked out by hand (the endpoint's contract is in
test_api_reports.py, the tallies' exactness in test_statistics_tallies.py)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tickets import services
from tickets.statistics import ticket_statistics

from .factories import TEST_ACTOR, make_ticket

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


def at(offset: timedelta):
    return time_machine.travel(T0 + offset, tick=False)


def reply(ticket_id: int) -> None:
    services.comment_add(ticket_id=ticket_id, body="Reply", is_internal=False, author="A", actor=TEST_ACTOR)


def resolve(ticket_id: int) -> None:
    services.ticket_change_status(ticket_id=ticket_id, status="resolved", actor=TEST_ACTOR)


def test_statistics_match_hand_computed_figures():
    with at(timedelta(0)):
        # A: urgent, replied after 20 min, resolved after 3 h: met both targets.
        a = make_ticket(priority="urgent", category="billing")
        # B: high, replied after 3 h (target 2 h), resolved after 5 h: missed.
        b = make_ticket(priority="high", category="billing")
        # C: medium, no reply, still open; overdue once past 4 h.
        make_ticket(priority="medium")
        # D: low, replied after 1 h, in progress, within targets.
        d = make_ticket(priority="low", category="technical")
    with at(timedelta(minutes=20)):
        reply(a.pk)
    with at(timedelta(hours=1)):
        reply(d.pk)
        services.ticket_change_status(ticket_id=d.pk, status="in_progress", actor=TEST_ACTOR)
    with at(timedelta(hours=3)):
        resolve(a.pk)
        reply(b.pk)
    with at(timedelta(hours=5)):
        resolve(b.pk)

    report = ticket_statistics(since=None, now=T0 + timedelta(hours=6))

    assert report["total"] == 4
    assert report["byStatus"] == {"open": 1, "in_progress": 1, "waiting_customer": 0, "resolved": 2, "closed": 0}
    assert report["byPriority"] == {"low": 1, "medium": 1, "high": 1, "urgent": 1}
    assert report["byCategory"]["billing"] == 2
    assert report["byCategory"]["technical"] == 1
    assert report["byCategory"]["general"] == 1
    assert report["overdue"] == 1  # C
    # Responses: 20, 180 and 60 minutes.
    assert report["averageResponseTimeMinutes"] == pytest.approx((20 + 180 + 60) / 3, abs=0.1)
    # Resolutions: 180 and 300 minutes.
    assert report["averageResolutionTimeMinutes"] == 240.0
    # Known outcomes: A met, B missed, C overdue (missed); D still running. 1 of 3.
    assert report["slaComplianceRate"] == pytest.approx(33.3, abs=0.05)


def test_statistics_count_only_tickets_created_since_the_start_of_the_range():
    with at(timedelta(days=-10)):
        make_ticket()
    with at(timedelta(days=-7, minutes=-1)):
        make_ticket()  # a minute before the range, on its first day
    with at(timedelta(days=-7, minutes=1)):
        make_ticket(priority="urgent")  # a minute into it, on the same day
    with at(timedelta(0)):
        make_ticket()
    report = ticket_statistics(since=T0 - timedelta(days=7), now=T0)
    assert report["total"] == 2
    assert report["byPriority"]["urgent"] == 1
    assert report["overdue"] == 1  # the urgent one, days past its deadlines
