"""The SLA rules are written once (tickets.sla) and everything that applies them agrees,
on rows of every kind: the list's filter, the API, both CSV writers, the statistics, the
rule for one ticket in memory, and the SQL of the statistics' triggers (migration 0008)."""

import csv
import io
import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.db.models import Case, IntegerField, Value, When

from tickets.export import _python_chunks, csv_chunks
from tickets.filters import TicketFilter
from tickets.models import SupportTicket, TicketStatus, TicketTallyDelta
from tickets.selectors import ticket_list
from tickets.sla import is_overdue, overdue_q, sla_finished_q, sla_met_q
from tickets.statistics import ticket_statistics

from .api_helpers import URL, client_for

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
DEADLINES = (NOW - MINUTE, NOW, NOW + MINUTE)  # just past, due this instant, ahead
# When a first response or the resolution came, against its deadline; None: not yet.
AGAINST_DEADLINE = (None, -MINUTE, timedelta(0), MINUTE)


def every_kind_of_ticket() -> list[SupportTicket]:
    """A ticket per combination of status, deadlines, and first response and resolution
    before, at and after their deadlines; each created on a day of its own, so that each
    is alone in its tally bucket. Inserted directly: the rules read only these columns."""
    kinds = itertools.product(TicketStatus.values, DEADLINES, DEADLINES, AGAINST_DEADLINE, AGAINST_DEADLINE)
    rows = [
        SupportTicket(
            subject="Rule",
            description="Rule",
            customer_email="rule@example.com",
            status=status,
            response_target_minutes=60,
            response_deadline=response_deadline,
            resolution_deadline=resolution_deadline,
            first_response_at=None if responded is None else response_deadline + responded,
            resolved_at=None if resolved is None else resolution_deadline + resolved,
            created_at=NOW - timedelta(days=day),
        )
        for day, (status, response_deadline, resolution_deadline, responded, resolved) in enumerate(kinds, start=1)
    ]
    return SupportTicket.objects.bulk_create(rows)


def csv_overdue(content: bytes) -> set[int]:
    return {int(row["id"]) for row in csv.DictReader(io.StringIO(content.decode())) if row["isOverdue"] == "true"}


def test_every_reader_of_the_overdue_rule_agrees_with_it(staff_agent):
    tickets = every_kind_of_ticket()
    overdue = {ticket.pk for ticket in tickets if is_overdue(ticket, now=NOW)}
    assert 0 < len(overdue) < len(tickets)

    assert set(SupportTicket.objects.filter(overdue_q(now=NOW)).values_list("pk", flat=True)) == overdue
    with time_machine.travel(NOW, tick=False):
        assert {t.pk for t in TicketFilter({"overdue": "true"}, queryset=ticket_list()).qs} == overdue
        assert {t.pk for t in TicketFilter({"overdue": "false"}, queryset=ticket_list()).qs} == (
            {t.pk for t in tickets} - overdue
        )
        api = client_for(staff_agent).get(URL, {"overdue": "true", "limit": 1}).json()
        assert api["pagination"]["total"] == len(overdue)
        assert csv_overdue(b"".join(csv_chunks(ticket_list()))) == overdue
        assert csv_overdue(b"".join(_python_chunks(ticket_list()))) == overdue
    assert ticket_statistics(since=None, now=NOW)["overdue"] == len(overdue)


def test_the_triggers_judge_each_finished_ticket_as_the_rule_does():
    """The triggers' SQL is frozen in a migration; were the rule changed without a new
    migration for the triggers (or the other way round), this fails."""
    assert connection.vendor == "postgresql", "the triggers are PostgreSQL's; run the suite on PostgreSQL"
    every_kind_of_ticket()

    def counted(condition):
        return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())

    by_rule = {
        ticket["created_at"].astimezone(UTC).date(): (ticket["finished"], ticket["met"])
        for ticket in SupportTicket.objects.annotate(
            finished=counted(sla_finished_q()), met=counted(sla_met_q())
        ).values("created_at", "finished", "met")
    }
    by_triggers: dict[date, tuple[int, int]] = {
        delta.day: (delta.sla_finished, delta.sla_met) for delta in TicketTallyDelta.objects.all()
    }

    assert set(by_rule.values()) == {(0, 0), (1, 0), (1, 1)}  # every outcome is among the rows
    assert by_triggers == by_rule


def test_the_overdue_rule_can_be_answered_from_the_index_of_unfinished_tickets():
    """The rule's condition implies the partial index's predicate; were the finished
    statuses to change on one side only, the overdue filter and count would read the table."""
    every_kind_of_ticket()
    overdue = SupportTicket.objects.filter(overdue_q(now=NOW))
    sql, params = overdue.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tickets_supportticket")
        cursor.execute("SET LOCAL enable_seqscan = off")  # so the plan shows what the index allows
        cursor.execute(f"EXPLAIN SELECT count(*) FROM ({sql}) overdue", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "ticket_active_deadlines_idx" in plan, plan
