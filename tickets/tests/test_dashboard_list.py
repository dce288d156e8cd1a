"""The ticket list: filters from the URL, errors, paging, export link, live row partial, bulk changes."""

import re
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.utils import timezone

from tickets import services
from tickets.models import SupportTicket, TicketEvent

from .factories import TEST_ACTOR, make_agent, make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(client, staff_agent):
    client.force_login(staff_agent)
    return client


@pytest.fixture
def tickets() -> dict[str, SupportTicket]:
    """Four tickets, one of each kind the filters tell apart."""
    with time_machine.travel(timezone.now() - timedelta(days=10)):
        overdue = make_ticket(subject="Withdrawal stuck", priority="medium")
    refund = make_ticket(subject="Refund for a double charge", priority="high")
    login = make_ticket(subject="Cannot log in", priority="low", assigned_to="Alex Agent")
    services.ticket_change_status(ticket_id=login.pk, status="in_progress", actor=TEST_ACTOR)
    kyc = make_ticket(subject="KYC documents", priority="urgent", assigned_to="Sam Other", tags=["kyc"])
    services.ticket_change_status(ticket_id=kyc.pk, status="resolved", actor=TEST_ACTOR)
    return {"overdue": overdue, "refund": refund, "login": login, "kyc": kyc}


def listed(response) -> list[str]:
    """Ticket numbers in the list's rows, in page order."""
    return re.findall(r'<a href="/dashboard/tickets/\d+/">(FCT-\d{6})</a>', response.content.decode())


def link(response, rel: str) -> dict[str, list[str]]:
    match = re.search(rf'<a href="([^"]*)" rel="{rel}">', response.content.decode())
    assert match, f"no {rel} link"
    return parse_qs(urlsplit(unescape(match.group(1))).query)


def names(tickets: dict[str, SupportTicket], *keys: str) -> set[str]:
    return {tickets[key].ticket_number for key in keys}


# --- Listing and filtering ---


def test_list_shows_every_ticket_newest_first(agent, tickets):
    response = agent.get("/dashboard/")
    assert response.status_code == 200
    assert listed(response) == [tickets[key].ticket_number for key in ("kyc", "login", "refund", "overdue")]
    html = response.content.decode()
    assert "Refund for a double charge" in html
    assert "4 tickets" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=open", {"overdue", "refund"}),
        ("status=open,in_progress", {"overdue", "refund", "login"}),
        ("priority=urgent", {"kyc"}),
        ("priority=low,high", {"login", "refund"}),
        ("assignedTo=unassigned", {"overdue", "refund"}),
        ("assignedTo=Sam+Other", {"kyc"}),
        ("tags=kyc", {"kyc"}),
        ("search=refund", {"refund"}),
        ("search=FCT-000003", {"login"}),
        ("overdue=true", {"overdue"}),
        ("overdue=false", {"refund", "login", "kyc"}),
        ("status=open&priority=high", {"refund"}),
        ("status=closed", set()),
    ],
)
def test_filters_from_the_url_apply(agent, tickets, query, expected):
    response = agent.get(f"/dashboard/?{query}")
    assert response.status_code == 200
    assert set(listed(response)) == names(tickets, *expected)
    if not expected:
        assert "No tickets match these filters." in response.content.decode()


def test_sorting_by_priority_puts_the_most_urgent_first(agent, tickets):
    response = agent.get("/dashboard/?sortBy=priority")
    assert listed(response) == [tickets[key].ticket_number for key in ("kyc", "refund", "overdue", "login")]
    ascending = agent.get("/dashboard/?sortBy=priority&sortOrder=asc")
    assert listed(ascending) == [tickets[key].ticket_number for key in ("login", "overdue", "refund", "kyc")]


def test_overdue_rows_are_marked(agent, tickets):
    html = agent.get("/dashboard/").content.decode()
    assert (
        f'<tr id="ticket-row-{tickets["overdue"].pk}" data-ticket-id="{tickets["overdue"].pk}" class="is-overdue">'
        in html
    )
    assert f'<tr id="ticket-row-{tickets["refund"].pk}" data-ticket-id="{tickets["refund"].pk}">' in html


def test_the_filter_bar_shows_the_applied_filters(agent, tickets):
    html = agent.get("/dashboard/?status=open&priority=high&search=refund").content.decode()
    assert '<option value="open" selected>' in html
    assert '<option value="high" selected>' in html
    assert 'name="search" value="refund"' in html


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("status=bogus", "status"),
        ("priority=open", "priority"),
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("page=abc", "page"),
        ("sortBy=nope", "sortBy"),
        ("overdue=maybe", "overdue"),
        ("dateRange=1y", "dateRange"),
        ("createdFrom=yesterday", "createdFrom"),
    ],
)
def test_an_invalid_filter_answers_400_naming_the_parameter(agent, tickets, query, parameter):
    response = agent.get(f"/dashboard/?{query}")
    assert response.status_code == 400
    html = response.content.decode()
    assert "These filters could not be applied" in html
    assert f"<li><strong>{parameter}</strong>: " in html
    assert listed(response) == []


def test_an_unknown_status_is_quoted_in_the_error(agent):
    html = agent.get("/dashboard/?status=open,bogus").content.decode()
    assert "&quot;bogus&quot; is not one of: open, in_progress" in html


# --- Paging and export ---


def test_pagination_links_keep_the_other_query_params(agent):
    numbers = [make_ticket(priority="high").ticket_number for _ in range(3)]
    make_ticket(priority="low")
    response = agent.get("/dashboard/?priority=high&sortOrder=asc&limit=1&page=2")
    assert response.status_code == 200
    assert listed(response) == [numbers[1]]
    assert "3 tickets · page 2 of 3" in response.content.decode()
    assert link(response, "prev") == {"priority": ["high"], "sortOrder": ["asc"], "limit": ["1"], "page": ["1"]}
    assert link(response, "next") == {"priority": ["high"], "sortOrder": ["asc"], "limit": ["1"], "page": ["3"]}


