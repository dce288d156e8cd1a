"""Tickets find their agent within a team: round robin, least loaded, capacity, the away,
the queue, and the audit trail that says which strategy assigned."""

from collections import Counter

import pytest

from tickets import services
from tickets.models import SupportTicket, TicketEvent

from .factories import TEST_ACTOR, make_agent, make_team, make_ticket

pytestmark = pytest.mark.django_db


def assignees(tickets: list[SupportTicket]) -> list[str]:
    return [SupportTicket.objects.get(pk=ticket.pk).assigned_to for ticket in tickets]


def test_round_robin_hands_tickets_out_in_turn():
    ann, bob, cy = make_agent("Ann"), make_agent("Bob"), make_agent("Cy")
    team = make_team("Billing", "round_robin", [ann, bob, cy])

    tickets = [make_ticket(team_id=team.pk) for _ in range(6)]

    assert assignees(tickets) == ["Ann", "Bob", "Cy", "Ann", "Bob", "Cy"]
    assert all(SupportTicket.objects.get(pk=t.pk).assignee_id is not None for t in tickets)


def test_the_assignment_is_audited_as_the_teams_strategy():
    team = make_team("Billing", "round_robin", [make_agent("Ann")])

    ticket = make_ticket(team_id=team.pk)

    row = TicketEvent.objects.get(ticket=ticket, action="assigned")
    assert (row.actor, row.source, row.old_value, row.new_value) == ("Billing: round robin", "system", None, "Ann")


def test_least_loaded_gives_the_agent_with_fewest_open_tickets():
    ann, bob = make_agent("Ann"), make_agent("Bob")
    for _ in range(2):
        make_ticket(assignee_id=ann.pk)
    make_ticket(assignee_id=bob.pk)
    team = make_team("Tech", "least_loaded", [ann, bob])

    tickets = [make_ticket(team_id=team.pk) for _ in range(3)]

    # Bob (1 open) first; then both have 2, and Ann has waited longer since her last one.
    assert assignees(tickets) == ["Bob", "Ann", "Bob"]


def test_finished_tickets_do_not_count_as_load():
    ann, bob = make_agent("Ann"), make_agent("Bob")
    for _ in range(3):
        done = make_ticket(assignee_id=ann.pk)
        services.ticket_change_status(ticket_id=done.pk, status="resolved", actor=TEST_ACTOR)
    make_ticket(assignee_id=bob.pk)
    team = make_team("Tech", "least_loaded", [ann, bob])

    assert assignees([make_ticket(team_id=team.pk)]) == ["Ann"]


def test_away_agents_get_none():
    ann, bob = make_agent("Ann", available=False), make_agent("Bob")
    team = make_team("Billing", "round_robin", [ann, bob])

    tickets = [make_ticket(team_id=team.pk) for _ in range(3)]

    assert assignees(tickets) == ["Bob", "Bob", "Bob"]


def test_agents_at_capacity_get_none_and_the_rest_waits_in_the_queue():
    ann, bob = make_agent("Ann", capacity=1), make_agent("Bob", capacity=2)
    team = make_team("Billing", "round_robin", [ann, bob])

    tickets = [make_ticket(team_id=team.pk) for _ in range(5)]

    assert Counter(assignees(tickets)) == {"Ann": 1, "Bob": 2, "": 2}
    queued = SupportTicket.objects.filter(team=team, assignee__isnull=True)
    assert queued.count() == 2


def test_a_manual_team_queues_every_ticket():
    team = make_team("Escalations", "manual", [make_agent("Ann")])

    ticket = make_ticket(team_id=team.pk)

    ticket.refresh_from_db()
    assert (ticket.team_id, ticket.assignee_id, ticket.assigned_to) == (team.pk, None, "")


