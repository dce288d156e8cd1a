"""Agents and teams on the ticket pages: the assignee and team pickers, "My tickets" and the
team views, bulk assignment, "Next ticket" and an agent's own away switch."""

import re

import pytest

from tickets import services
from tickets.models import Agent, SupportTicket, Team, TeamAssignment, TicketEvent

from .factories import TEST_ACTOR, make_agent, make_team, make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def jordan() -> Agent:
    return make_agent("Jordan Lee")


@pytest.fixture
def sam() -> Agent:
    return make_agent("Sam Away", available=False)


@pytest.fixture
def billing(jordan: Agent) -> Team:
    return make_team("Billing", TeamAssignment.MANUAL, [jordan])


@pytest.fixture
def staff(client, staff_agent):
    """A staff user who is no agent."""
    client.force_login(staff_agent)
    return client


@pytest.fixture
def as_jordan(client, jordan):
    client.force_login(jordan.user)
    return client


def select(html: str, name: str) -> str:
    match = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.DOTALL)
    assert match, f"no {name} select"
    return match.group(1)


def options(html: str, name: str) -> list[tuple[str, str, bool]]:
    """(value, label, selected) of each option of the select `name`."""
    found = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select(html, name))
    return [(value, label, bool(selected)) for value, selected, label in found]


def update_data(**overrides: str) -> dict[str, str]:
    fields = {"status": "open", "priority": "medium", "category": "general", "assignee": "", "team": "", "tags": ""}
    return fields | overrides


def messages_on(client, response) -> str:
    html = client.get(response.url).content.decode()
    match = re.search(r'<ul class="messages".*?</ul>', html, re.DOTALL)
    assert match, "no messages shown"
    return match.group(0)


# --- The ticket page ---


def test_the_assignee_picker_lists_agents_marks_away_ones_and_offers_unassigned(staff, jordan, sam, billing):
    ticket = make_ticket()
    html = staff.get(f"/dashboard/tickets/{ticket.pk}/").content.decode()
    assert options(html, "assignee") == [
        ("", "Unassigned", True),
        (str(jordan.pk), "Jordan Lee", False),
        (str(sam.pk), "Sam Away (away)", False),
    ]
    assert options(html, "team") == [("", "No team", True), (str(billing.pk), "Billing", False)]
    assert '<label for="id_assignee">Assignee</label>' in html
    assert '<label for="id_team">Team</label>' in html


def test_the_pickers_show_the_tickets_assignee_and_team(staff, jordan, sam, billing):
    ticket = make_ticket(assignee_id=sam.pk, team_id=billing.pk)
    html = staff.get(f"/dashboard/tickets/{ticket.pk}/").content.decode()
    assert (str(sam.pk), "Sam Away (away)", True) in options(html, "assignee")
    assert (str(billing.pk), "Billing", True) in options(html, "team")
    summary = html[html.index('<section id="ticket-summary"') : html.index("</section>")]
    assert 'Sam Away <span class="badge away">Away</span>' in summary
    assert "<dt>Team</dt><dd>Billing</dd>" in summary


def test_choosing_an_agent_and_a_team_assigns_them_through_the_service(staff, jordan, billing):
    ticket = make_ticket()
    data = update_data(assignee=str(jordan.pk), team=str(billing.pk))
    response = staff.post(f"/dashboard/tickets/{ticket.pk}/update/", data)
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.assigned_to, ticket.team) == (jordan, "Jordan Lee", billing)
    events = TicketEvent.objects.filter(ticket=ticket, source="dashboard")
    assert events.filter(action="assigned").exists()
    assert set(events.values_list("actor", flat=True)) == {"Alex Agent"}

    response = staff.post(f"/dashboard/tickets/{ticket.pk}/update/", update_data(assignee="", team=""))
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.assigned_to, ticket.team) == (None, "", None)


def test_a_name_that_is_no_agents_is_offered_as_it_is_and_kept(staff, jordan):
    ticket = make_ticket(assigned_to="Casey Contractor")
    html = staff.get(f"/dashboard/tickets/{ticket.pk}/").content.decode()
    assert ("name:Casey Contractor", "Casey Contractor (not an agent)", True) in options(html, "assignee")

    data = update_data(priority="urgent", assignee="name:Casey Contractor")
    assert staff.post(f"/dashboard/tickets/{ticket.pk}/update/", data).status_code == 302
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.assigned_to, ticket.assignee) == ("urgent", "Casey Contractor", None)
    assert not TicketEvent.objects.filter(ticket=ticket, action="assigned").exists()


