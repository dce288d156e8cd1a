"""Statistics per agent and per team (tickets/statistics_groups.py): figures worked out by
hand, times in business minutes of each ticket's SLA calendar, the API's groupBy and the
dashboard's tables."""

from datetime import timedelta

import pytest

from tickets import services
from tickets.models import SupportTicket
from tickets.sla_policies import calendar_create, policy_create
from tickets.statistics import ticket_statistics
from tickets.statistics_groups import ticket_statistics_by

from .api_helpers import URL, client_for, frozen_at, utc
from .factories import TEST_ACTOR, make_agent, make_team, make_ticket

pytestmark = pytest.mark.django_db

T0 = utc(2026, 5, 4, 8, 0)  # a Monday
COUNTS = ("total", "open", "resolved", "overdue")
WEEKDAYS_9_TO_17 = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def reply(ticket_id: int) -> None:
    services.comment_add(ticket_id=ticket_id, body="Reply", is_internal=False, author="A", actor=TEST_ACTOR)


def set_status(ticket_id: int, status: str) -> None:
    services.ticket_change_status(ticket_id=ticket_id, status=status, actor=TEST_ACTOR)


def by_name(groups: list[dict]) -> dict[str, dict]:
    return {group["name"]: group for group in groups}


@pytest.fixture
def desk() -> dict:
    """Alice (Billing) and Bob (Tech), and four tickets as in test_statistics.py:
    A urgent, Alice/Billing, replied after 20 min, resolved after 3 h: met.
    B high, Bob/Tech, replied after 3 h (target 2 h), resolved after 5 h: missed.
    C medium, nobody, no team, no reply: overdue at 6 h.
    D low, Alice, no team, replied after 1 h, in progress: still running."""
    alice, bob = make_agent("Alice Adams"), make_agent("Bob Brown")
    billing, tech = make_team("Billing", "manual", [alice]), make_team("Tech", "manual", [bob])
    with frozen_at(T0):
        a = make_ticket(priority="urgent", assignee_id=alice.pk, team_id=billing.pk)
        b = make_ticket(priority="high", assignee_id=bob.pk, team_id=tech.pk)
        make_ticket(priority="medium")
        d = make_ticket(priority="low", assignee_id=alice.pk)
    with frozen_at(T0 + timedelta(minutes=20)):
        reply(a.pk)
    with frozen_at(T0 + timedelta(hours=1)):
        reply(d.pk)
        set_status(d.pk, "in_progress")
    with frozen_at(T0 + timedelta(hours=3)):
        set_status(a.pk, "resolved")
        reply(b.pk)
    with frozen_at(T0 + timedelta(hours=5)):
        set_status(b.pk, "resolved")
    return {"alice": alice, "bob": bob, "billing": billing, "tech": tech}


def test_per_agent_figures_match_the_hand_computed_ones_and_add_up(desk):
    now = T0 + timedelta(hours=6)
    groups = ticket_statistics_by("agent", since=None, now=now)

    assert [group["name"] for group in groups] == ["Alice Adams", "Bob Brown", "Unassigned"]
    alice, bob, nobody = groups
    assert alice == {
        "id": desk["alice"].pk,
        "name": "Alice Adams",
        "total": 2,
        "open": 1,
        "resolved": 1,
        "overdue": 0,
        "averageResponseTimeMinutes": 40.0,  # 20 and 60, around the clock
        "averageResolutionTimeMinutes": 180.0,
        "slaComplianceRate": 100.0,  # A met; D still running
    }
    assert (bob["total"], bob["resolved"], bob["averageResponseTimeMinutes"]) == (1, 1, 180.0)
    assert (bob["averageResolutionTimeMinutes"], bob["slaComplianceRate"]) == (300.0, 0.0)
    assert nobody["id"] is None
    assert (nobody["total"], nobody["open"], nobody["overdue"]) == (1, 1, 1)
    assert nobody["averageResponseTimeMinutes"] is None
    assert nobody["slaComplianceRate"] == 0.0  # C overdue: missed

    overall = ticket_statistics(since=None, now=now)
    for name in COUNTS:
        assert sum(group[name] for group in groups) == (
            overall[name] if name in ("total", "overdue") else _overall(overall, name)
        )


