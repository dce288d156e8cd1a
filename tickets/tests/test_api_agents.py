"""The admin API over agents and teams: /api/admin/agents and /api/admin/teams."""

import pytest
from django.contrib.auth import get_user_model

from tickets import agents
from tickets.models import Agent, Team

from .factories import make_ticket

pytestmark = pytest.mark.django_db

AGENTS, TEAMS = "/api/admin/agents", "/api/admin/teams"


@pytest.fixture
def kyc(db) -> Team:
    return agents.team_create(name="KYC", assignment="round_robin")


def test_create_an_agent_and_read_it_back(staff_client, kyc):
    body = {
        "username": "priya",
        "displayName": "Priya Shah",
        "email": "priya@example.com",
        "slackUserId": "U123",
        "teams": [kyc.pk],
        "capacity": 5,
    }
    response = staff_client.post(AGENTS, body, format="json")

    assert response.status_code == 201, response.json()
    created = response.json()
    agent = Agent.objects.get()
    assert created == {
        "id": agent.pk,
        "username": "priya",
        "displayName": "Priya Shah",
        "email": "priya@example.com",
        "slackUserId": "U123",
        "helpScoutUserId": None,
        "teams": [kyc.pk],
        "available": True,
        "capacity": 5,
        "openTickets": 0,
    }
    assert get_user_model().objects.get(username="priya").is_staff
    assert staff_client.get(f"{AGENTS}/{agent.pk}").json() == created
    assert staff_client.get(f"{AGENTS}/{agent.pk}/").json() == created
    assert staff_client.get(AGENTS).json() == [created]


def test_the_list_counts_open_tickets_and_orders_by_display_name(staff_client):
    zoe = agents.agent_create(username="zoe", display_name="Zoe")
    agents.agent_create(username="adam", display_name="adam")
    make_ticket(assignee_id=zoe.pk)
    make_ticket(assignee_id=zoe.pk)

    listed = staff_client.get(AGENTS).json()

    assert [(row["displayName"], row["openTickets"]) for row in listed] == [("Zoe", 2), ("adam", 0)]


def test_patch_changes_what_is_given_and_hands_out_the_queue(staff_client, kyc):
    agent = agents.agent_create(username="priya", display_name="Priya", available=False, team_ids=[kyc.pk])
    ticket = make_ticket(team_id=kyc.pk)

    response = staff_client.patch(f"{AGENTS}/{agent.pk}", {"available": True, "slackUserId": None}, format="json")

    assert response.status_code == 200
    assert response.json()["available"] is True
    assert response.json()["openTickets"] == 1
    assert response.json()["displayName"] == "Priya"
    ticket.refresh_from_db()
    assert ticket.assignee == agent


def test_a_form_encoded_body_without_available_leaves_agents_available(staff_client, kyc):
    """DRF reads a boolean missing from form data as an unticked checkbox: false. An agent
    made or changed by a form post without `available` must not go away by it."""
    created = staff_client.post(AGENTS, {"username": "sam", "displayName": "Sam", "teams": [kyc.pk]})
    assert created.status_code == 201, created.content
    assert created.json()["available"] is True

    changed = staff_client.patch(f"{AGENTS}/{created.json()['id']}", {"capacity": 3})
    assert changed.status_code == 200, changed.content
    assert (changed.json()["available"], changed.json()["capacity"], changed.json()["teams"]) == (True, 3, [kyc.pk])