def test_an_agent_removed_while_the_page_was_open_is_refused_next_to_the_picker(staff, jordan):
    ticket = make_ticket()
    data = update_data(assignee=str(jordan.pk))
    jordan.user.delete()  # the agent goes with their user
    response = staff.post(f"/dashboard/tickets/{ticket.pk}/update/", data)
    assert response.status_code == 400
    assert re.search(r'id="id_assignee-error" role="alert">Select a valid choice', response.content.decode())
    ticket.refresh_from_db()
    assert ticket.assigned_to == ""


def test_a_collision_shows_the_pickers_again_with_the_choices_made(staff, jordan, billing):
    ticket = make_ticket()
    html = staff.get(f"/dashboard/tickets/{ticket.pk}/").content.decode()
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    services.ticket_update(ticket_id=ticket.pk, priority="high", actor=TEST_ACTOR)
    data = update_data(priority="high", assignee=str(jordan.pk), team=str(billing.pk), version=version)

    response = staff.post(f"/dashboard/tickets/{ticket.pk}/update/", data)

    assert response.status_code == 409
    html = response.content.decode()
    assert (str(jordan.pk), "Jordan Lee", True) in options(html, "assignee")
    assert (str(billing.pk), "Billing", True) in options(html, "team")
    fresh = re.search(r'name="version" value="(\d+)"', html).group(1)
    assert staff.post(f"/dashboard/tickets/{ticket.pk}/update/", data | {"version": fresh}).status_code == 302
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.team) == (jordan, billing)


def test_a_new_ticket_may_go_to_an_agent_or_a_teams_queue(staff, jordan, sam, billing):
    html = staff.get("/dashboard/tickets/new/").content.decode()
    assert (str(sam.pk), "Sam Away (away)", False) in options(html, "assignee")
    assert (str(billing.pk), "Billing", False) in options(html, "team")
    data = {
        "subject": "Card declined",
        "description": "Twice today.",
        "customer_email": "caller@example.com",
        "priority": "high",
        "category": "billing",
        "source": "phone",
        "assignee": "",
        "team": str(billing.pk),
    }
    response = staff.post("/dashboard/tickets/new/", data)
    assert response.status_code == 302
    queued = SupportTicket.objects.get(subject="Card declined")
    assert (queued.team, queued.assignee) == (billing, None)  # a manual team: it waits in the queue

    response = staff.post("/dashboard/tickets/new/", data | {"subject": "Card stolen", "assignee": "999999"})
    assert response.status_code == 400
    assert re.search(r'id="id_assignee-error" role="alert">Select a valid choice', response.content.decode())


# --- The list: views and bulk changes ---


def listed(response) -> set[str]:
    return set(re.findall(r'<a href="/dashboard/tickets/\d+/">(FCT-\d{6})</a>', response.content.decode()))


def test_my_tickets_lists_the_signed_in_agents_tickets(as_jordan, jordan, sam):
    mine = make_ticket(assignee_id=jordan.pk)
    make_ticket(assignee_id=sam.pk)
    make_ticket()
    response = as_jordan.get("/dashboard/", {"assignedTo": "me"})
    assert response.status_code == 200
    assert listed(response) == {mine.ticket_number}
    assert '<a href="/dashboard/?assignedTo=me" aria-current="page">My tickets</a>' in response.content.decode()


def test_a_team_view_lists_the_teams_tickets(staff, billing):
    other = Team.objects.create(name="KYC")
    queued = make_ticket(team_id=billing.pk)
    make_ticket(team_id=other.pk)
    no_team = make_ticket()
    html = staff.get("/dashboard/").content.decode()
    assert f'<a href="/dashboard/?teamId={billing.pk}">Billing</a>' in html
    assert f'<a href="/dashboard/?teamId={other.pk}">KYC</a>' in html
    assert '<a href="/dashboard/" aria-current="page">All</a>' in html

    response = staff.get("/dashboard/", {"teamId": billing.pk})
    assert listed(response) == {queued.ticket_number}
    html = response.content.decode()
    assert f'<a href="/dashboard/?teamId={billing.pk}" aria-current="page">Billing</a>' in html
    team_filter = re.findall(r'<option value="([^"]*)"([^>]*)>([^<]*)</option>', select(html, "teamId"))
    assert (str(billing.pk), " selected", "Billing") in team_filter
    assert listed(staff.get("/dashboard/", {"teamId": "none"})) == {no_team.ticket_number}


