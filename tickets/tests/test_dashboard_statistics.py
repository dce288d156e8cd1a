"""The statistics page: KPI figures and the chart data, against the shared selector."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tickets import services
from tickets.statistics import ticket_statistics

from .factories import TEST_ACTOR, make_ticket

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)


def at(moment: datetime):
    return time_machine.travel(moment, tick=False)


def chart_data(response) -> dict:
    match = re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', response.content.decode())
    assert match, "no chart data on the page"
    return json.loads(match.group(1))


def kpi(html: str, label: str) -> str:
    match = re.search(rf'<span class="kpi-value">([^<]*)</span><span class="kpi-label">{label}</span>', html)
    assert match, f"no KPI {label}"
    return match.group(1)


@pytest.fixture
def history() -> None:
    """Tickets over the last weeks: two today, one resolved 2 days ago, one overdue, one too old for 30d."""
    with at(NOW - timedelta(days=45)):
        make_ticket(subject="Long ago")
    with at(NOW - timedelta(days=10)):
        make_ticket(priority="high", subject="Forgotten")  # overdue by now
    with at(NOW - timedelta(days=2, hours=3)):
        resolved = make_ticket(priority="urgent")
    with at(NOW - timedelta(days=2, hours=2, minutes=30)):
        services.comment_add(ticket_id=resolved.pk, body="On it.", is_internal=False, author="A", actor=TEST_ACTOR)
    with at(NOW - timedelta(days=2)):
        services.ticket_change_status(ticket_id=resolved.pk, status="resolved", actor=TEST_ACTOR)
    with at(NOW - timedelta(hours=3)):
        make_ticket(priority="low")
        make_ticket(priority="low", category="billing")


def test_statistics_page_shows_the_selector_figures(client, staff_agent, history):
    with at(NOW):
        client.force_login(staff_agent)
        response = client.get("/dashboard/statistics/")
        expected = ticket_statistics(since=NOW - timedelta(days=30), now=NOW)
    assert response.status_code == 200
    data = chart_data(response)
    assert data["report"] == expected
    assert expected["total"] == 4
    assert expected["overdue"] == 1
    assert expected["byPriority"] == {"low": 2, "medium": 0, "high": 1, "urgent": 1}

    html = response.content.decode()
    assert kpi(html, "Tickets") == "4"
    assert kpi(html, "Overdue now") == "1"
    assert kpi(html, "Average first response") == f"{expected['averageResponseTimeMinutes']} min"
    assert kpi(html, "Average resolution") == f"{expected['averageResolutionTimeMinutes']} min"
    assert kpi(html, "SLA compliance") == f"{expected['slaComplianceRate']}%"
    assert '<option value="30d" selected>' in html


def test_daily_chart_data_has_one_entry_per_day_with_created_counts(client, staff_agent, history):
    with at(NOW):
        client.force_login(staff_agent)
        daily = chart_data(client.get("/dashboard/statistics/"))["daily"]
    assert len(daily) == 30
    days = [entry["day"] for entry in daily]
    assert days == [(NOW - timedelta(days=29 - offset)).date().isoformat() for offset in range(30)]
    created = {entry["day"]: entry["created"] for entry in daily if entry["created"]}
    resolved = {entry["day"]: entry["resolved"] for entry in daily if entry["resolved"]}
    assert created == {"2026-05-10": 1, "2026-05-18": 1, "2026-05-20": 2}
    assert resolved == {"2026-05-18": 1}


def test_the_first_charted_day_counts_all_its_tickets(client, staff_agent):
    """The chart's first bar is a whole day: a ticket created that morning, before the
    current time of day, is counted like any other (the KPIs count it too)."""
    first_day_morning = (NOW - timedelta(days=29)).replace(hour=1)
    with at(first_day_morning):
        make_ticket()
    with at(NOW):
        client.force_login(staff_agent)
        data = chart_data(client.get("/dashboard/statistics/"))
    assert data["report"]["total"] == 1
    assert data["daily"][0] == {"day": first_day_morning.date().isoformat(), "created": 1, "resolved": 0}
    assert sum(entry["created"] for entry in data["daily"]) == data["report"]["total"]


@pytest.mark.parametrize(("date_range", "days", "total"), [("24h", 1, 2), ("7d", 7, 3), ("90d", 90, 5)])
def test_other_date_ranges(client, staff_agent, history, date_range, days, total):
    with at(NOW):
        client.force_login(staff_agent)
        response = client.get(f"/dashboard/statistics/?dateRange={date_range}")
    assert response.status_code == 200
    data = chart_data(response)
    assert len(data["daily"]) == days
    assert data["daily"][-1]["day"] == "2026-05-20"
    assert data["report"]["total"] == total
    assert f'<option value="{date_range}" selected>' in response.content.decode()


@pytest.mark.parametrize("date_range", ["1y", "<script>", "30"])
def test_an_unknown_date_range_falls_back_to_30_days(client, staff_agent, history, date_range):
    with at(NOW):
        client.force_login(staff_agent)
        response = client.get("/dashboard/statistics/", {"dateRange": date_range})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Unknown date range; showing the last 30 days." in html
    assert '<option value="30d" selected>' in html
    data = chart_data(response)
    assert len(data["daily"]) == 30
    assert data["report"]["total"] == 4


def test_statistics_with_no_tickets_show_dashes(client, staff_agent):
    client.force_login(staff_agent)
    response = client.get("/dashboard/statistics/")
    assert response.status_code == 200
    html = response.content.decode()
    assert kpi(html, "Tickets") == "0"
    assert kpi(html, "SLA compliance") == "—"
    assert chart_data(response)["report"]["slaComplianceRate"] is None