def test_patch_replaces_teams_and_refuses_a_new_username(staff_client, kyc):
    billing = agents.team_create(name="Billing")
    agent = agents.agent_create(username="priya", display_name="Priya", team_ids=[kyc.pk])

    assert staff_client.patch(f"{AGENTS}/{agent.pk}", {"teams": [billing.pk]}, format="json").json()["teams"] == [
        billing.pk
    ]
    same = staff_client.patch(f"{AGENTS}/{agent.pk}", {"username": "priya", "capacity": None}, format="json")
    assert same.status_code == 200
    renamed = staff_client.patch(f"{AGENTS}/{agent.pk}", {"username": "someone"}, format="json")
    assert renamed.status_code == 400
    assert list(renamed.json()) == ["username"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"displayName": "Priya"}, "username"),
        ({"username": "priya"}, "displayName"),
        ({"username": "sam", "displayName": "priya"}, "displayName"),
        ({"username": "priya", "displayName": "Other"}, "username"),
        ({"username": "sam", "displayName": "Sam", "slackUserId": "U1"}, "slackUserId"),
        ({"username": "sam", "displayName": "Sam", "teams": [999_999]}, "teams"),
        ({"username": "sam", "displayName": "Sam", "teams": ["x"]}, "teams"),
        ({"username": "sam", "displayName": "Sam", "capacity": -1}, "capacity"),
        ({"username": "sam", "displayName": "Sam", "email": "nope"}, "email"),
        ({"username": "sam", "displayName": "Sam", "helpScoutUserId": "9" * 40}, "helpScoutUserId"),
        ({"username": "s a m", "displayName": "Sam"}, "username"),
    ],
)
def test_bad_agents_are_a_400_naming_the_field(staff_client, body, field):
    agents.agent_create(username="priya", display_name="Priya", slack_user_id="U1")

    response = staff_client.post(AGENTS, body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert Agent.objects.count() == 1


@pytest.mark.parametrize("key", ["999999", "abc", "-1", "1" * 30])
def test_unknown_ids_are_404(staff_client, key):
    for url in (f"{AGENTS}/{key}", f"{TEAMS}/{key}"):
        assert staff_client.get(url).status_code == 404
        assert staff_client.patch(url, {"name": "x", "capacity": 1}, format="json").status_code == 404
    assert staff_client.delete(f"{TEAMS}/{key}").status_code == 404


def test_non_staff_are_refused(non_staff_client, anonymous_client):
    assert non_staff_client.get(AGENTS).status_code == 403
    assert anonymous_client.post(TEAMS, {"name": "x"}, format="json").status_code == 401


# --- Teams ---


def test_team_lifecycle(staff_client):
    priya = agents.agent_create(username="priya", display_name="Priya")
    sam = agents.agent_create(username="sam", display_name="Sam")

    created = staff_client.post(TEAMS, {"name": "KYC", "members": [priya.pk]}, format="json")
    assert created.status_code == 201
    team_id = created.json()["id"]
    assert created.json() == {"id": team_id, "name": "KYC", "members": [priya.pk], "assignment": "manual"}

    changed = staff_client.patch(
        f"{TEAMS}/{team_id}", {"members": [sam.pk, priya.pk], "assignment": "least_loaded"}, format="json"
    )
    assert changed.status_code == 200
    assert changed.json() == {
        "id": team_id,
        "name": "KYC",
        "members": sorted([priya.pk, sam.pk]),
        "assignment": "least_loaded",
    }
    assert staff_client.get(TEAMS).json() == [changed.json()]
    assert staff_client.get(f"{AGENTS}/{sam.pk}").json()["teams"] == [team_id]

    ticket = make_ticket(team_id=team_id)
    assert staff_client.delete(f"{TEAMS}/{team_id}").status_code == 204
    assert staff_client.get(f"{TEAMS}/{team_id}").status_code == 404
    ticket.refresh_from_db()
    assert ticket.team_id is None


def test_a_team_becoming_automatic_hands_out_its_queue(staff_client):
    sam = agents.agent_create(username="sam", display_name="Sam")
    team = agents.team_create(name="Billing", member_ids=[sam.pk])
    ticket = make_ticket(team_id=team.pk)

    staff_client.patch(f"{TEAMS}/{team.pk}", {"assignment": "round_robin"}, format="json")

    ticket.refresh_from_db()
    assert ticket.assignee == sam


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": "  "}, "name"),
        ({"name": "kyc"}, "name"),
        ({"name": "Billing", "assignment": "random"}, "assignment"),
        ({"name": "Billing", "members": [999_999]}, "members"),
        ({"name": "Billing", "members": "1"}, "members"),
    ],
)
def test_bad_teams_are_a_400_naming_the_field(staff_client, kyc, body, field):
    response = staff_client.post(TEAMS, body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert Team.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "BILLING"}, "name"),
        ({"assignment": "random"}, "assignment"),
        ({"members": [999_999]}, "members"),
    ],
)
def test_bad_team_changes_are_a_400_naming_the_field(staff_client, kyc, body, field):
    agents.team_create(name="Billing")

    response = staff_client.patch(f"{TEAMS}/{kyc.pk}", body, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]
    kyc.refresh_from_db()
    assert (kyc.name, kyc.assignment) == ("KYC", "round_robin")


def test_the_schema_documents_agents_and_teams(anonymous_client):
    schema = anonymous_client.get("/api/schema/?format=json").json()
    assert set(schema["paths"]["/api/admin/agents/{id}"]) == {"get", "patch"}
    assert set(schema["paths"]["/api/admin/teams/{id}"]) == {"get", "patch", "delete"}
    agent = schema["components"]["schemas"]["Agent"]["properties"]
    assert set(agent) == {
        "id",
        "username",
        "displayName",
        "email",
        "slackUserId",
        "helpScoutUserId",
        "teams",
        "available",
        "capacity",
        "openTickets",
    }
    not_found = schema["paths"]["/api/admin/teams/{id}"]["get"]["responses"]["404"]["description"]
    assert not_found == "No team with this id."
