"""The settings pages for agents and teams: the lists, the add and edit forms (with the
services' refusals next to their fields), availability, deleting a team, and who may."""

import re

import pytest
from django.contrib.auth import get_user_model

from tickets import services
from tickets.models import Agent, Team, TeamAssignment

from .factories import TEST_ACTOR, make_agent, make_team, make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, staff_agent):
    client.force_login(staff_agent)
    return client


@pytest.fixture
def jordan() -> Agent:
    return make_agent("Jordan Lee", capacity=5)


@pytest.fixture
def sam() -> Agent:
    return make_agent("Sam Away", available=False)


@pytest.fixture
def billing(jordan: Agent, sam: Agent) -> Team:
    return make_team("Billing", TeamAssignment.ROUND_ROBIN, [jordan, sam])


def row(html: str, row_id: str) -> str:
    match = re.search(rf'<tr id="{row_id}">(.*?)</tr>', html, re.DOTALL)
    assert match, f"no row {row_id}"
    return re.sub(r"\s+", " ", match.group(1))


def field_error(html: str, field: str) -> str:
    match = re.search(rf'<p class="error" id="id_{field}-error" role="alert">(.*?)</p>', html)
    assert match, f"no error shown for {field}"
    return match.group(1)


def messages_on(client, response) -> str:
    return client.get(response.url).content.decode()


def agent_data(**overrides: object) -> dict[str, object]:
    fields = {"display_name": "Robin Reyes", "email": "", "slack_user_id": "", "helpscout_user_id": "", "capacity": ""}
    return fields | {"available": "on"} | overrides


# --- The lists ---


def test_the_settings_page_lists_agents_and_teams(staff, jordan, sam, billing):
    make_ticket(assignee_id=jordan.pk)
    done = make_ticket(assignee_id=jordan.pk)
    services.ticket_change_status(ticket_id=done.pk, status="resolved", actor=TEST_ACTOR)
    html = staff.get("/dashboard/settings/agents/").content.decode()
    assert "<h1>Agents and teams</h1>" in html

    jordan_row = row(html, f"agent-{jordan.pk}")
    assert f'<a href="/dashboard/settings/agents/{jordan.pk}/">Jordan Lee</a>' in jordan_row
    assert "<td>Billing</td>" in jordan_row
    assert '<span class="badge available">Available</span>' in jordan_row
    assert "<td>5</td>" in jordan_row
    assert ">1</a></td>" in jordan_row  # open tickets, linking to them

    sam_row = row(html, f"agent-{sam.pk}")
    assert '<span class="badge away">Away</span>' in sam_row
    assert "<td>No limit</td>" in sam_row
    assert ">0</a></td>" in sam_row

    team_row = row(html, f"team-{billing.pk}")
    assert f'<a href="/dashboard/settings/teams/{billing.pk}/">Billing</a>' in team_row
    assert "<td>Round robin</td>" in team_row
    assert "<td>Jordan Lee, Sam Away</td>" in team_row


def test_the_settings_page_with_nothing_yet(staff):
    html = staff.get("/dashboard/settings/agents/").content.decode()
    assert "No agents yet." in html
    assert "No teams yet." in html


# --- Agents ---


def test_adding_an_agent_makes_a_staff_user_and_joins_the_teams(staff, billing):
    data = agent_data(username="robin", email="robin@example.com", capacity="3", team_ids=[billing.pk])
    response = staff.post("/dashboard/settings/agents/new/", data)
    assert response.status_code == 302
    assert response.url == "/dashboard/settings/agents/"
    robin = Agent.objects.get(display_name="Robin Reyes")
    assert (robin.user.username, robin.user.is_staff, robin.email) == ("robin", True, "robin@example.com")
    assert (robin.available, robin.capacity) == (True, 3)
    assert list(robin.teams.all()) == [billing]
    assert "Added Robin Reyes." in messages_on(staff, response)


