"""tickets.agents: the rules for agents and teams, and the queued tickets a change hands out."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tickets import agents, selectors, services
from tickets.exceptions import TicketError
from tickets.models import Agent, SupportTicket, Team, TeamMembership, TicketAction, TicketEvent, TicketStatus

from .factories import TEST_ACTOR, StaffFactory, UserFactory, make_ticket

pytestmark = pytest.mark.django_db


def refused(field: str) -> pytest.RaisesExc:
    return pytest.raises(TicketError, check=lambda error: error.field == field)


def member_ids(team: Team) -> set[int]:
    return set(team.memberships.values_list("agent_id", flat=True))


# --- Agents ---


def test_a_new_username_becomes_a_staff_user_without_a_password():
    agent = agents.agent_create(username="priya", display_name="Priya Shah", email="priya@example.com")

    user = get_user_model().objects.get(username="priya")
    assert agent.user == user
    assert user.is_staff and not user.has_usable_password()
    assert user.email == "priya@example.com"
    assert (agent.available, agent.capacity) == (True, None)


def test_an_existing_user_is_made_staff_and_keeps_their_password():
    user = UserFactory(username="sam", email="sam@example.com")

    agent = agents.agent_create(username="sam", display_name="Sam")

    user.refresh_from_db()
    assert agent.user == user and user.is_staff and user.check_password("correct horse battery")
    assert agent.email == "sam@example.com"  # the user's, when none is given


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("displayName", {"display_name": "PRIYA shah"}),
        ("slackUserId", {"slack_user_id": "U123"}),
        ("helpScoutUserId", {"helpscout_user_id": "42"}),
        ("username", {"username": "priya"}),
    ],
)
def test_duplicates_are_refused_naming_the_field(field, overrides):
    agents.agent_create(username="priya", display_name="Priya Shah", slack_user_id="U123", helpscout_user_id="42")
    fields = {"username": "other", "display_name": "Other", **overrides}

    with refused(field):
        agents.agent_create(**fields)
    assert Agent.objects.count() == 1
    assert not get_user_model().objects.filter(username="other").exists()  # all or nothing


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("capacity", {"capacity": -1}),
        ("teams", {"team_ids": [999_999]}),
        ("displayName", {"display_name": "   "}),
        ("email", {"email": "not an address"}),
        ("username", {"username": "has spaces in it"}),
        ("slackUserId", {"slack_user_id": "U" * 33}),
    ],
)
def test_bad_values_are_refused_naming_the_field(field, overrides):
    with refused(field):
        agents.agent_create(**{"username": "priya", "display_name": "Priya", **overrides})
    assert not Agent.objects.exists()


def test_updating_an_agent_keeps_what_is_not_given_and_refuses_another_agents_name():
    agents.agent_create(username="sam", display_name="Sam")
    agent = agents.agent_create(username="priya", display_name="Priya", slack_user_id="U1", capacity=3)

    agents.agent_update(agent_id=agent.pk, capacity=5, email="p@example.com")
    agent.refresh_from_db()
    assert (agent.display_name, agent.slack_user_id, agent.capacity, agent.email) == ("Priya", "U1", 5, "p@example.com")

    with refused("displayName"):
        agents.agent_update(agent_id=agent.pk, display_name="sam")
    agents.agent_update(agent_id=agent.pk, display_name="PRIYA")  # their own name, in another case
    agent.refresh_from_db()
    assert agent.display_name == "PRIYA"


def test_team_ids_replace_the_memberships_and_kept_ones_keep_their_turn():
    kyc, billing, vip = (agents.team_create(name=name) for name in ("KYC", "Billing", "VIP"))
    agent = agents.agent_create(username="priya", display_name="Priya", team_ids=[kyc.pk, billing.pk])
    TeamMembership.objects.filter(agent=agent, team=kyc).update(last_assigned_at="2026-01-01T00:00:00Z")

    agents.agent_update(agent_id=agent.pk, team_ids=[kyc.pk, vip.pk])

    assert set(agent.teams.values_list("name", flat=True)) == {"KYC", "VIP"}
    assert TeamMembership.objects.get(agent=agent, team=kyc).last_assigned_at is not None
    with refused("teams"):
        agents.agent_update(agent_id=agent.pk, team_ids=[vip.pk, 999_999])
    assert set(agent.teams.values_list("name", flat=True)) == {"KYC", "VIP"}


# --- Teams ---


def test_team_rules():
    priya = agents.agent_create(username="priya", display_name="Priya")
    team = agents.team_create(name="KYC", assignment="round_robin", member_ids=[priya.pk])
    assert member_ids(team) == {priya.pk}

    with refused("name"):
        agents.team_create(name="kyc")
    with refused("assignment"):
        agents.team_create(name="Billing", assignment="random")
    with refused("members"):
        agents.team_create(name="Billing", member_ids=[priya.pk, 999_999])
    with refused("members"):
        agents.team_update(team_id=team.pk, member_ids=[999_999])

    sam = agents.agent_create(username="sam", display_name="Sam")
    agents.team_update(team_id=team.pk, name="Know your customer", member_ids=[sam.pk])
    team.refresh_from_db()
    assert (team.name, team.assignment, member_ids(team)) == ("Know your customer", "round_robin", {sam.pk})


def test_deleting_a_team_leaves_its_tickets_without_a_team():
    priya = agents.agent_create(username="priya", display_name="Priya")
    team = agents.team_create(name="KYC", assignment="round_robin", member_ids=[priya.pk])
    ticket = make_ticket(team_id=team.pk)

    agents.team_delete(team_id=team.pk)

    ticket.refresh_from_db()
    assert ticket.team_id is None and ticket.assignee == priya  # assigned when created, and stays
    assert not Team.objects.exists() and Agent.objects.filter(pk=priya.pk).exists()
    with refused("team"):
        agents.team_delete(team_id=team.pk)


# --- Queued tickets handed out ---


@pytest.fixture
def away_team() -> tuple[Team, Agent, SupportTicket]:
    """A round-robin team whose one member is away, and a ticket waiting in its queue."""
    team = agents.team_create(name="KYC", assignment="round_robin")
    away = agents.agent_create(username="priya", display_name="Priya", available=False, team_ids=[team.pk])
    ticket = make_ticket(team_id=team.pk)
    assert ticket.assignee_id is None
    return team, away, ticket


def assignments(ticket: SupportTicket) -> list[tuple[str | None, str]]:
    events = TicketEvent.objects.filter(ticket=ticket, action=TicketAction.ASSIGNED).order_by("id")
    return [(event.new_value, event.actor) for event in events]


def test_an_agent_back_from_away_gets_the_queued_ticket_audited_as_the_team(
    away_team, django_capture_on_commit_callbacks
):
    _, agent, ticket = away_team

    with django_capture_on_commit_callbacks(execute=True):
        agents.agent_update(agent_id=agent.pk, available=True)

    ticket.refresh_from_db()
    assert ticket.assignee == agent and ticket.assigned_to == "Priya"
    assert assignments(ticket) == [("Priya", "KYC: round robin")]


def test_more_capacity_hands_out_the_queue(away_team):
    _, agent, ticket = away_team
    agents.agent_update(agent_id=agent.pk, capacity=0)
    agents.agent_update(agent_id=agent.pk, available=True)
    ticket.refresh_from_db()
    assert ticket.assignee_id is None  # no room

    agents.agent_update(agent_id=agent.pk, capacity=1)

    ticket.refresh_from_db()
    assert ticket.assignee == agent


def test_a_new_member_of_an_automatic_team_gets_its_queue(away_team):
    team, _, ticket = away_team

    sam = agents.agent_create(username="sam", display_name="Sam", team_ids=[team.pk])

    ticket.refresh_from_db()
    assert ticket.assignee == sam


def test_joining_through_the_team_hands_out_too(away_team):
    team, away, ticket = away_team
    sam = agents.agent_create(username="sam", display_name="Sam")

    agents.team_update(team_id=team.pk, member_ids=[away.pk, sam.pk])

    ticket.refresh_from_db()
    assert ticket.assignee == sam


def test_a_team_that_becomes_automatic_hands_out_its_queue():
    sam = agents.agent_create(username="sam", display_name="Sam")
    team = agents.team_create(name="Billing", member_ids=[sam.pk])
    ticket = make_ticket(team_id=team.pk)
    assert ticket.assignee_id is None  # manual: waits

    agents.team_update(team_id=team.pk, assignment="least_loaded")

    ticket.refresh_from_db()
    assert ticket.assignee == sam
    assert assignments(ticket) == [("Sam", "Billing: least loaded")]


def test_finished_tickets_are_not_handed_out(away_team):
    _, agent, ticket = away_team
    services.ticket_change_status(ticket_id=ticket.pk, status=TicketStatus.CLOSED, actor=TEST_ACTOR)

    agents.agent_update(agent_id=agent.pk, available=True)

    ticket.refresh_from_db()
    assert ticket.assignee_id is None


# --- Selectors ---


def test_agent_rows_count_open_tickets_and_teams_in_constant_queries():
    kyc = agents.team_create(name="KYC")
    created = [
        agents.agent_create(username=f"agent{n}", display_name=f"Agent {n}", team_ids=[kyc.pk]) for n in range(5)
    ]
    make_ticket(assignee_id=created[0].pk)
    closed = make_ticket(assignee_id=created[0].pk)
    services.ticket_change_status(ticket_id=closed.pk, status=TicketStatus.RESOLVED, actor=TEST_ACTOR)
    StaffFactory()  # a staff user who is not an agent is not listed

    with CaptureQueriesContext(connection) as queries:
        rows = selectors.agent_rows(selectors.agent_list())
        [row.agent.user.username for row in rows]
    assert len(queries) == 3
    assert [(row.agent.display_name, row.team_ids, row.open_tickets) for row in rows[:2]] == [
        ("Agent 0", [kyc.pk], 1),
        ("Agent 1", [kyc.pk], 0),
    ]
    with CaptureQueriesContext(connection) as queries:
        teams = selectors.team_rows(selectors.team_list())
    assert len(queries) == 2
    assert teams[0].member_ids == sorted(agent.pk for agent in created)
