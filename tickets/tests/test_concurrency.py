"""Writers meeting on PostgreSQL: separate connections, real commits, real row locks."""

import itertools
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from tickets import services
from tickets.actors import Actor
from tickets.models import ChangeSource, SupportTicket, TicketComment, TicketEvent

from .factories import make_ticket

pytestmark = pytest.mark.django_db(transaction=True)


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