def test_the_add_form_renders_teams_as_labelled_checkboxes(staff, billing):
    html = staff.get("/dashboard/settings/agents/new/").content.decode()
    assert "<legend>Teams</legend>" in html
    assert re.search(rf'<label><input type="checkbox" name="team_ids" value="{billing.pk}"[^>]*> Billing</label>', html)
    assert re.search(r'<input type="checkbox" name="available"[^>]*checked', html)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            agent_data(username="robin", display_name="jordan lee"),
            "display_name",
            "An agent named &#x27;jordan lee&#x27;",
        ),
        (agent_data(username="robin", display_name=""), "display_name", "This field is required."),
        (agent_data(username="bad name!"), "username", "Enter a valid username"),
        (agent_data(username="robin", capacity="-1"), "capacity", "greater than or equal to 0"),
        (agent_data(username="robin", email="nope"), "email", "Enter a valid email address."),
        (agent_data(username="robin", team_ids=["999999"]), "team_ids", "Select a valid choice"),
    ],
)
def test_adding_an_invalid_agent_shows_the_error_next_to_the_field(staff, jordan, data, field, message):
    response = staff.post("/dashboard/settings/agents/new/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in field_error(html, field)
    assert Agent.objects.count() == 1
    assert not get_user_model().objects.filter(username="robin").exists()


def test_a_taken_slack_id_is_refused_by_the_service_next_to_its_field(staff, jordan):
    jordan.slack_user_id = "U123"
    jordan.save(update_fields=["slack_user_id"])
    response = staff.post("/dashboard/settings/agents/new/", agent_data(username="robin", slack_user_id="U123"))
    assert response.status_code == 400
    assert "U123 is another agent&#x27;s." in field_error(response.content.decode(), "slack_user_id")
    assert 'value="Robin Reyes"' in response.content.decode()  # what was typed is kept


def test_editing_an_agent(staff, jordan, sam, billing):
    html = staff.get(f"/dashboard/settings/agents/{jordan.pk}/").content.decode()
    assert 'value="Jordan Lee"' in html
    assert 'name="username"' not in html  # an agent stays with their user
    assert f"Signs in as {jordan.user.username}" in html

    data = agent_data(display_name="Jordan Lee-Park", capacity="", team_ids=[]) | {"available": ""}
    data.pop("available")
    response = staff.post(f"/dashboard/settings/agents/{jordan.pk}/", data)
    assert response.status_code == 302
    jordan.refresh_from_db()
    assert (jordan.display_name, jordan.available, jordan.capacity) == ("Jordan Lee-Park", False, None)
    assert not jordan.teams.exists()
    assert "Saved Jordan Lee-Park." in messages_on(staff, response)


def test_editing_an_agent_to_anothers_name_is_refused(staff, jordan, sam):
    response = staff.post(f"/dashboard/settings/agents/{jordan.pk}/", agent_data(display_name="SAM AWAY"))
    assert response.status_code == 400
    assert "exists already" in field_error(response.content.decode(), "display_name")
    jordan.refresh_from_db()
    assert jordan.display_name == "Jordan Lee"


def test_an_unknown_agent_or_team_is_404(staff):
    for url in ("/dashboard/settings/agents/999999/", "/dashboard/settings/teams/999999/"):
        assert staff.get(url).status_code == 404
    assert staff.post("/dashboard/settings/teams/999999/delete/").status_code == 404


def test_setting_another_agent_away_from_the_list(staff, jordan):
    html = staff.get("/dashboard/settings/agents/").content.decode()
    assert 'aria-label="Set away: Jordan Lee"' in row(html, f"agent-{jordan.pk}")
    response = staff.post(f"/dashboard/settings/agents/{jordan.pk}/availability/", {"available": "false"})
    assert response.status_code == 302
    assert response.url == "/dashboard/settings/agents/"
    jordan.refresh_from_db()
    assert jordan.available is False
    assert "Jordan Lee is away." in messages_on(staff, response)


def test_availability_of_an_unknown_agent_or_without_a_state_changes_nothing(staff, jordan):
    response = staff.post("/dashboard/settings/agents/999999/availability/", {"available": "false"})
    assert "No agent with id 999999." in messages_on(staff, response)
    response = staff.post(f"/dashboard/settings/agents/{jordan.pk}/availability/", {"available": "maybe"})
    assert "Choose available or away." in messages_on(staff, response)
    jordan.refresh_from_db()
    assert jordan.available is True


# --- Teams ---


def test_adding_a_team(staff, jordan, sam):
    html = staff.get("/dashboard/settings/teams/new/").content.decode()
    assert re.search(rf'<input type="checkbox" name="member_ids" value="{sam.pk}"[^>]*> Sam Away \(away\)', html)
    data = {"name": "KYC", "assignment": "least_loaded", "member_ids": [jordan.pk]}
    response = staff.post("/dashboard/settings/teams/new/", data)
    assert response.status_code == 302
    team = Team.objects.get(name="KYC")
    assert (team.assignment, list(team.members.all())) == ("least_loaded", [jordan])
    assert "Added team KYC." in messages_on(staff, response)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "billing", "assignment": "manual"}, "name", "A team named &#x27;billing&#x27; exists already."),
        ({"name": "", "assignment": "manual"}, "name", "This field is required."),
        ({"name": "KYC", "assignment": "lottery"}, "assignment", "Select a valid choice"),
        ({"name": "KYC", "assignment": "manual", "member_ids": ["999999"]}, "member_ids", "Select a valid choice"),
    ],
)
def test_adding_an_invalid_team_shows_the_error_next_to_the_field(staff, billing, data, field, message):
    response = staff.post("/dashboard/settings/teams/new/", data)
    assert response.status_code == 400
    assert message in field_error(response.content.decode(), field)
    assert list(Team.objects.values_list("name", flat=True)) == ["Billing"]


