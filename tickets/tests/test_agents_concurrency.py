"""tickets.agents meeting ticket writers on PostgreSQL: the locks are taken in one order
(ticket, team, agent), so nobody deadlocks, and no agent is filled past capacity."""

import pytest

from tickets import agents, services
from tickets.assignment import open_ticket_counts
from tickets.models import SupportTicket, TicketStatus

from .factories import TEST_ACTOR, make_ticket
from .test_concurrency import run_together

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]  # threads, real commits


def test_agents_coming_back_while_tickets_arrive_and_teams_change():
    kyc = agents.team_create(name="KYC", assignment="round_robin")
    billing = agents.team_create(name="Billing", assignment="least_loaded")
    priya = agents.agent_create(
        username="priya", display_name="Priya", available=False, capacity=3, team_ids=[kyc.pk, billing.pk]
    )
    sam = agents.agent_create(username="sam", display_name="Sam", available=False, capacity=4, team_ids=[kyc.pk])
    zoe = agents.agent_create(username="zoe", display_name="Zoe", capacity=2)
    queued = [make_ticket(team_id=team.pk) for team in (kyc, billing, kyc, billing)]

    def work(index: int) -> None:
        if index == 0:
            agents.agent_update(agent_id=priya.pk, available=True)
        elif index == 1:
            agents.agent_update(agent_id=sam.pk, available=True, team_ids=[kyc.pk, billing.pk])
        elif index == 2:
            agents.team_update(team_id=billing.pk, member_ids=[priya.pk, zoe.pk])
        elif index == 3:
            services.ticket_change_status(ticket_id=queued[0].pk, status=TicketStatus.CLOSED, actor=TEST_ACTOR)
        else:
            make_ticket(team_id=(kyc, billing)[index % 2].pk)

    run_together(10, work)

    capacities = {priya.pk: 3, sam.pk: 4, zoe.pk: 2}
    counts = open_ticket_counts(capacities)
    assert all(counts[pk] <= capacities[pk] for pk in capacities), counts
    assigned = SupportTicket.objects.exclude(assignee=None).values_list("assignee_id", flat=True)
    assert set(assigned) <= set(capacities)
    assert len(assigned) >= 1
