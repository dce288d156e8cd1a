"""The SLA's work over many tickets at once: announcing new breaches (the minutely check)
and recomputing deadlines after an edit of the policies or a calendar. Called as
services.tickets_announce_sla_breaches and services.tickets_refresh_sla, beside
tickets/sla_warnings.py's warnings."""

from datetime import datetime
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, Q

from . import publishing, sla_clock
from .actors import SYSTEM_ACTOR
from .change_sets import refresh_sla
from .events import TicketOverdue, TicketSnapshot
from .models import FINISHED_STATUSES, SupportTicket, TicketAction, TicketEvent
from .sla import overdue_q, resolution_missed_q, response_missed_q


@publishing.atomic()
def tickets_announce_sla_breaches(*, now: datetime, batch: int = 500) -> int:
    """Marks each new SLA breach of an open ticket and publishes `ticket-overdue` for it,
    once per breach (missed first response, missed resolution). Rows another run holds
    are skipped, so overlapping runs never announce twice. Returns how many tickets."""
    # The overdue rule (sla.py), each breach not announced yet.
    response_missed = response_missed_q(now=now) & Q(response_breach_notified_at__isnull=True)
    resolution_missed = resolution_missed_q(now=now) & Q(resolution_breach_notified_at__isnull=True)
    tickets = list(
        SupportTicket.objects.select_for_update(skip_locked=True)
        .filter(overdue_q(now=now), response_missed | resolution_missed)
        .annotate(
            new_response_breach=ExpressionWrapper(response_missed, output_field=BooleanField()),
            new_resolution_breach=ExpressionWrapper(resolution_missed, output_field=BooleanField()),
        )
        .order_by("pk")[:batch]
    )
    for ticket in tickets:
        breaches = []
        if ticket.new_response_breach:
            ticket.response_breach_notified_at = now
            breaches.append("response")
        if ticket.new_resolution_breach:
            ticket.resolution_breach_notified_at = now
            breaches.append("resolution")
        ticket.save(update_fields=["response_breach_notified_at", "resolution_breach_notified_at"])
        TicketEvent.objects.create(
            ticket=ticket,
            action=TicketAction.UPDATED,
            field="sla",
            new_value=f"missed {' and '.join(breaches)}",
            actor=SYSTEM_ACTOR.name,
            source=SYSTEM_ACTOR.source,
            created_at=now,
        )
        publishing.publish(
            TicketOverdue(ticket=TicketSnapshot.of(ticket), source=SYSTEM_ACTOR.source, breaches=breaches)
        )
    return len(tickets)


@publishing.atomic()
def tickets_refresh_sla(*, calendar_id: int | None = None, after_id: int = 0, batch: int = 500) -> int | None:
    """Recomputes the SLA policy and deadlines of up to `batch` tickets still being worked
    on, in id order after `after_id` (only those whose policy uses `calendar_id`, when
    given), after an edit of the policies or a calendar. Not a change of the ticket: no
    version, no audit row, no event. Returns the last id done; None when none were left."""
    tickets = SupportTicket.objects.select_for_update().defer("search_vector").exclude(status__in=FINISHED_STATUSES)
    if calendar_id is not None:
        tickets = tickets.filter(sla_policy__calendar_id=calendar_id)
    rows = list(tickets.filter(pk__gt=after_id).order_by("pk")[:batch])
    policies = sla_clock.active_policies()
    for ticket in rows:
        before = _sla_state(ticket)
        fields = refresh_sla(ticket, policies)
        if _sla_state(ticket) != before:
            ticket.save(update_fields=list(fields))
    return rows[-1].pk if rows else None


def _sla_state(ticket: SupportTicket) -> tuple[Any, ...]:
    return (
        ticket.sla_policy_id,
        ticket.response_deadline,
        ticket.resolution_deadline,
        ticket.response_warning_at,
        ticket.resolution_warning_at,
    )
