"""When a ticket's SLA clock runs, and so its deadlines: the first matching SLA policy's
targets, counted in its business calendar's open hours, stopped while the ticket waits on
the customer when the policy says so. Without policies, the settings' targets around the
clock (SLA_TARGETS_MINUTES), exactly as before policies existed.

Pauses come from the ticket's audit trail (its status changes), which is never rewritten:
a deadline is always recomputed from the creation, the policy and calendar as they are
now, and the history as it happened.
"""

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings

from . import configuration_cache
from .business_time import ALWAYS_OPEN, MINUTE, Calendar, Pause, add_business_minutes, business_time_between
from .models import BusinessCalendar, SlaPolicy, SupportTicket, TicketAction, TicketEvent, TicketStatus

WAITING = TicketStatus.WAITING_CUSTOMER


@dataclass(frozen=True)
class Clock:
    """What a ticket's SLA clock follows."""

    policy: SlaPolicy | None
    response_minutes: int
    resolution_minutes: int
    calendar: Calendar
    pauses_on_waiting: bool


@dataclass(frozen=True)
class Deadlines:
    response: datetime | None  # None: paused before the target was reached
    resolution: datetime | None
    # When SLA_WARNING_PERCENT of each target has run on the same clock; None with its deadline.
    response_warning: datetime | None
    resolution_warning: datetime | None


def calendar_of(row: BusinessCalendar | None) -> Calendar:
    if row is None:
        return ALWAYS_OPEN
    # Keyed by what the row says, not its id and update time: a bulk update keeps both.
    key = (row.timezone, json.dumps(row.hours, sort_keys=True), tuple(row.holidays))
    calendar = _parsed.get(key)
    if calendar is None:  # parsed once per content of the row, not per ticket
        if len(_parsed) >= 256:
            _parsed.clear()
        calendar = _parsed[key] = Calendar.from_json(timezone=row.timezone, hours=row.hours, holidays=row.holidays)
    return calendar


_parsed: dict[tuple[str, str, tuple[str, ...]], Calendar] = {}


def active_policies() -> list[SlaPolicy]:
    """Every policy with its calendar, in the order they are tried; kept by the process
    while the configuration is unchanged (shared: read them, never change them)."""
    return configuration_cache.kept(
        "sla_policies", lambda: list(SlaPolicy.objects.select_related("calendar").order_by("position", "id"))
    )


def policy_matches(policy: SlaPolicy, *, priority: str, category: str, source: str, team_id: int | None) -> bool:
    """Each condition given (a list of codes, or of team ids) must hold; none given: all match."""
    ticket = {"priority": priority, "category": category, "source": source, "teamId": team_id}
    return all(ticket[key] in wanted for key, wanted in policy.conditions.items() if wanted)


def clock_for(
    *, priority: str, category: str, source: str, team_id: int | None, policies: Sequence[SlaPolicy] | None = None
) -> Clock:
    for policy in active_policies() if policies is None else policies:
        if policy_matches(policy, priority=priority, category=category, source=source, team_id=team_id):
            return Clock(
                policy=policy,
                response_minutes=policy.first_response_minutes,
                resolution_minutes=policy.resolution_minutes,
                calendar=calendar_of(policy.calendar),
                pauses_on_waiting=policy.pause_on_waiting_customer,
            )
    response_minutes, resolution_minutes = settings.SLA_TARGETS_MINUTES[priority]
    return Clock(None, response_minutes, resolution_minutes, ALWAYS_OPEN, pauses_on_waiting=False)


def ticket_clock(ticket: SupportTicket, policies: Sequence[SlaPolicy] | None = None) -> Clock:
    return clock_for(
        priority=ticket.priority,
        category=ticket.category,
        source=ticket.source,
        team_id=ticket.team_id,
        policies=policies,
    )


def deadlines(clock: Clock, *, created_at: datetime, pauses: Iterable[Pause] = ()) -> Deadlines:
    share = settings.SLA_WARNING_PERCENT / 100
    if clock.calendar is ALWAYS_OPEN and not clock.pauses_on_waiting:  # the common case, kept cheap
        return Deadlines(
            created_at + timedelta(minutes=clock.response_minutes),
            created_at + timedelta(minutes=clock.resolution_minutes),
            created_at + timedelta(minutes=clock.response_minutes * share),
            created_at + timedelta(minutes=clock.resolution_minutes * share),
        )
    pauses = list(pauses) if clock.pauses_on_waiting else []

    def at(minutes: float) -> datetime | None:
        return add_business_minutes(clock.calendar, created_at, minutes, pauses=pauses)

    response, resolution = at(clock.response_minutes), at(clock.resolution_minutes)
    # A paused clock warns of nothing, even past the warning's share (its deadline is unknown).
    return Deadlines(
        response,
        resolution,
        None if response is None else at(clock.response_minutes * share),
        None if resolution is None else at(clock.resolution_minutes * share),
    )


def waiting_spans(ticket_id: int, *, status_now: str) -> list[Pause]:
    """The spans the ticket waited on the customer, from its audit trail's status changes
    (the last one open-ended when it waits now)."""
    changes = TicketEvent.objects.filter(ticket_id=ticket_id, action=TicketAction.STATUS_CHANGED).values_list(
        "new_value", "created_at"
    )
    spans: list[Pause] = []
    began: datetime | None = None
    for status, at in changes.order_by("created_at", "id"):
        if status == WAITING and began is None:
            began = at
        elif status != WAITING and began is not None:
            spans.append((began, at))
            began = None
    if began is not None and status_now == WAITING:
        spans.append((began, None))
    return spans


def ticket_pauses(ticket: SupportTicket, clock: Clock) -> list[Pause]:
    """The spans the clock stood still for this ticket: none unless its policy pauses."""
    return waiting_spans(ticket.pk, status_now=ticket.status) if clock.pauses_on_waiting else []


def business_minutes(
    clock: Clock, *, start: datetime, end: datetime | None, pauses: Iterable[Pause] = ()
) -> int | None:
    """Whole minutes the clock ran in [start, end) (its calendar's open hours, less the
    pauses when it pauses); for 24/7 without pauses, the wall-clock minutes. None without
    an end (not answered, not resolved)."""
    if end is None:
        return None
    running = business_time_between(clock.calendar, start, end, pauses=pauses if clock.pauses_on_waiting else ())
    return running // MINUTE
