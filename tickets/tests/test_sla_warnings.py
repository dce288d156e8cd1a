"""Warnings before an SLA breach: once SLA_WARNING_PERCENT of a target's time has run on the
ticket's clock, the minutely check warns once per target, to dashboards and integrations."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from tickets import services, sla_policies
from tickets.models import SupportTicket, TicketEvent
from tickets.sla import resolution_warning_due_q, response_warning_due_q
from tickets.tasks import sla_check

from .api_helpers import frozen_at
from .factories import TEST_ACTOR, make_ticket
from .test_concurrency import run_together

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)  # a Monday
BERLIN = ZoneInfo("Europe/Berlin")
OFFICE = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def sla_audit(ticket: SupportTicket) -> list[str | None]:
    """What the ticket's audit trail says of its SLA: warnings and breaches, in order."""
    rows = TicketEvent.objects.filter(ticket=ticket, field="sla").order_by("created_at", "id")
    return list(rows.values_list("new_value", flat=True))


def check_at(moment: datetime) -> int:
    """The minutely task at `moment`; how many tickets it warned or found breached."""
    with frozen_at(moment):
        return sla_check()


def ticket_at(moment: datetime, **fields: object) -> SupportTicket:
    with frozen_at(moment):
        return make_ticket(**fields)


def policy(**overrides: object):
    fields = {"name": "Standard", "first_response_minutes": 120, "resolution_minutes": 8 * 60}
    return sla_policies.policy_create(**(fields | overrides))


def test_each_target_is_warned_once_when_the_percent_of_its_time_has_run():
    ticket = ticket_at(T0, priority="urgent")  # 30 min to respond, 4 h to resolve: warned at 24 min and 3 h 12

    assert (ticket.response_warning_at, ticket.resolution_warning_at) == (
        T0 + timedelta(minutes=24),
        T0 + timedelta(hours=3, minutes=12),
    )
    check_at(T0 + timedelta(minutes=23))
    assert sla_audit(ticket) == []
    check_at(T0 + timedelta(minutes=24))
    check_at(T0 + timedelta(minutes=25))
    assert sla_audit(ticket) == ["response due in 6 min"]

    services.comment_add(ticket_id=ticket.pk, body="On it", is_internal=False, author="Tom", actor=TEST_ACTOR)
    check_at(T0 + timedelta(hours=3, minutes=12))
    check_at(T0 + timedelta(hours=3, minutes=30))
    assert sla_audit(ticket) == ["response due in 6 min", "resolution due in 48 min"]
    event = TicketEvent.objects.filter(ticket=ticket, field="sla").last()
    assert (event.action, event.actor, event.source) == ("updated", "System", "system")


def test_the_percent_is_a_setting(settings):
    settings.SLA_WARNING_PERCENT = 50
    ticket = ticket_at(T0, priority="urgent")

    check_at(T0 + timedelta(minutes=14))
    assert sla_audit(ticket) == []
    check_at(T0 + timedelta(minutes=15))
    assert sla_audit(ticket) == ["response due in 15 min"]


def test_both_targets_due_at_once_are_one_warning():
    policy(first_response_minutes=100, resolution_minutes=110)  # warned at 80 and 88 min
    ticket = ticket_at(T0)

    assert check_at(T0 + timedelta(minutes=90)) == 1
    assert sla_audit(ticket) == ["response due in 10 min and resolution due in 20 min"]


def test_answered_and_finished_tickets_are_not_warned_of_what_no_longer_runs():
    answered, resolved = ticket_at(T0, priority="urgent"), ticket_at(T0, priority="urgent")
    with frozen_at(T0 + timedelta(minutes=5)):
        services.comment_add(ticket_id=answered.pk, body="Hi", is_internal=False, author="A", actor=TEST_ACTOR)
        services.ticket_change_status(ticket_id=resolved.pk, status="resolved", actor=TEST_ACTOR)

    check_at(T0 + timedelta(minutes=25))
    check_at(T0 + timedelta(hours=3, minutes=15))
    assert sla_audit(answered) == ["resolution due in 45 min"]
    assert sla_audit(resolved) == []


def test_a_paused_clock_warns_of_nothing_and_its_warning_moves_with_the_pause():
    policy(pause_on_waiting_customer=True)  # around the clock: 2 h and 8 h; warned at 96 min
    ticket = ticket_at(T0)
    with frozen_at(T0 + timedelta(hours=1)):
        services.ticket_change_status(ticket_id=ticket.pk, status="waiting_customer", actor=TEST_ACTOR)
    ticket.refresh_from_db()
    assert (ticket.response_warning_at, ticket.resolution_warning_at) == (None, None)

    check_at(T0 + timedelta(hours=2))
    check_at(T0 + timedelta(days=2))
    assert sla_audit(ticket) == []

    with frozen_at(T0 + timedelta(hours=3)):  # after 2 h paused: 36 min to the warning
        services.ticket_change_status(ticket_id=ticket.pk, status="open", actor=TEST_ACTOR)
    check_at(T0 + timedelta(hours=3, minutes=35))
    assert sla_audit(ticket) == []
    check_at(T0 + timedelta(hours=3, minutes=36))
    assert sla_audit(ticket) == ["response due in 24 min"]