def test_closing_a_ticket_gives_the_agent_the_most_urgent_queued_one():
    ann = make_agent("Ann", capacity=1)
    team = make_team("Billing", "round_robin", [ann])
    first = make_ticket(team_id=team.pk)
    later = make_ticket(team_id=team.pk, priority="low")
    urgent = make_ticket(team_id=team.pk, priority="urgent")
    assert assignees([first, later, urgent]) == ["Ann", "", ""]

    services.ticket_change_status(ticket_id=first.pk, status="resolved", actor=TEST_ACTOR)

    assert assignees([later, urgent]) == ["", "Ann"]


def test_unassigning_hands_the_ticket_to_the_teams_next_agent():
    ann, bob = make_agent("Ann"), make_agent("Bob")
    team = make_team("Billing", "round_robin", [ann, bob])
    ticket = make_ticket(team_id=team.pk)
    assert assignees([ticket]) == ["Ann"]

    services.ticket_assign(ticket_id=ticket.pk, assignee_id=None, actor=TEST_ACTOR)

    assert assignees([ticket]) == ["Bob"]


def test_moving_a_ticket_to_another_team_hands_it_to_that_team():
    ann, bob = make_agent("Ann"), make_agent("Bob")
    billing = make_team("Billing", "round_robin", [ann])
    tech = make_team("Tech", "round_robin", [bob])
    ticket = make_ticket(team_id=billing.pk)

    services.ticket_assign(ticket_id=ticket.pk, team_id=tech.pk, actor=TEST_ACTOR)

    ticket.refresh_from_db()
    assert (ticket.team_id, ticket.assigned_to) == (tech.pk, "Bob")
    team_row = TicketEvent.objects.get(ticket=ticket, field="team")
    assert (team_row.old_value, team_row.new_value, team_row.actor) == ("Billing", "Tech", TEST_ACTOR.name)


def test_an_assignee_of_the_new_team_stays():
    ann = make_agent("Ann")
    billing = make_team("Billing", "manual", [ann])
    tech = make_team("Tech", "round_robin", [ann, make_agent("Bob")])
    ticket = make_ticket(team_id=billing.pk, assignee_id=ann.pk)

    services.ticket_assign(ticket_id=ticket.pk, team_id=tech.pk, actor=TEST_ACTOR)

    assert assignees([ticket]) == ["Ann"]


def test_a_name_that_is_an_agents_display_name_assigns_the_agent():
    ann = make_agent("Ann Lee")

    ticket = make_ticket(assigned_to="ann lee")
    free = make_ticket(assigned_to="Support Team")

    ticket.refresh_from_db()
    free.refresh_from_db()
    assert (ticket.assignee_id, ticket.assigned_to) == (ann.pk, "Ann Lee")
    assert (free.assignee_id, free.assigned_to) == (None, "Support Team")


def test_next_ticket_gives_the_most_urgent_queued_ticket_of_the_agents_teams():
    ann = make_agent("Ann")
    team = make_team("Escalations", "manual", [ann])
    other = make_team("Other", "manual", [make_agent("Bob")])
    make_ticket(team_id=team.pk, priority="low")
    urgent = make_ticket(team_id=team.pk, priority="urgent")
    make_ticket(team_id=other.pk, priority="urgent")

    taken = services.ticket_take_next(agent_id=ann.pk, actor=TEST_ACTOR)

    assert taken is not None and taken.pk == urgent.pk
    assert assignees([urgent]) == ["Ann"]


def test_next_ticket_with_empty_queues_is_none():
    ann = make_agent("Ann")
    make_team("Escalations", "manual", [ann])

    assert services.ticket_take_next(agent_id=ann.pk, actor=TEST_ACTOR) is None


def test_unknown_team_or_agent_is_refused_naming_the_field():
    with pytest.raises(services.TicketError) as error:
        make_ticket(team_id=999_999)
    assert error.value.field == "teamId"
    with pytest.raises(services.TicketError) as error:
        make_ticket(assignee_id=999_999)
    assert error.value.field == "assigneeId"
    assert SupportTicket.objects.count() == 0
