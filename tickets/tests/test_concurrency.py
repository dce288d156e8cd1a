"""Writers meeting on PostgreSQL: separate connections, real commits, real row locks."""

import itertools
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from tickets import services
from tickets.actors import Actor, display_name
from tickets.exceptions import StaleVersionError, UnseenCommentsError
from tickets.models import ChangeSource, SupportTicket, TicketComment, TicketEvent

from .api_helpers import client_for, ticket_url
from .factories import TEST_ACTOR, StaffFactory, make_agent, make_team, make_ticket

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]  # threads, real commits


def run_together(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Runs work(0..count-1) in threads, each on its own database connection, released
    at the same moment; re-raises the first failure."""
    assert connection.vendor == "postgresql", "these tests prove PostgreSQL's locking"
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    if errors:
        raise errors[0]
    return results


def test_fifty_concurrent_creations_get_fifty_distinct_gapless_numbers():
    actor = Actor(name="Load", source=ChangeSource.API)
    tickets = run_together(
        50,
        lambda i: services.ticket_create(
            subject=f"Ticket {i}", description="d", customer_email=f"c{i}@example.com", actor=actor
        ),
    )
    numbers = sorted(ticket.number for ticket in tickets)
    assert numbers == list(range(1, 51))
    assert SupportTicket.objects.count() == 50


def test_concurrent_status_assign_and_comments_lose_no_update():
    ticket = make_ticket()
    agents = [Actor(name=f"Agent {i}", source=ChangeSource.API) for i in range(12)]

    def change(i: int) -> None:
        actor = agents[i]
        if i % 3 == 0:
            services.ticket_assign(ticket_id=ticket.pk, assigned_to=actor.name, actor=actor)
        elif i % 3 == 1:
            services.ticket_change_status(
                ticket_id=ticket.pk, status="in_progress" if i % 2 else "waiting_customer", actor=actor
            )
        services.comment_add(
            ticket_id=ticket.pk, body=f"Comment {i}", is_internal=i % 2 == 0, author=actor.name, actor=actor
        )

    run_together(len(agents), change)

    ticket.refresh_from_db()
    assert TicketComment.objects.filter(ticket=ticket).count() == 12
    assert ticket.total_comments == 12
    # Each committed change names the value the previous one left: no change was lost.
    for action, field, current in (
        ("assigned", "assigned_to", ticket.assigned_to),
        ("status_changed", "status", ticket.status),
    ):
        trail = list(
            TicketEvent.objects.filter(ticket=ticket, action=action)
            .order_by("id")
            .values_list("old_value", "new_value")
        )
        assert trail, action
        for (_, previous_new), (next_old, _) in itertools.pairwise(trail):
            assert previous_new == next_old
        assert trail[-1][1] == (current or None), field


def test_twenty_clients_on_one_ticket_lose_no_comment_and_leave_a_trail_of_every_change(settings):
    """20 agents at once, through the API, each reassigning the ticket, changing its status
    and commenting on it, in a different order per agent."""
    ticket = make_ticket()
    agents = [StaffFactory(first_name="Agent", last_name=f"No{i}") for i in range(20)]
    statuses = ["in_progress", "waiting_customer", "resolved", "open"]
    wanted_status = {display_name(agent): statuses[i % 4] for i, agent in enumerate(agents)}

    def work(i: int) -> None:
        client, name = client_for(agents[i]), display_name(agents[i])
        steps = [
            lambda: client.put(ticket_url(ticket, "assign"), {"assignedTo": name}, format="json"),
            lambda: client.put(ticket_url(ticket, "status"), {"status": wanted_status[name]}, format="json"),
            lambda: client.post(
                ticket_url(ticket, "comments"), {"comment": f"Comment from {name}", "isInternal": i % 2 == 0}
            ),
        ]
        for step in steps[i % 3 :] + steps[: i % 3]:
            response = step()
            assert response.status_code in (200, 201), response.content

    run_together(len(agents), work)

    ticket.refresh_from_db()
    names = sorted(wanted_status)
    comments = TicketComment.objects.filter(ticket=ticket)
    assert sorted(comments.values_list("author", flat=True)) == names
    assert sorted(comments.values_list("body", flat=True)) == sorted(f"Comment from {name}" for name in names)
    assert ticket.total_comments == 20
    trail = list(TicketEvent.objects.filter(ticket=ticket).exclude(action="created").order_by("id"))
    commented = [event for event in trail if event.action == "commented"]
    assert sorted(int(event.new_value) for event in commented) == sorted(comments.values_list("pk", flat=True))

    # Every agent's assignment was a change (the names differ): one event each, chaining.
    assigned = [event for event in trail if event.action == "assigned"]
    assert sorted(event.actor for event in assigned) == names
    assert [event.new_value for event in assigned] == [event.actor for event in assigned]
    assert assigned[0].old_value is None
    for previous, following in itertools.pairwise(assigned):
        assert following.old_value == previous.new_value
    assert ticket.assigned_to == assigned[-1].new_value

    # A status request equal to the status of the moment changes nothing and leaves no
    # event; every other one leaves exactly one, by its agent, chaining from the first.
    changed = [event for event in trail if event.action == "status_changed"]
    assert changed, "20 agents asking for four different statuses changed it at least once"
    assert len({event.actor for event in changed}) == len(changed)
    assert all(event.new_value == wanted_status[event.actor] != event.old_value for event in changed)
    assert changed[0].old_value == "open"
    for previous, following in itertools.pairwise(changed):
        assert following.old_value == previous.new_value
    assert ticket.status == changed[-1].new_value
    assert len(trail) == len(commented) + len(assigned) + len(changed)  # nothing else was written


def outcome(change: Callable[[], object]) -> str:
    try:
        change()
    except (StaleVersionError, UnseenCommentsError) as refused:
        return type(refused).__name__
    return "made"


def test_two_writers_who_saw_the_same_version_cannot_both_change_the_ticket():
    """The version is checked under the row lock: the second writer waits for the first,
    then finds the version it saw outdated."""
    ticket = make_ticket()
    changes = [
        lambda: services.ticket_change_status(ticket_id=ticket.pk, status="resolved", actor=TEST_ACTOR, seen_version=1),
        lambda: services.ticket_assign(ticket_id=ticket.pk, assigned_to="Kim", actor=TEST_ACTOR, seen_version=1),
    ]
    outcomes = run_together(2, lambda i: outcome(changes[i]))

    assert sorted(outcomes) == ["StaleVersionError", "made"]
    ticket.refresh_from_db()
    assert ticket.version == 2
    assert (ticket.status == "resolved") != (ticket.assigned_to == "Kim")  # one change, not both


def test_two_replies_on_the_same_conversation_cannot_both_pass_unseen():
    ticket = make_ticket()
    seen = services.comment_add(ticket_id=ticket.pk, body="Hi", is_internal=False, author="Customer", actor=TEST_ACTOR)
    authors = ["Alex", "Sam"]
    outcomes = run_together(
        2,
        lambda i: outcome(
            lambda: services.comment_add(
                ticket_id=ticket.pk,
                body=f"Reply from {authors[i]}",
                is_internal=False,
                author=authors[i],
                actor=TEST_ACTOR,
                seen_comment_id=seen.pk,
            )
        ),
    )

    assert sorted(outcomes) == ["UnseenCommentsError", "made"]
    assert TicketComment.objects.filter(ticket=ticket).count() == 2


@pytest.mark.parametrize("strategy", ["round_robin", "least_loaded"])
def test_fifty_concurrent_creations_in_one_team_spread_evenly(strategy):
    agents = [make_agent(f"Agent {i}") for i in range(5)]
    team = make_team("Billing", strategy, agents)
    actor = Actor(name="Load", source=ChangeSource.API)

    tickets = run_together(
        50,
        lambda i: services.ticket_create(
            subject=f"Ticket {i}", description="d", customer_email=f"c{i}@example.com", team_id=team.pk, actor=actor
        ),
    )

    rows = SupportTicket.objects.filter(pk__in=[ticket.pk for ticket in tickets])
    assert Counter(rows.values_list("assigned_to", flat=True)) == {agent.display_name: 10 for agent in agents}
    # Each ticket was assigned once: one audit row each, by the team's strategy.
    assignments = TicketEvent.objects.filter(ticket__in=rows, action="assigned")
    assert sorted(assignments.values_list("ticket_id", flat=True)) == sorted(ticket.pk for ticket in tickets)


def test_concurrent_creations_never_fill_an_agent_past_capacity():
    agents = [make_agent("Ann", capacity=3), make_agent("Bob", capacity=4)]
    team = make_team("Billing", "least_loaded", agents)
    actor = Actor(name="Load", source=ChangeSource.API)

    run_together(
        20,
        lambda i: services.ticket_create(
            subject=f"Ticket {i}", description="d", customer_email=f"c{i}@example.com", team_id=team.pk, actor=actor
        ),
    )

    counts = Counter(SupportTicket.objects.values_list("assigned_to", flat=True))
    assert counts == {"Ann": 3, "Bob": 4, "": 13}
