"""The daily tallies behind the statistics stay exact through any mix of changes.

The oracle works the figures out ticket by ticket with the rules of tickets.sla, so the
triggers' SQL and the reading code are checked against the rules, not against each other.
"""

import random
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.apps import apps as django_apps
from django.db import connection
from django_celery_beat.models import PeriodicTask

from integrations.schedules import ensure_schedules
from tickets import services
from tickets.models import (
    SupportTicket,
    TicketCategory,
    TicketDailyTally,
    TicketPriority,
    TicketStatus,
    TicketTallyDelta,
)
from tickets.statistics import tallies_compact, ticket_statistics

from .factories import TEST_ACTOR, make_ticket
from .statistics_oracle import expected_report

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
STATUSES = list(TicketStatus.values)


def random_history(rng: random.Random, steps: int) -> datetime:
    """Creates, edits, reopens, comments, bulk-updates and deletes over a few days."""
    now = T0
    ids: list[int] = []
    for _ in range(steps):
        now += timedelta(minutes=rng.randrange(1, 240))
        with time_machine.travel(now, tick=False):
            roll = rng.random()
            if roll < 0.3 or not ids:
                ticket = make_ticket(
                    priority=rng.choice(TicketPriority.values), category=rng.choice(TicketCategory.values)
                )
                ids.append(ticket.pk)
                continue
            ticket_id = rng.choice(ids)
            if roll < 0.5:
                services.ticket_change_status(ticket_id=ticket_id, status=rng.choice(STATUSES), actor=TEST_ACTOR)
            elif roll < 0.6:
                priority = rng.choice(TicketPriority.values)
                services.ticket_change_priority(ticket_id=ticket_id, priority=priority, actor=TEST_ACTOR)
            elif roll < 0.75:
                services.comment_add(
                    ticket_id=ticket_id, body="On it", is_internal=rng.random() < 0.3, author="A", actor=TEST_ACTOR
                )
            elif roll < 0.85:
                services.tickets_bulk_update(
                    ids=rng.sample(ids, k=min(3, len(ids))),
                    status=rng.choice(STATUSES),
                    category=rng.choice(TicketCategory.values),
                    actor=TEST_ACTOR,
                )
            elif roll < 0.88:
                tallies_compact()  # as beat does every minute, between any two writes
            elif roll < 0.92:
                category = rng.choice(TicketCategory.values)
                services.ticket_update(ticket_id=ticket_id, category=category, actor=TEST_ACTOR)
            else:
                SupportTicket.objects.filter(pk=ticket_id).delete()
                ids.remove(ticket_id)
    return now


@pytest.mark.parametrize("seed", range(4))
def test_statistics_equal_the_rule_applied_to_every_ticket_after_any_history(seed):
    assert connection.vendor == "postgresql", "the tallies are PostgreSQL's; run the suite on PostgreSQL"
    rng = random.Random(seed)
    end = random_history(rng, steps=120)
    for since in (None, T0 + timedelta(hours=7, minutes=13), T0 + timedelta(days=1), end - timedelta(hours=3)):
        for now in (end, end + timedelta(days=10)):
            assert ticket_statistics(since=since, now=now) == expected_report(since=since, now=now), (since, now)


def test_a_write_outside_the_services_is_tallied_too():
    """The triggers follow the table, so a bulk load or a raw UPDATE cannot skew the figures."""
    with time_machine.travel(T0, tick=False):
        tickets = [make_ticket(), make_ticket(priority="urgent")]
    SupportTicket.objects.filter(pk__in=[t.pk for t in tickets]).update(status="closed", category="billing")
    report = ticket_statistics(since=None, now=T0)
    assert report["byStatus"]["closed"] == 2
    assert report["byCategory"] == {**dict.fromkeys(TicketCategory.values, 0), "billing": 2}


def test_a_change_the_statistics_do_not_read_appends_nothing():
    with time_machine.travel(T0, tick=False):
        ticket = make_ticket()
    appended = TicketTallyDelta.objects.count()
    services.ticket_register_view(ticket_id=ticket.pk)
    services.ticket_assign(ticket_id=ticket.pk, assigned_to="Blair Agent", actor=TEST_ACTOR)
    assert TicketTallyDelta.objects.count() == appended


def test_compaction_folds_the_changes_into_the_tallies_and_the_figures_stay():
    with time_machine.travel(T0, tick=False):
        tickets = [make_ticket(priority=priority) for priority in TicketPriority.values]
        services.ticket_change_status(ticket_id=tickets[0].pk, status="resolved", actor=TEST_ACTOR)
    before = ticket_statistics(since=None, now=T0)
    assert TicketTallyDelta.objects.count() == 6  # four creations, a status change's two buckets

    assert tallies_compact() == 6
    assert TicketTallyDelta.objects.count() == 0
    assert TicketDailyTally.objects.filter(tickets__gt=0).count() == 4
    assert ticket_statistics(since=None, now=T0) == before
    assert tallies_compact() == 0


def test_statistics_take_three_queries_whatever_the_data(django_assert_num_queries):
    with time_machine.travel(T0, tick=False):
        for priority in TicketPriority.values:
            make_ticket(priority=priority)
    with django_assert_num_queries(3):  # whole days' tallies, the part-day's tickets, the overdue
        ticket_statistics(since=T0 - timedelta(hours=30), now=T0)
    with django_assert_num_queries(2):
        ticket_statistics(since=None, now=T0)


def test_beat_compacts_the_tallies_every_minute():
    # Tests that flush the database remove the migration's rows: store them as it does.
    ensure_schedules(django_apps)
    task = PeriodicTask.objects.get(name="Compact the statistics' tallies")
    assert task.task == "tickets.tasks.statistics_compact"
    assert (task.interval.every, task.interval.period, task.enabled) == (60, "seconds", True)
