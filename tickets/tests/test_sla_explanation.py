"""GET .../{id}/sla: the policy, the calendar, the clock's segments, and in words why the
ticket is or is not overdue."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from tickets import services, sla_policies

from .api_helpers import client_for, frozen_at, ticket_url
from .factories import TEST_ACTOR, make_ticket

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
OFFICE = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)  # type: ignore[misc]


def office_policy(**fields):
    calendar = sla_policies.calendar_create(name="Berlin office", timezone="Europe/Berlin", hours=OFFICE)
    return sla_policies.policy_create(
        name="Office hours", first_response_minutes=120, resolution_minutes=480, calendar_id=calendar.pk, **fields
    )


def test_without_a_policy_the_clock_runs_around_the_clock(staff_agent):
    with frozen_at(datetime(2026, 12, 7, 9, 0, tzinfo=UTC)):
        ticket = make_ticket(priority="high")  # 2 h and 24 h
    with frozen_at(datetime(2026, 12, 7, 9, 30, tzinfo=UTC)):
        sla = client_for(staff_agent).get(ticket_url(ticket, "sla")).json()

    assert (sla["policy"], sla["calendar"], sla["isOverdue"]) == (None, None, False)
    assert sla["firstResponse"] | {"reason": ""} == {
        "targetMinutes": 120,
        "deadline": "2026-12-07T11:00:00Z",
        "doneAt": None,
        "usedMinutes": 30,
        "leftMinutes": 90,
        "state": "running",
        "reason": "",
    }
    assert sla["segments"] == [{"kind": "running", "start": "2026-12-07T09:00:00Z", "end": "2026-12-07T09:30:00Z"}]
    assert sla["explanation"].startswith("Not overdue: first response: 30 of 120 minutes used, 90 left")


def test_business_hours_show_as_closed_segments_and_count_only_open_minutes(staff_agent):
    policy = office_policy()
    with frozen_at(berlin(2026, 12, 4, 16, 0)):  # Friday
        ticket = make_ticket()
    with frozen_at(berlin(2026, 12, 7, 9, 30)):  # Monday
        sla = client_for(staff_agent).get(ticket_url(ticket, "sla")).json()

    assert sla["policy"] == {"id": policy.pk, "name": "Office hours", "pauseOnWaitingCustomer": False}
    assert sla["calendar"]["timezone"] == "Europe/Berlin"
    assert [segment["kind"] for segment in sla["segments"]] == ["running", "closed", "running"]
    assert (sla["firstResponse"]["usedMinutes"], sla["firstResponse"]["leftMinutes"]) == (90, 30)
    assert "due 2026-12-07 10:00 CET" in sla["firstResponse"]["reason"]


def test_a_paused_clock_is_explained(staff_agent):
    office_policy(pause_on_waiting_customer=True)
    with frozen_at(berlin(2026, 12, 7, 9, 0)):
        ticket = make_ticket()
    with frozen_at(berlin(2026, 12, 7, 10, 0)):
        services.ticket_change_status(ticket_id=ticket.pk, status="waiting_customer", actor=TEST_ACTOR)
    with frozen_at(berlin(2026, 12, 8, 12, 0)):
        sla = client_for(staff_agent).get(ticket_url(ticket, "sla")).json()

    assert sla["isOverdue"] is False
    assert sla["firstResponse"]["state"] == "paused"
    assert sla["firstResponse"]["usedMinutes"] == 60
    assert [segment["kind"] for segment in sla["segments"]] == ["running", "paused"]
    assert "paused while the ticket waits on the customer" in sla["explanation"]


def test_an_overdue_ticket_says_which_target_it_missed(staff_agent):
    with frozen_at(datetime(2026, 12, 7, 9, 0, tzinfo=UTC)):
        ticket = make_ticket(priority="urgent")  # 30 min, 4 h
    with frozen_at(datetime(2026, 12, 7, 10, 0, tzinfo=UTC)):
        sla = client_for(staff_agent).get(ticket_url(ticket, "sla")).json()

    assert sla["isOverdue"] is True
    assert sla["firstResponse"]["state"] == "overdue"
    assert sla["resolution"]["state"] == "running"
    assert sla["explanation"] == (
        "Overdue: no first response 60 minutes in, past the 30-minute target (due 2026-12-07 09:30 UTC)."
    )


def test_a_resolved_ticket_explains_its_outcome(staff_agent):
    with frozen_at(datetime(2026, 12, 7, 9, 0, tzinfo=UTC)):
        ticket = make_ticket(priority="urgent")
    with frozen_at(datetime(2026, 12, 7, 9, 10, tzinfo=UTC)):
        services.comment_add(ticket_id=ticket.pk, body="On it", is_internal=False, author="Ann", actor=TEST_ACTOR)
    with frozen_at(datetime(2026, 12, 7, 14, 0, tzinfo=UTC)):
        services.ticket_change_status(ticket_id=ticket.pk, status="resolved", actor=TEST_ACTOR)
        sla = client_for(staff_agent).get(ticket_url(ticket, "sla")).json()

    assert (sla["firstResponse"]["state"], sla["resolution"]["state"]) == ("met", "missed")
    assert sla["resolution"]["reason"] == "resolution after 300 minutes, after the 240-minute target"
    assert sla["explanation"] == "Not overdue: the ticket is finished, and its SLA outcome final."


def test_an_unknown_ticket_is_404(staff_client):
    assert staff_client.get(ticket_url(999_999, "sla")).status_code == 404


def test_the_ticket_page_says_why_in_words(staff_agent, client):
    client.force_login(staff_agent)
    office_policy(pause_on_waiting_customer=True)
    with frozen_at(berlin(2026, 12, 7, 9, 0)):
        ticket = make_ticket()
        services.ticket_change_status(ticket_id=ticket.pk, status="waiting_customer", actor=TEST_ACTOR)
    with frozen_at(berlin(2026, 12, 7, 11, 0)):
        page = client.get(f"/dashboard/tickets/{ticket.pk}/").content.decode()

    assert "Not overdue: first response: 0 of 120 business minutes used; the clock is paused" in page
    assert "Policy “Office hours”, business hours of Berlin office (Europe/Berlin)" in page
    assert "Not yet — clock paused" in page