def test_a_page_past_the_end_is_empty_not_an_error(agent, tickets):
    response = agent.get("/dashboard/?page=9")
    assert response.status_code == 200
    assert listed(response) == []


def test_export_link_carries_the_current_filters(agent, tickets):
    response = agent.get("/dashboard/?status=open&priority=high&search=refund")
    match = re.search(r'<a class="button" href="([^"]*)" download>Export CSV</a>', response.content.decode())
    assert match
    url = urlsplit(unescape(match.group(1)))
    assert url.path.rstrip("/") == "/api/admin/support-tickets/export"
    assert parse_qs(url.query) == {"status": ["open"], "priority": ["high"], "search": ["refund"]}

    export = agent.get(unescape(match.group(1)))  # the signed-in agent can follow it
    assert export.status_code == 200
    body = b"".join(export.streaming_content).decode()
    assert tickets["refund"].ticket_number in body
    assert tickets["overdue"].ticket_number not in body


# --- Row partial (live updates) ---


def test_row_partial_renders_a_matching_ticket(agent, tickets):
    refund = tickets["refund"]
    response = agent.get(f"/dashboard/tickets/{refund.pk}/row/?status=open&priority=high")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith(f'<tr id="ticket-row-{refund.pk}"')
    assert refund.ticket_number in html
    assert "<html" not in html


@pytest.mark.parametrize(
    "query", ["status=resolved", "priority=low", "assignedTo=unassigned&status=closed", "search=kyc"]
)
def test_row_partial_is_204_when_the_ticket_does_not_match(agent, tickets, query):
    response = agent.get(f"/dashboard/tickets/{tickets['refund'].pk}/row/?{query}")
    assert response.status_code == 204
    assert response.content == b""


def test_row_partial_is_204_for_an_unknown_ticket(agent, tickets):
    assert agent.get("/dashboard/tickets/999999/row/").status_code == 204


# --- Bulk changes ---


def follow_messages(client, response) -> str:
    return client.get(response.url).content.decode()


def test_bulk_update_changes_the_selected_tickets_and_returns_to_next(agent, tickets):
    jordan = make_agent("Jordan Lee")
    chosen = [tickets["overdue"], tickets["refund"]]
    response = agent.post(
        "/dashboard/bulk/",
        {
            "ids": [t.pk for t in chosen],
            "status": "in_progress",
            "priority": "urgent",
            "assignee": str(jordan.pk),
            "next": "/dashboard/?status=open&priority=high",
            "confirmed": "True",
        },
    )
    assert response.status_code == 302
    assert response.url == "/dashboard/?status=open&priority=high"
    for ticket in chosen:
        ticket.refresh_from_db()
        assert (ticket.status, ticket.priority, ticket.assigned_to) == ("in_progress", "urgent", "Jordan Lee")
        changes = TicketEvent.objects.filter(ticket=ticket, source="dashboard")
        assert set(changes.values_list("action", flat=True)) == {"status_changed", "priority_changed", "assigned"}
        assert set(changes.values_list("actor", flat=True)) == {"Alex Agent"}
    login = SupportTicket.objects.get(pk=tickets["login"].pk)
    assert (login.status, login.priority, login.assigned_to) == ("in_progress", "low", "Alex Agent")
    assert "Updated 2 tickets." in follow_messages(agent, response)


def test_bulk_unassign(agent, tickets):
    ids = [tickets["login"].pk, tickets["kyc"].pk]
    data = {"ids": ids, "assignee": "none", "next": "/dashboard/", "confirmed": "True"}
    response = agent.post("/dashboard/bulk/", data)
    assert response.status_code == 302
    assert set(SupportTicket.objects.filter(pk__in=ids).values_list("assigned_to", flat=True)) == {""}


def test_bulk_update_reports_tickets_that_no_longer_exist(agent, tickets):
    data = {"ids": [tickets["refund"].pk, 999999], "status": "closed", "confirmed": "True"}
    response = agent.post("/dashboard/bulk/", data)
    assert SupportTicket.objects.get(pk=tickets["refund"].pk).status == "closed"
    assert "Updated 1 ticket (1 no longer exist)." in follow_messages(agent, response)


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", "javascript:alert(1)", ""])
def test_bulk_update_does_not_follow_an_external_next_url(agent, tickets, next_url):
    response = agent.post("/dashboard/bulk/", {"ids": [tickets["refund"].pk], "status": "closed", "next": next_url})
    assert response.status_code == 302
    assert response.url == "/dashboard/"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": "closed"}, "Select tickets first."),
        ({"ids": ["1"]}, "Choose a status, a priority, an assignee or a team to apply."),
        ({"ids": ["1"], "status": "bogus"}, "Select a valid choice."),
        ({"ids": ["1"], "assignee": "x" * 101}, "Select a valid choice."),
        ({"ids": ["1"], "team": "999999"}, "Select a valid choice."),
    ],
)
def test_bulk_update_without_ids_or_change_shows_an_error_and_changes_nothing(agent, tickets, data, message):
    data = {**data, "next": "/dashboard/?status=open"}
    if "ids" in data:
        data["ids"] = [tickets["refund"].pk]
    before = set(TicketEvent.objects.values_list("pk", flat=True))
    response = agent.post("/dashboard/bulk/", data)
    assert response.status_code == 302
    assert response.url == "/dashboard/?status=open"
    assert set(TicketEvent.objects.values_list("pk", flat=True)) == before
    page = follow_messages(agent, response)
    assert 'class="message message--error"' in page
    assert message in page