def test_editing_a_team(staff, jordan, sam, billing):
    html = staff.get(f"/dashboard/settings/teams/{billing.pk}/").content.decode()
    assert 'value="Billing"' in html
    assert re.search(rf'name="member_ids" value="{jordan.pk}"[^>]*checked', html)
    data = {"name": "Payments", "assignment": "manual", "member_ids": [sam.pk]}
    response = staff.post(f"/dashboard/settings/teams/{billing.pk}/", data)
    assert response.status_code == 302
    billing.refresh_from_db()
    assert (billing.name, billing.assignment, list(billing.members.all())) == ("Payments", "manual", [sam])


def test_renaming_a_team_to_anothers_name_is_refused(staff, billing):
    Team.objects.create(name="KYC")
    response = staff.post(f"/dashboard/settings/teams/{billing.pk}/", {"name": "kyc", "assignment": "manual"})
    assert response.status_code == 400
    assert "exists already" in field_error(response.content.decode(), "name")
    billing.refresh_from_db()
    assert billing.name == "Billing"


def test_deleting_a_team_leaves_its_tickets_without_a_team(staff, jordan, billing):
    ticket = make_ticket(team_id=billing.pk, assignee_id=jordan.pk)
    html = staff.get(f"/dashboard/settings/teams/{billing.pk}/").content.decode()
    assert f'action="/dashboard/settings/teams/{billing.pk}/delete/"' in html
    response = staff.post(f"/dashboard/settings/teams/{billing.pk}/delete/")
    assert response.status_code == 302
    assert not Team.objects.exists()
    ticket.refresh_from_db()
    assert (ticket.team, ticket.assignee) == (None, jordan)
    assert "Deleted team Billing." in messages_on(staff, response)
    assert staff.get(f"/dashboard/settings/teams/{billing.pk}/delete/").status_code == 405


# --- Who may ---


def settings_posts(jordan: Agent, billing: Team) -> list[tuple[str, dict[str, object]]]:
    return [
        ("/dashboard/settings/agents/new/", agent_data(username="mallory", display_name="Mallory")),
        (f"/dashboard/settings/agents/{jordan.pk}/", agent_data(display_name="Mallory")),
        (f"/dashboard/settings/agents/{jordan.pk}/availability/", {"available": "false"}),
        ("/dashboard/settings/teams/new/", {"name": "Mallory", "assignment": "manual"}),
        (f"/dashboard/settings/teams/{billing.pk}/", {"name": "Mallory", "assignment": "manual"}),
        (f"/dashboard/settings/teams/{billing.pk}/delete/", {}),
        ("/dashboard/next/", {}),
    ]


def assert_unchanged(jordan: Agent, billing: Team) -> None:
    assert list(Agent.objects.values_list("display_name", "available")) == [("Jordan Lee", True), ("Sam Away", False)]
    assert list(Team.objects.values_list("name", flat=True)) == ["Billing"]
    assert not get_user_model().objects.filter(username="mallory").exists()


def test_anonymous_and_non_staff_may_not_see_or_change_agents_and_teams(client, non_staff_user, jordan, billing):
    pages = ["/dashboard/settings/agents/", f"/dashboard/settings/agents/{jordan.pk}/"]
    pages += [f"/dashboard/settings/teams/{billing.pk}/"]
    for url in pages:
        assert client.get(url).url.startswith("/login/?next="), url
    for url, data in settings_posts(jordan, billing):
        assert client.post(url, data).url.startswith("/login/?next="), url
    client.force_login(non_staff_user)
    for url in pages:
        assert client.get(url).status_code == 403, url
    for url, data in settings_posts(jordan, billing):
        assert client.post(url, data).status_code == 403, url
    assert_unchanged(jordan, billing)


def test_the_settings_forms_carry_a_csrf_token(staff, jordan, billing):
    for url in (
        "/dashboard/settings/agents/",
        "/dashboard/settings/agents/new/",
        f"/dashboard/settings/agents/{jordan.pk}/",
        f"/dashboard/settings/teams/{billing.pk}/",
    ):
        html = staff.get(url).content.decode()
        forms = re.findall(r'<form method="post".*?</form>', html, re.DOTALL)
        assert forms, url
        assert all('name="csrfmiddlewaretoken"' in form for form in forms), url
