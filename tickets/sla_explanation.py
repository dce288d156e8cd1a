"""Why a ticket's SLA stands as it does: its policy and calendar, the clock's segments
(running, paused, closed), each target's minutes used and left, and in words why the
ticket is or is not overdue. The API's `GET .../{id}/sla` and the ticket page show it."""

import math
from dataclasses import dataclass
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

from django.utils import timezone

from .business_time import Pause, Segment, business_minutes_between, segments
from .models import FINISHED_STATUSES, SupportTicket
from .sla import is_overdue
from .sla_clock import Clock, ticket_clock, waiting_spans

# A ticket open for years has a segment per day: the explanation shows the latest ones.
MAX_SEGMENTS = 500


@dataclass(frozen=True)
class TargetState:
    name: str  # "firstResponse" or "resolution"
    target_minutes: int
    deadline: datetime | None
    done_at: datetime | None  # when it was met: the first response, the resolution
    used_minutes: int  # business minutes on the clock until done_at (or now)
    left_minutes: int
    state: str  # "met", "missed", "overdue", "paused", "running"
    reason: str


@dataclass(frozen=True)
class SlaExplanation:
    clock: Clock
    segments: list[Segment]
    targets: list[TargetState]
    is_overdue: bool
    summary: str


def explain(ticket: SupportTicket, *, now: datetime) -> SlaExplanation:
    clock = ticket_clock(ticket)
    pauses = waiting_spans(ticket.pk, status_now=ticket.status) if clock.pauses_on_waiting else []
    end = ticket.resolved_at if ticket.status in FINISHED_STATUSES and ticket.resolved_at else now
    targets = [
        _target(
            "firstResponse",
            "first response",
            clock,
            ticket,
            target=clock.response_minutes,
            deadline=ticket.response_deadline,
            done_at=ticket.first_response_at,
            pauses=pauses,
            now=end,
        ),
        _target(
            "resolution",
            "resolution",
            clock,
            ticket,
            target=clock.resolution_minutes,
            deadline=ticket.resolution_deadline,
            done_at=ticket.resolved_at if ticket.status in FINISHED_STATUSES else None,
            pauses=pauses,
            now=end,
        ),
    ]
    overdue = is_overdue(ticket, now=now)
    if overdue:
        summary = "Overdue: " + "; ".join(t.reason for t in targets if t.state == "overdue") + "."
    elif ticket.status in FINISHED_STATUSES:
        summary = "Not overdue: the ticket is finished, and its SLA outcome final."
    else:
        summary = "Not overdue: " + "; ".join(t.reason for t in targets) + "."
    clock_segments = segments(clock.calendar, ticket.created_at, end, pauses=pauses)[-MAX_SEGMENTS:]
    return SlaExplanation(clock, clock_segments, targets, overdue, summary)


def _target(
    name: str,
    words: str,
    clock: Clock,
    ticket: SupportTicket,
    *,
    target: int,
    deadline: datetime | None,
    done_at: datetime | None,
    pauses: list[Pause],
    now: datetime,
) -> TargetState:
    until = done_at or now
    used = math.floor(business_minutes_between(clock.calendar, ticket.created_at, until, pauses=pauses))
    left = max(0, target - used)
    business = clock.policy is not None and clock.policy.calendar_id is not None
    hours = "business minutes" if business else "minutes"
    zone = ZoneInfo(clock.calendar.timezone) if business else timezone.get_current_timezone()
    if done_at is not None:
        on_time = deadline is not None and done_at <= deadline
        state = "met" if on_time else "missed"
        verdict = "within" if on_time else "after"
        reason = f"{words} after {used} {hours}, {verdict} the {target}-minute target"
    elif deadline is None:
        state = "paused"
        reason = f"{words}: {used} of {target} {hours} used; the clock is paused while the ticket waits on the customer"
    elif deadline < now:
        state = "overdue" if ticket.status not in FINISHED_STATUSES else "missed"
        reason = f"no {words} {used} {hours} in, past the {target}-minute target (due {_local(deadline, zone)})"
    else:
        state = "running"
        reason = f"{words}: {used} of {target} {hours} used, {left} left (due {_local(deadline, zone)})"
    return TargetState(name, target, deadline, done_at, used, left, state, reason)


def _local(moment: datetime, zone: tzinfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")
