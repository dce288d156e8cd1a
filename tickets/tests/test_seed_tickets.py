"""`seed_tickets`, the benchmark's bulk loader, leaves the data as the services would."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from tickets import custom_fields, search, sla_clock
from tickets.models import SupportTicket, TicketComment
from tickets.statistics import ticket_statistics

from .factories import make_ticket
from .statistics_oracle import expected_report

# It VACUUMs, which no transaction may hold; slow: seconds, with its table flush.
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _schema() -> list[tuple[str, str]]:
    """Index names and constraint definitions (an index's text, deparsed, may differ in casts)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT indexname, '' FROM pg_indexes
               WHERE tablename IN ('tickets_supportticket', 'tickets_ticketcomment')
               UNION ALL SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
               WHERE conrelid IN ('tickets_supportticket'::regclass, 'tickets_ticketcomment'::regclass)
               ORDER BY 1, 2"""
        )
        return cursor.fetchall()


def test_seed_tickets_appends_what_the_services_would_have_written():
    schema_before = _schema()
    existing = make_ticket(subject="Made before the load")
    call_command("seed_tickets", count=400, seed=7)

    # The count asked for, appended, numbered on from the last, and the next number after them.
    assert SupportTicket.objects.count() == 401
    assert sorted(SupportTicket.objects.values_list("number", flat=True)) == list(range(1, 402))
    assert make_ticket().number == 402
    assert SupportTicket.objects.get(pk=existing.pk).subject == "Made before the load"
    # Every index and constraint dropped for the load is back as it was.
    assert _schema() == schema_before

    # Deadlines follow the ticket's SLA policy, assignees their team, counters the comments.
    policies = sla_clock.active_policies()
    assert {policy.name for policy in policies} == {"Urgent, around the clock", "Billing, office hours"}
    paused = 0
    for ticket in SupportTicket.objects.exclude(pk=existing.pk).prefetch_related("comments"):
        clock = sla_clock.ticket_clock(ticket, policies)
        assert ticket.sla_policy_id == (clock.policy.pk if clock.policy else None)
        if clock.pauses_on_waiting and ticket.status == "waiting_customer":
            assert (ticket.response_deadline, ticket.resolution_deadline) == (None, None)
            paused += 1
        else:
            deadlines = sla_clock.deadlines(clock, created_at=ticket.created_at)
            assert (ticket.response_deadline, ticket.resolution_deadline) == (deadlines.response, deadlines.resolution)
            assert (ticket.response_warning_at, ticket.resolution_warning_at) == (
                deadlines.response_warning,
                deadlines.resolution_warning,
            )
        if ticket.assignee_id is not None:
            assert ticket.assigned_to == ticket.assignee.display_name
            if ticket.team_id is not None:
                assert ticket.team.memberships.filter(agent_id=ticket.assignee_id).exists()
        assert ticket.total_comments == len(ticket.comments.all())
        assert (ticket.resolved_at is not None) == (ticket.status in ("resolved", "closed"))
    assert SupportTicket.objects.filter(team__name="Billing", sla_policy__calendar__isnull=False).exists()
    # Every loaded ticket has a plan, a value the services would accept, and the filter finds them.
    plan = custom_fields.definitions()[0]
    loaded_tickets = SupportTicket.objects.filter(number__range=(2, 401))
    for values in loaded_tickets.values_list("custom_fields", flat=True):
        assert custom_fields.clean_value(plan, values["plan"]) == values["plan"]
    enterprise = loaded_tickets.filter(custom_fields__contains={"plan": "enterprise"}).count()
    assert 0 < enterprise < loaded_tickets.count() / 5

    # The search documents are the ones the services build, and comment words find tickets.
    with connection.cursor() as cursor:
        for ticket in SupportTicket.objects.filter(comments__isnull=False).distinct()[:30]:
            cursor.execute("SELECT search_vector::text FROM tickets_supportticket WHERE id = %s", [ticket.pk])
            loaded = cursor.fetchone()[0]
            search.search_document_build(ticket.pk)
            cursor.execute("SELECT search_vector::text FROM tickets_supportticket WHERE id = %s", [ticket.pk])
            assert cursor.fetchone()[0] == loaded
    comment = TicketComment.objects.select_related("ticket").first()
    word = comment.body.split()[1].strip(".").lower()
    assert comment.ticket in search.search_filter(SupportTicket.objects.all(), word)

    # The statistics' tallies took in every ticket.
    now = timezone.now()
    for since in (None, now - timedelta(days=30)):
        assert ticket_statistics(since=since, now=now) == expected_report(since=since, now=now)
