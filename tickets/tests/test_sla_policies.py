"""SLA policies: targets by the first matching policy, counted in business hours, paused
while waiting on the customer, recomputed when what they depend on changes."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from tickets import services, sla_policies, tasks
from tickets.exceptions import TicketError
from tickets.models import SupportTicket
from tickets.sla import is_overdue, overdue_q

from .api_helpers import frozen_at
from .factories import TEST_ACTOR, make_agent, make_team, make_ticket

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
OFFICE = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)  # type: ignore[misc]


def office_calendar(**overrides):
    fields = {"name": "Berlin office", "timezone": "Europe/Berlin", "hours": OFFICE, "holidays": ["2026-12-25"]}
    return sla_policies.calendar_create(**(fields | overrides))


def policy(**overrides):
    fields = {"name": "Standard", "first_response_minutes": 120, "resolution_minutes": 8 * 60}
    return sla_policies.policy_create(**(fields | overrides))


def test_without_policies_the_settings_targets_run_around_the_clock():
    with frozen_at(datetime(2026, 12, 4, 15, 0, tzinfo=UTC)):  # a Friday
        ticket = make_ticket(priority="urgent")

    assert ticket.sla_policy is None
    assert ticket.response_deadline == datetime(2026, 12, 4, 15, 30, tzinfo=UTC)
    assert ticket.resolution_deadline == datetime(2026, 12, 4, 19, 0, tzinfo=UTC)


def test_deadlines_count_business_hours_across_the_weekend():
    policy(calendar_id=office_calendar().pk)

    with frozen_at(berlin(2026, 12, 4, 16, 0)):  # Friday, an hour before closing
        ticket = make_ticket()

    assert ticket.response_deadline == berlin(2026, 12, 7, 10, 0)  # 1 h on Friday, 1 h on Monday
    assert ticket.resolution_deadline == berlin(2026, 12, 7, 16, 0)  # 1 h on Friday, 7 h on Monday


def test_holidays_are_closed():
    policy(calendar_id=office_calendar().pk)

    with frozen_at(berlin(2026, 12, 24, 16, 30)):  # Thursday; Friday the 25th is a holiday
        ticket = make_ticket()

    assert ticket.response_deadline == berlin(2026, 12, 28, 10, 30)


def test_the_first_matching_policy_by_position_applies():
    team = make_team("VIP", "manual", [make_agent("Ann")])
    policy(name="Everyone", position=10)
    vip = policy(
        name="VIP urgent",
        position=1,
        conditions={"priority": "urgent", "teamId": [team.pk]},
        first_response_minutes=15,
        resolution_minutes=60,
    )

    urgent_vip = make_ticket(priority="urgent", team_id=team.pk)
    urgent_other = make_ticket(priority="urgent")

    assert urgent_vip.sla_policy == vip
    assert (urgent_vip.response_target_minutes, urgent_other.response_target_minutes) == (15, 120)


def test_a_priority_change_picks_the_policy_again():
    policy(name="Urgent", conditions={"priority": ["urgent"]}, first_response_minutes=15, resolution_minutes=60)
    with frozen_at(datetime(2026, 12, 7, 9, 0, tzinfo=UTC)):
        ticket = make_ticket(priority="high")
        assert ticket.sla_policy is None

        services.ticket_change_priority(ticket_id=ticket.pk, priority="urgent", actor=TEST_ACTOR)

    ticket.refresh_from_db()
    assert ticket.sla_policy is not None and ticket.sla_policy.name == "Urgent"
    assert ticket.response_deadline == datetime(2026, 12, 7, 9, 15, tzinfo=UTC)


def test_waiting_on_the_customer_pauses_the_clock_and_moves_the_deadlines():
    policy(calendar_id=office_calendar().pk, pause_on_waiting_customer=True)
    with frozen_at(berlin(2026, 12, 7, 9, 0)):  # Monday opening
        ticket = make_ticket()
    assert ticket.resolution_deadline == berlin(2026, 12, 7, 17, 0)

    with frozen_at(berlin(2026, 12, 7, 10, 0)):
        services.ticket_change_status(ticket_id=ticket.pk, status="waiting_customer", actor=TEST_ACTOR)
    ticket.refresh_from_db()
    assert (ticket.response_deadline, ticket.resolution_deadline) == (None, None)
    assert not is_overdue(ticket, now=berlin(2026, 12, 9, 9, 0))  # days later, still paused

    # Back overnight: the pause spans closed hours, but only the 7 open hours in it count.
    with frozen_at(berlin(2026, 12, 8, 8, 0)):
        services.ticket_change_status(ticket_id=ticket.pk, status="open", actor=TEST_ACTOR)
    ticket.refresh_from_db()
    assert ticket.response_deadline == berlin(2026, 12, 8, 10, 0)  # 1 h used, 1 h left from 09:00
    assert ticket.resolution_deadline == berlin(2026, 12, 8, 16, 0)  # 7 h left from 09:00


def test_without_pause_waiting_does_not_stop_the_clock():
    policy(calendar_id=office_calendar().pk, pause_on_waiting_customer=False)
    with frozen_at(berlin(2026, 12, 7, 9, 0)):
        ticket = make_ticket()
    with frozen_at(berlin(2026, 12, 7, 10, 0)):
        services.ticket_change_status(ticket_id=ticket.pk, status="waiting_customer", actor=TEST_ACTOR)

    ticket.refresh_from_db()
    assert ticket.resolution_deadline == berlin(2026, 12, 7, 17, 0)


def test_a_pause_after_a_breach_does_not_undo_it():
    policy(pause_on_waiting_customer=True)  # around the clock: 2 h and 8 h
    with frozen_at(datetime(2026, 12, 7, 9, 0, tzinfo=UTC)):
        ticket = make_ticket()
    with frozen_at(datetime(2026, 12, 7, 12, 0, tzinfo=UTC)):  # response already missed at 11:00
        services.ticket_change_status(ticket_id=ticket.pk, status="waiting_customer", actor=TEST_ACTOR)

    ticket.refresh_from_db()
    assert ticket.response_deadline == datetime(2026, 12, 7, 11, 0, tzinfo=UTC)
    assert ticket.resolution_deadline is None
    assert is_overdue(ticket, now=datetime(2026, 12, 7, 12, 1, tzinfo=UTC))


def test_resolving_while_waiting_closes_the_pause():
    policy(pause_on_waiting_customer=True)
    with frozen_at(datetime(2026, 12, 7, 9, 0, tzinfo=UTC)):
        ticket = make_ticket()
    with frozen_at(datetime(2026, 12, 7, 10, 0, tzinfo=UTC)):
        services.ticket_change_status(ticket_id=ticket.pk, status="waiting_customer", actor=TEST_ACTOR)
    with frozen_at(datetime(2026, 12, 7, 13, 0, tzinfo=UTC)):
        services.ticket_change_status(ticket_id=ticket.pk, status="resolved", actor=TEST_ACTOR)

    ticket.refresh_from_db()
    assert ticket.resolution_deadline == datetime(2026, 12, 7, 20, 0, tzinfo=UTC)  # 8 h + 3 h paused


def test_a_calendar_edit_recomputes_the_open_tickets_that_use_it_and_leaves_finished_ones():
    calendar = office_calendar()
    policy(calendar_id=calendar.pk)
    with frozen_at(berlin(2026, 12, 7, 9, 0)):
        open_ticket = make_ticket()
        done = make_ticket()
        services.ticket_change_status(ticket_id=done.pk, status="resolved", actor=TEST_ACTOR)
    done.refresh_from_db()
    done_deadline = done.resolution_deadline

    hours = {**OFFICE, "mon": [["09:00", "13:00"]]}
    sla_policies.calendar_update(calendar_id=calendar.pk, hours=hours)
    tasks.sla_refresh(calendar_id=calendar.pk)

    open_ticket.refresh_from_db()
    done.refresh_from_db()
    assert open_ticket.resolution_deadline == berlin(2026, 12, 8, 13, 0)  # 4 h Monday, 4 h Tuesday
    assert done.resolution_deadline == done_deadline


def test_a_new_policy_applies_to_open_tickets_once_refreshed():
    with frozen_at(datetime(2026, 12, 7, 9, 0, tzinfo=UTC)):
        ticket = make_ticket()
        policy(first_response_minutes=30, resolution_minutes=60)

    tasks.sla_refresh()

    ticket.refresh_from_db()
    assert ticket.sla_policy is not None
    assert ticket.resolution_deadline == datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"conditions": {"priority": "huge"}}, "conditions", 'conditions.priority: "huge" is not a priority.'),
        ({"conditions": {"colour": "red"}}, "conditions", '"colour" is not a condition'),
        ({"conditions": {"teamId": [999]}}, "conditions", "conditions.teamId: no team with id 999."),
        ({"first_response_minutes": 0}, "firstResponseMinutes", "Give whole minutes"),
        ({"resolution_minutes": 60}, "resolutionMinutes", "cannot come before"),
        ({"calendar_id": 999}, "calendarId", "No calendar with id 999."),
        ({"name": " "}, "name", "may not be blank"),
    ],
)
def test_invalid_policies_are_refused_naming_the_field(fields, field, message):
    with pytest.raises(TicketError) as error:
        policy(**fields)
    assert error.value.field == field
    assert message in error.value.message


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"hours": {"mon": [["09:00", "25:00"]]}}, "hours"),
        ({"hours": {"someday": [["09:00", "17:00"]]}}, "hours"),
        ({"holidays": ["2026-13-01"]}, "holidays"),
    ],
)
def test_invalid_calendars_are_refused_naming_the_field(fields, field):
    with pytest.raises(TicketError) as error:
        office_calendar(**fields)
    assert error.value.field == field


def test_a_calendar_in_use_cannot_be_deleted():
    calendar = office_calendar()
    policy(calendar_id=calendar.pk)

    with pytest.raises(TicketError):
        sla_policies.calendar_delete(calendar_id=calendar.pk)


def test_paused_tickets_are_never_in_the_overdue_filter():
    policy(pause_on_waiting_customer=True)
    with frozen_at(datetime(2026, 12, 7, 9, 0, tzinfo=UTC)):
        ticket = make_ticket()
        services.ticket_change_status(ticket_id=ticket.pk, status="waiting_customer", actor=TEST_ACTOR)

    assert not SupportTicket.objects.filter(overdue_q(now=datetime(2027, 1, 1, tzinfo=UTC))).exists()
