"""Warnings before an SLA breach: once SLA_WARNING_PERCENT of a target's time has run on the
ticket's clock, the ticket is warned about that target once (`ticket-sla-warning`).

The instant each warning is due is stored with the deadlines (tickets/sla_clock.py), so
business hours and pauses count as they do for the deadline, and the minutely check reads
two small partial indexes instead of computing shares of elapsed time over the tickets.
A service in the manner of tickets.services (which re-exports it), kept apart because it
shares nothing with the ticket edits there.
"""

from datetime import datetime
from typing import TypeGuard

from django.db.models import BooleanField, ExpressionWrapper

from . import publishing
from .actors import SYSTEM_ACTOR
from .events import TicketSlaWarning, TicketSnapshot
from .models import SupportTicket, TicketAction, TicketEvent
from .sla import duration_text, resolution_warning_due_q, response_warning_due_q


@publishing.atomic()
def tickets_announce_sla_warnings(*, now: datetime, batch: int = 500) -> int:
    """Marks each warning due and publishes `ticket-sla-warning` for it, once per target.
    A warning whose deadline has already passed is marked without being given: the breach
    (tickets_announce_sla_breaches) says more. Rows another run holds are skipped, so
    overlapping runs never warn twice. Returns how many tickets were warned."""
    response_due, resolution_due = response_warning_due_q(now=now), resolution_warning_due_q(now=now)
    tickets = list(
        SupportTicket.objects.select_for_update(skip_locked=True)
        .defer("search_vector")
        .filter(response_due | resolution_due)
        .annotate(
            response_warning_due=ExpressionWrapper(response_due, output_field=BooleanField()),
            resolution_warning_due=ExpressionWrapper(resolution_due, output_field=BooleanField()),
        )
        .order_by("pk")[:batch]
    )
    warned = 0
    for ticket in tickets:
        due_in: dict[str, datetime] = {}
        if ticket.response_warning_due:
            ticket.response_warning_notified_at = now
            if _still_ahead(ticket.response_deadline, now):
                due_in["response"] = ticket.response_deadline
        if ticket.resolution_warning_due:
            ticket.resolution_warning_notified_at = now
            if _still_ahead(ticket.resolution_deadline, now):
                due_in["resolution"] = ticket.resolution_deadline
        ticket.save(update_fields=["response_warning_notified_at", "resolution_warning_notified_at"])
        if not due_in:
            continue
        TicketEvent.objects.create(
            ticket=ticket,
            action=TicketAction.UPDATED,
            field="sla",
            new_value=" and ".join(f"{target} due in {duration_text(due - now)}" for target, due in due_in.items()),
            actor=SYSTEM_ACTOR.name,
            source=SYSTEM_ACTOR.source,
            created_at=now,
        )
        publishing.publish(
            TicketSlaWarning(ticket=TicketSnapshot.of(ticket), source=SYSTEM_ACTOR.source, targets=list(due_in))
        )
        warned += 1
    return warned


def _still_ahead(deadline: datetime | None, now: datetime) -> TypeGuard[datetime]:
    """Not missed yet, by the overdue rule's measure (tickets/sla.py: missed once past it)."""
    return deadline is not None and deadline >= now