def test_a_pause_after_the_warning_does_not_warn_again():
    policy(pause_on_waiting_customer=True)
    ticket = ticket_at(T0)
    check_at(T0 + timedelta(minutes=100))
    with frozen_at(T0 + timedelta(minutes=101)):
        services.ticket_change_status(ticket_id=ticket.pk, status="waiting_customer", actor=TEST_ACTOR)
    with frozen_at(T0 + timedelta(minutes=200)):
        services.ticket_change_status(ticket_id=ticket.pk, status="open", actor=TEST_ACTOR)

    check_at(T0 + timedelta(minutes=201))
    assert sla_audit(ticket) == ["response due in 20 min"]


def test_business_hours_count_towards_the_warning_as_towards_the_deadline():
    policy(calendar_id=sla_policies.calendar_create(name="Berlin office", timezone="Europe/Berlin", hours=OFFICE).pk)
    friday_afternoon = datetime(2026, 12, 4, 16, 0, tzinfo=BERLIN)  # an hour before closing
    ticket = ticket_at(friday_afternoon)

    # 96 of the 120 minutes: 60 on Friday, 36 on Monday; 384 of 480: 60 on Friday, 324 on Monday.
    assert ticket.response_warning_at == datetime(2026, 12, 7, 9, 36, tzinfo=BERLIN)
    assert ticket.resolution_warning_at == datetime(2026, 12, 7, 14, 24, tzinfo=BERLIN)
    check_at(datetime(2026, 12, 5, 12, 0, tzinfo=BERLIN))  # Saturday: 80 % of the wall time has long run
    check_at(datetime(2026, 12, 7, 9, 35, tzinfo=BERLIN))
    assert sla_audit(ticket) == []
    check_at(datetime(2026, 12, 7, 9, 36, tzinfo=BERLIN))
    assert sla_audit(ticket) == ["response due in 24 min"]


def test_a_warning_moved_ahead_by_a_priority_change_is_given_again():
    ticket = ticket_at(T0, priority="urgent")
    check_at(T0 + timedelta(minutes=24))
    with frozen_at(T0 + timedelta(minutes=25)):
        services.ticket_change_priority(ticket_id=ticket.pk, priority="high", actor=TEST_ACTOR)  # 2 h: warned at 96

    check_at(T0 + timedelta(minutes=30))
    check_at(T0 + timedelta(minutes=96))
    assert sla_audit(ticket) == ["response due in 6 min", "response due in 24 min"]


def test_a_warning_due_after_its_deadline_gives_way_to_the_breach():
    ticket = ticket_at(T0, priority="urgent")

    check_at(T0 + timedelta(minutes=31))  # the check did not run for half an hour
    check_at(T0 + timedelta(minutes=32))
    assert sla_audit(ticket) == ["missed response"]


def test_the_warning_reaches_the_dashboards(dashboard, django_capture_on_commit_callbacks):
    ticket = ticket_at(T0, priority="urgent")

    with frozen_at(T0 + timedelta(minutes=24)), django_capture_on_commit_callbacks(execute=True):
        sla_check()

    [message] = dashboard(1)
    assert message["event"] == "ticket-sla-warning"
    data = message["data"]
    assert (data["id"], data["ticketNumber"], data["targets"]) == (ticket.pk, ticket.ticket_number, ["response"])
    assert data["sla"]["responseDeadline"] == "2026-06-01T12:30:00Z"
    assert data["sla"]["isOverdue"] is False
    assert data["ticket"]["sla"] == data["sla"]


def test_the_check_reads_only_the_partial_indexes_of_warnings_still_to_give():
    assert connection.vendor == "postgresql", "the plans are PostgreSQL's; run the suite on PostgreSQL"
    for _ in range(3):
        ticket_at(T0, priority="urgent")
    due = SupportTicket.objects.filter(
        response_warning_due_q(now=T0 + timedelta(hours=1)) | resolution_warning_due_q(now=T0 + timedelta(hours=1))
    )
    sql, params = due.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tickets_supportticket")
        # The index of every unfinished ticket could serve too, and on a table this small the
        # planner may take it; without it (dropped in the test's transaction only), the plan
        # shows that the rules imply the predicates of the warnings' own indexes.
        cursor.execute("DROP INDEX ticket_active_deadlines_idx")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "ticket_response_warning_idx" in plan, plan
    assert "ticket_resolution_warning_idx" in plan, plan


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_overlapping_checks_warn_each_ticket_once():
    tickets = [ticket_at(T0, priority="urgent") for _ in range(20)]
    moment = T0 + timedelta(minutes=25)

    warned = run_together(4, lambda _: services.tickets_announce_sla_warnings(now=moment))

    assert sum(warned) == 20
    assert [sla_audit(ticket) for ticket in tickets] == [["response due in 5 min"]] * 20
