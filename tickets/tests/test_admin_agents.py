"""The Django admin over agents and teams saves through tickets.agents."""

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tickets import agents
from tickets.models import Agent, Team

from .factories import StaffFactory, make_ticket


@pytest.fixture
def admin_client(db: None, client: Client) -> Client:
    client.force_login(StaffFactory(is_superuser=True, first_name="Ada", last_name="Admin"))
    return client


def agent_form(**overrides: Any) -> dict[str, Any]:
    data = {
        "display_name": "Priya Shah",
        "email": "",
        "slack_user_id": "",
        "helpscout_user_id": "",
        "available": "on",
        "capacity": "",
        "teams": [],
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def team_form(name: str, assignment: str, member_ids: list[int], existing: list[int] = ()) -> dict[str, Any]:
    """The team form with the inline: existing membership rows, then one row per new member."""
    data: dict[str, Any] = {
        "name": name,
        "assignment": assignment,
        "memberships-TOTAL_FORMS": len(member_ids),
        "memberships-INITIAL_FORMS": len(existing),
        "memberships-MIN_NUM_FORMS": 0,
        "memberships-MAX_NUM_FORMS": 1000,
    }
    for index, agent_id in enumerate(member_ids):
        data[f"memberships-{index}-agent"] = agent_id
        if index < len(existing):
            data[f"memberships-{index}-id"] = existing[index]
    return data


def test_add_and_change_pages_render(admin_client):
    team = agents.team_create(name="KYC")
    agent = agents.agent_create(username="priya", display_name="Priya", team_ids=[team.pk])

    for url in (
        reverse("admin:tickets_agent_changelist"),
        reverse("admin:tickets_agent_add"),
        reverse("admin:tickets_agent_change", args=[agent.pk]),
        reverse("admin:tickets_team_changelist"),
        reverse("admin:tickets_team_add"),
        reverse("admin:tickets_team_change", args=[team.pk]),
    ):
        assert admin_client.get(url).status_code == 200, url


def test_adding_an_agent_creates_the_staff_user_and_memberships(admin_client):
    team = agents.team_create(name="KYC")

    response = admin_client.post(
        reverse("admin:tickets_agent_add"), agent_form(username="priya", capacity="3", teams=[team.pk])
    )

    assert response.status_code == 302, response.context["adminform"].errors
    agent = Agent.objects.get()
    assert (agent.display_name, agent.capacity, agent.user.username) == ("Priya Shah", 3, "priya")
    assert agent.user.is_staff
    assert list(agent.teams.all()) == [team]


def test_the_add_form_shows_the_services_refusals(admin_client):
    agents.agent_create(username="sam", display_name="Sam", slack_user_id="U1")

    response = admin_client.post(
        reverse("admin:tickets_agent_add"), agent_form(username="priya", display_name="SAM", slack_user_id="U1")
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "display_name" in errors
    assert not get_user_model().objects.filter(username="priya").exists()


def test_coming_back_in_the_admin_hands_out_the_queue(admin_client):
    team = agents.team_create(name="KYC", assignment="round_robin")
    agent = agents.agent_create(username="priya", display_name="Priya", available=False, team_ids=[team.pk])
    ticket = make_ticket(team_id=team.pk)

    response = admin_client.post(
        reverse("admin:tickets_agent_change", args=[agent.pk]),
        agent_form(display_name="Priya", available="on", teams=[team.pk]),
    )

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee == agent


def test_agents_cannot_be_deleted_in_the_admin(admin_client):
    agent = agents.agent_create(username="priya", display_name="Priya")
    assert admin_client.get(reverse("admin:tickets_agent_delete", args=[agent.pk])).status_code == 403


def test_team_add_change_and_delete_through_the_services(admin_client):
    priya = agents.agent_create(username="priya", display_name="Priya")
    sam = agents.agent_create(username="sam", display_name="Sam")

    added = admin_client.post(reverse("admin:tickets_team_add"), team_form("KYC", "manual", [priya.pk]))
    assert added.status_code == 302
    team = Team.objects.get()
    assert list(team.members.all()) == [priya]

    ticket = make_ticket(team_id=team.pk)
    membership = team.memberships.get().pk
    changed = admin_client.post(
        reverse("admin:tickets_team_change", args=[team.pk]),
        {**team_form("KYC", "round_robin", [priya.pk, sam.pk], existing=[membership]), "memberships-0-DELETE": "on"},
    )
    assert changed.status_code == 302
    team.refresh_from_db()
    assert team.assignment == "round_robin"
    assert list(team.members.all()) == [sam]
    ticket.refresh_from_db()
    assert ticket.assignee == sam  # the team became automatic: its queue went out

    duplicate = admin_client.post(reverse("admin:tickets_team_add"), team_form("kyc", "manual", []))
    assert duplicate.status_code == 200 and "name" in duplicate.context["adminform"].form.errors

    deleted = admin_client.post(reverse("admin:tickets_team_delete", args=[team.pk]), {"post": "yes"})
    assert deleted.status_code == 302
    assert not Team.objects.exists()
    ticket.refresh_from_db()
    assert ticket.team_id is None