def _overall(report: dict, name: str) -> int:
    finished = report["byStatus"]["resolved"] + report["byStatus"]["closed"]
    return finished if name == "resolved" else report["total"] - finished


def test_per_team_figures_add_up_and_tickets_without_a_team_have_their_entry(desk):
    groups = ticket_statistics_by("team", since=None, now=T0 + timedelta(hours=6))

    assert [group["name"] for group in groups] == ["Billing", "Tech", "No team"]
    billing, tech, none = groups
    assert (billing["id"], billing["total"], billing["slaComplianceRate"]) == (desk["billing"].pk, 1, 100.0)
    assert (tech["total"], tech["averageResolutionTimeMinutes"]) == (1, 300.0)
    assert none["id"] is None
    assert (none["total"], none["open"], none["resolved"], none["overdue"]) == (2, 2, 0, 1)
    assert none["averageResponseTimeMinutes"] == 60.0  # D; C has no reply
    assert sum(group["total"] for group in groups) == 4


def test_an_agent_or_team_without_tickets_in_the_range_shows_zeros(desk):
    make_agent("Zoe Zeta")
    groups = by_name(ticket_statistics_by("agent", since=T0 + timedelta(days=1), now=T0 + timedelta(days=2)))

    assert groups["Zoe Zeta"]["total"] == 0
    assert groups["Zoe Zeta"]["averageResolutionTimeMinutes"] is None
    assert all(group["total"] == 0 for group in groups.values())


@pytest.fixture
def office_hours() -> None:
    """Weekdays 09:00-17:00 UTC for every ticket, the clock stopped while waiting on the customer."""
    calendar = calendar_create(name="Office", timezone="UTC", hours=WEEKDAYS_9_TO_17)
    policy_create(
        name="Office hours",
        first_response_minutes=4 * 60,
        resolution_minutes=16 * 60,
        calendar_id=calendar.pk,
        pause_on_waiting_customer=True,
    )


def test_times_are_in_business_minutes_of_the_tickets_calendar(office_hours):
    alice = make_agent("Alice Adams")
    friday_4pm = utc(2026, 5, 8, 16, 0)
    with frozen_at(friday_4pm):
        ticket = make_ticket(assignee_id=alice.pk)
    with frozen_at(utc(2026, 5, 11, 10, 0)):  # Monday: 1 h on Friday, 1 h today
        reply(ticket.pk)
        set_status(ticket.pk, "waiting_customer")
    with frozen_at(utc(2026, 5, 11, 12, 0)):  # two hours waiting: paused
        set_status(ticket.pk, "open")
    with frozen_at(utc(2026, 5, 11, 13, 30)):
        set_status(ticket.pk, "resolved")

    alice_figures = by_name(ticket_statistics_by("agent", since=None, now=utc(2026, 5, 12)))["Alice Adams"]

    assert alice_figures["averageResponseTimeMinutes"] == 120.0
    assert alice_figures["averageResolutionTimeMinutes"] == 60 + 60 + 90.0  # Fri, Mon before and after the pause
    assert alice_figures["slaComplianceRate"] == 100.0  # within 4 and 16 business hours
    # The overall figures stay in wall-clock minutes, as before.
    overall = ticket_statistics(since=None, now=utc(2026, 5, 12))
    assert overall["averageResponseTimeMinutes"] == 66 * 60.0