def test_bulk_assigns_to_an_agent_and_moves_to_a_team(staff, jordan, sam, billing):
    first, second, untouched = make_ticket(), make_ticket(), make_ticket()
    html = staff.get("/dashboard/").content.decode()
    assert (str(sam.pk), "Sam Away (away)", False) in options(html, "assignee")
    assert ("none", "Unassigned", False) in options(html, "assignee")
    assert ("none", "No team", False) in options(html, "team")

    data = {
        "ids": [first.pk, second.pk],
        "assignee": str(jordan.pk),
        "team": str(billing.pk),
        "next": "/dashboard/",
        "confirmed": "True",
    }
    response = staff.post("/dashboard/bulk/", data)
    assert response.status_code == 302
    assert "Updated 2 tickets." in messages_on(staff, response)
    for ticket in (first, second):
        ticket.refresh_from_db()
        assert (ticket.assignee, ticket.assigned_to, ticket.team) == (jordan, "Jordan Lee", billing)
    untouched.refresh_from_db()
    assert (untouched.assignee, untouched.team) == (None, None)

    response = staff.post("/dashboard/bulk/", {"ids": [first.pk], "team": "none", "next": "/dashboard/"})
    first.refresh_from_db()
    assert (first.assignee, first.team) == (jordan, None)  # the assignee is kept when only the team changes


# --- Next ticket ---


def test_next_ticket_is_offered_to_agents_only(staff, client, jordan):
    assert "Next ticket" not in staff.get("/dashboard/").content.decode()
    client.force_login(jordan.user)
    html = client.get("/dashboard/").content.decode()
    assert '<form method="post" action="/dashboard/next/" class="topbar-form">' in html


def test_next_ticket_assigns_the_most_urgent_queued_ticket_and_opens_it(as_jordan, jordan, billing):
    later = make_ticket(team_id=billing.pk, priority="low")
    urgent = make_ticket(team_id=billing.pk, priority="urgent")
    make_ticket(priority="urgent")  # in no team of Jordan's

    response = as_jordan.post("/dashboard/next/")

    assert response.status_code == 302
    assert response.url == f"/dashboard/tickets/{urgent.pk}/"
    urgent.refresh_from_db()
    assert (urgent.assignee, urgent.assigned_to) == (jordan, "Jordan Lee")
    assert f"{urgent.ticket_number} is yours now." in messages_on(as_jordan, response)
    later.refresh_from_db()
    assert later.assignee is None


def test_next_ticket_with_empty_queues_says_so_on_the_list(as_jordan, billing):
    make_ticket()  # queued nowhere
    response = as_jordan.post("/dashboard/next/")
    assert response.status_code == 302
    assert response.url == "/dashboard/"
    assert "No queued tickets in your teams." in messages_on(as_jordan, response)
    assert not SupportTicket.objects.filter(assignee__isnull=False).exists()


def test_next_ticket_for_staff_who_are_no_agent_changes_nothing(staff, billing):
    make_ticket(team_id=billing.pk)
    response = staff.post("/dashboard/next/")
    assert response.url == "/dashboard/"
    assert "Only agents take tickets" in messages_on(staff, response)
    assert not SupportTicket.objects.filter(assignee__isnull=False).exists()
    assert staff.get("/dashboard/next/").status_code == 405


# --- An agent's own availability ---


def test_an_agent_sets_themselves_away_and_back_from_the_top_bar(as_jordan, jordan):
    html = as_jordan.get("/dashboard/statistics/").content.decode()
    bar = html[html.index('id="my-availability"') : html.index("</form>", html.index('id="my-availability"'))]
    assert f'action="/dashboard/settings/agents/{jordan.pk}/availability/"' in html
    assert '<input type="hidden" name="available" value="false">' in bar
    assert '<input type="hidden" name="next" value="/dashboard/statistics/">' in bar
    assert "Set me away" in bar

    url = f"/dashboard/settings/agents/{jordan.pk}/availability/"
    response = as_jordan.post(url, {"available": "false", "next": "/dashboard/statistics/"})
    assert response.status_code == 302
    assert response.url == "/dashboard/statistics/"
    jordan.refresh_from_db()
    assert jordan.available is False
    assert "You are away." in messages_on(as_jordan, response)
    assert "Set me available" in as_jordan.get("/dashboard/").content.decode()

    as_jordan.post(url, {"available": "false"})  # sent twice: still away
    jordan.refresh_from_db()
    assert jordan.available is False
    as_jordan.post(url, {"available": "true"})
    jordan.refresh_from_db()
    assert jordan.available is True
