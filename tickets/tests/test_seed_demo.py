"""`make demo` gives the statistics something to show: tickets over the last 60 days, with
first responses, resolutions, some SLA breaches and a few tickets overdue now."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tickets.models import SupportTicket, TicketAction, TicketEvent
from tickets.statistics import tallies_compact

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # a hundred tickets through the services: seconds

STATISTICS = "/api/admin/support-tickets/statistics"


def seed(count: int) -> None:
    call_command("seed_demo", count=count, stdout=StringIO())


def test_the_statistics_show_meaningful_figures_right_after_seeding(staff_client, client, staff_agent):
    # One seeding for every figure: a hundred tickets through the services take seconds.
    seed(100)

    figures = staff_client.get(STATISTICS, {"dateRange": "90d"}).json()
    assert figures["total"] == 100
    assert figures["averageResponseTimeMinutes"] > 0
    assert figures["averageResolutionTimeMinutes"] > 0
    assert 50 < figures["slaComplianceRate"] < 100
    assert figures["overdue"] > 0
    assert figures["byStatus"]["closed"] > 0 and figures["byStatus"]["in_progress"] + figures["byStatus"]["open"] > 0
    # The beat's compaction of the tallies changes nothing that is shown.
    tallies_compact()
    assert staff_client.get(STATISTICS, {"dateRange": "90d"}).json() == figures

    # The documented example (docs/api.md) finds them.
    overdue = staff_client.get("/api/admin/support-tickets", {"overdue": "true"}).json()
    assert overdue["pagination"]["total"] == figures["overdue"]
    assert all(ticket["sla"]["isOverdue"] for ticket in overdue["results"])
    assert staff_client.get("/api/admin/support-tickets", {"search": "deposit", "overdue": "true"}).json()["results"]

    # The daily chart: tickets on most days of the last 60, resolutions too.
    client.force_login(staff_agent)
    daily = client.get("/dashboard/statistics/", {"dateRange": "90d"}).context["chart_data"]["daily"]
    assert len([day for day in daily if day["created"]]) >= 30
    assert sum(day["resolved"] for day in daily) > 50
    now = timezone.now()
    oldest = SupportTicket.objects.earliest("created_at").created_at
    assert now - timedelta(days=60) <= oldest < now - timedelta(days=45)


def test_each_tickets_history_follows_its_own_times():
    seed(25)

    for ticket in SupportTicket.objects.exclude(resolved_at=None):
        times = list(TicketEvent.objects.filter(ticket=ticket).order_by("id").values_list("created_at", flat=True))
        created = TicketEvent.objects.get(ticket=ticket, action=TicketAction.CREATED).created_at
        assert created == ticket.created_at == times[0]
        assert times == sorted(times)  # written in the order they happened
        assert ticket.first_response_at is None or ticket.created_at < ticket.first_response_at <= ticket.resolved_at
        assert ticket.resolution_time_minutes == (ticket.resolved_at - ticket.created_at) // timedelta(minutes=1)
