"""Agents and teams on tickets through the API: create, assign, bulk, and the filters."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tickets.models import Agent, SupportTicket, TicketEvent

from .api_helpers import URL, client_for, ticket_url
from .factories import make_agent, make_team, make_ticket

pytestmark = pytest.mark.django_db

BODY = {"subject": "Card declined", "description": "Twice.", "customerEmail": "c@example.com"}


def test_create_in_a_team_answers_the_assigned_agent(staff_client):
    ann = make_agent("Ann")
    team = make_team("Billing", "round_robin", [ann])

    ticket = staff_client.post(URL, {**BODY, "teamId": team.pk}, format="json").json()

    assert (ticket["teamId"], ticket["assigneeId"], ticket["assignedTo"]) == (team.pk, ann.pk, "Ann")


def test_create_with_an_unknown_team_is_400_naming_it(staff_client):
    response = staff_client.post(URL, {**BODY, "teamId": 999_999}, format="json")

    assert response.status_code == 400
    assert response.json() == {"teamId": ["No team with id 999999."]}


def test_assign_to_an_agent_by_id_and_unassign(staff_client):
    ann = make_agent("Ann")
    ticket = make_ticket()

    assigned = staff_client.put(ticket_url(ticket, "assign"), {"assigneeId": ann.pk}, format="json").json()
    unassigned = staff_client.put(ticket_url(ticket, "assign"), {"assigneeId": None}, format="json").json()

    assert (assigned["assigneeId"], assigned["assignedTo"]) == (ann.pk, "Ann")
    assert (unassigned["assigneeId"], unassigned["assignedTo"]) == (None, None)


def test_assigning_a_team_alone_keeps_the_name_field_untouched_when_the_assignee_is_a_member(staff_client):
    ann = make_agent("Ann")
    team = make_team("Billing", "manual", [ann])
    ticket = make_ticket(assignee_id=ann.pk)

    moved = staff_client.put(ticket_url(ticket, "assign"), {"teamId": team.pk}, format="json").json()

    assert (moved["teamId"], moved["assignedTo"]) == (team.pk, "Ann")


def test_assign_refuses_ids_that_are_not_positive_integers(staff_client):
    ticket = make_ticket()

    response = staff_client.put(ticket_url(ticket, "assign"), {"assigneeId": "abc"}, format="json")

    assert response.status_code == 400
    assert "assigneeId" in response.json()


def test_bulk_moves_tickets_to_a_team(staff_client):
    team = make_team("Billing", "round_robin", [make_agent("Ann"), make_agent("Bob")])
    tickets = [make_ticket() for _ in range(2)]

    response = staff_client.post(
        f"{URL}/bulk", {"ids": [t.pk for t in tickets], "updates": {"teamId": team.pk}}, format="json"
    )

    assert response.json() == {"updated": 2, "notFound": []}
    rows = staff_client.get(URL, {"teamId": team.pk}).json()["results"]
    assert sorted(row["assignedTo"] for row in rows) == ["Ann", "Bob"]


def test_a_bulk_move_reads_teams_and_members_as_often_for_twelve_tickets_as_for_three(staff_client):
    """Each moved ticket's old team is named in its audit row, and an assignee from outside
    the new team is let go: from reads made once per change, not once per ticket."""
    bob = make_agent("Bob")
    tech, billing = make_team("Tech", "manual", [bob]), make_team("Billing", "manual", [make_agent("Ann")])

    def team_reads(count: int) -> int:
        tickets = [make_ticket(team_id=tech.pk, assignee_id=bob.pk) for _ in range(count)]
        body = {"ids": [t.pk for t in tickets], "updates": {"teamId": billing.pk}}
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.post(f"{URL}/bulk", body, format="json").json() == {"updated": count, "notFound": []}
        moved = SupportTicket.objects.filter(pk__in=body["ids"])
        assert set(moved.values_list("assigned_to", "team")) == {("", billing.pk)}
        reads = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")]
        return len([sql for sql in reads if 'FROM "tickets_team' in sql])

    assert team_reads(3) == team_reads(12)
    assert TicketEvent.objects.filter(field="team", old_value="Tech", new_value="Billing").count() == 15


def test_filters_by_agent_team_and_me(staff_agent, staff_client):
    me = Agent.objects.create(user=staff_agent, display_name="Me Myself")
    ann = make_agent("Ann")
    team = make_team("Billing", "manual", [ann])
    mine = make_ticket(assignee_id=me.pk)
    anns = make_ticket(assignee_id=ann.pk, team_id=team.pk)
    nobodys = make_ticket()

    def ids(**params: object) -> list[int]:
        return [row["id"] for row in staff_client.get(URL, params).json()["results"]]

    assert ids(assigneeId=ann.pk) == [anns.pk]
    assert ids(teamId=team.pk) == [anns.pk]
    assert ids(teamId="none") == [nobodys.pk, mine.pk]
    assert ids(assignedTo="me") == [mine.pk]
    assert ids(assignedTo="ME") == [mine.pk]


def test_assigned_to_me_for_a_user_who_is_no_agent_matches_their_name(staff_agent):
    client = client_for(staff_agent)
    mine = make_ticket(assigned_to=staff_agent.get_full_name())
    make_ticket(assigned_to="Someone Else")

    rows = client.get(URL, {"assignedTo": "me"}).json()["results"]

    assert [row["id"] for row in rows] == [mine.pk]


def test_id_filters_refuse_what_is_not_an_id(staff_client):
    response = staff_client.get(URL, {"teamId": "billing"})

    assert response.status_code == 400
    assert response.json() == {"teamId": ['Give an id, or "none".']}