def test_a_reopened_ticket_has_no_resolution_time_until_resolved_again(office_hours):
    with frozen_at(utc(2026, 5, 11, 9, 0)):
        ticket = make_ticket()
    with frozen_at(utc(2026, 5, 11, 10, 0)):
        set_status(ticket.pk, "resolved")
    with frozen_at(utc(2026, 5, 11, 11, 0)):
        set_status(ticket.pk, "open")
    unassigned = ticket_statistics_by("agent", since=None, now=utc(2026, 5, 11, 12, 0))[-1]
    assert (unassigned["resolved"], unassigned["averageResolutionTimeMinutes"]) == (0, None)

    with frozen_at(utc(2026, 5, 11, 17, 30)):  # after closing time: 8 business hours in all
        set_status(ticket.pk, "resolved")
    unassigned = ticket_statistics_by("agent", since=None, now=utc(2026, 5, 12))[-1]
    assert unassigned["averageResolutionTimeMinutes"] == 8 * 60.0


def test_tickets_from_before_the_business_minutes_count_in_wall_clock_minutes(office_hours):
    with frozen_at(utc(2026, 5, 8, 16, 0)):
        ticket = make_ticket()
    with frozen_at(utc(2026, 5, 11, 10, 0)):
        reply(ticket.pk)
        set_status(ticket.pk, "resolved")
    # As migration 0017 leaves the tickets it finds.
    SupportTicket.objects.filter(pk=ticket.pk).update(response_business_minutes=None, resolution_business_minutes=None)

    unassigned = ticket_statistics_by("team", since=None, now=utc(2026, 5, 12))[-1]

    assert unassigned["averageResponseTimeMinutes"] == 66 * 60.0
    assert unassigned["averageResolutionTimeMinutes"] == 66 * 60.0


# --- The API and the dashboard ---


def test_group_by_agent_adds_the_groups_to_the_report(staff_agent, desk):
    with frozen_at(T0 + timedelta(hours=6)):
        staff_client = client_for(staff_agent)
        plain = staff_client.get(f"{URL}/statistics", {"dateRange": "7d"})
        grouped = staff_client.get(f"{URL}/statistics", {"dateRange": "7d", "groupBy": "agent"})

    assert plain.status_code == grouped.status_code == 200
    assert "groupBy" not in plain.json() and "groups" not in plain.json()
    body = grouped.json()
    assert {key: value for key, value in body.items() if key not in ("groupBy", "groups")} == plain.json()
    assert body["groupBy"] == "agent"
    assert [(group["id"], group["name"], group["total"]) for group in body["groups"]] == [
        (desk["alice"].pk, "Alice Adams", 2),
        (desk["bob"].pk, "Bob Brown", 1),
        (None, "Unassigned", 1),
    ]
    assert sum(group["total"] for group in body["groups"]) == body["total"]


def test_group_by_team_honours_the_date_range(staff_agent, desk):
    with frozen_at(T0 + timedelta(days=2)):
        make_ticket(team_id=desk["tech"].pk)
    with frozen_at(T0 + timedelta(days=2, hours=1)):
        response = client_for(staff_agent).get(f"{URL}/statistics", {"dateRange": "24h", "groupBy": "team"})

    assert response.status_code == 200
    assert {group["name"]: group["total"] for group in response.json()["groups"]} == {
        "Billing": 0,
        "Tech": 1,
        "No team": 0,
    }


def test_an_unknown_group_by_is_a_400_naming_it(staff_client):
    response = staff_client.get(f"{URL}/statistics", {"groupBy": "customer"})

    assert response.status_code == 400
    assert list(response.json()) == ["groupBy"]
    assert '"customer"' in response.json()["groupBy"][0]


def test_the_statistics_page_shows_a_table_per_agent_and_per_team(client, staff_agent, desk):
    with frozen_at(T0 + timedelta(hours=6)):
        client.force_login(staff_agent)
        response = client.get("/dashboard/statistics/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Per agent" in html and "Per team" in html
    assert '<tr><th scope="row">Alice Adams</th><td>2</td><td>1</td><td>1</td><td>0</td><td>40.0 min</td>' in html
    assert '<tr><th scope="row">Unassigned</th><td>1</td><td>1</td><td>0</td><td>1</td><td>—</td>' in html
    assert '<tr><th scope="row">No team</th><td>2</td><td>2</td><td>0</td><td>1</td><td>60.0 min</td>' in html
