"""The only writer of business calendars and SLA policies, and their rules.

An edit changes the deadlines of the tickets still being worked on that it concerns; a
Celery task (`tickets.tasks.sla_refresh`, queued once the edit commits) recomputes them
in batches, so an edit at a million tickets answers at once. Finished tickets keep the
deadlines their outcome was judged by.
"""

from collections.abc import Mapping
from typing import Any

from celery import current_app
from django.db import transaction
from django.db.models import ProtectedError

from .business_time import Calendar
from .exceptions import TicketError
from .lookups import row_or_refuse
from .models import BusinessCalendar, SlaPolicy, Team, TicketCategory, TicketPriority, TicketSource

MAX_NAME_LENGTH = 100
# What a policy's conditions may name, and the codes each accepts.
CONDITION_CHOICES: dict[str, Any] = {
    "priority": TicketPriority.values,
    "category": TicketCategory.values,
    "source": TicketSource.values,
    "teamId": None,  # team ids, checked against the teams
}
MAX_TARGET_MINUTES = 366 * 24 * 60


def _name(name: str, model: type[BusinessCalendar] | type[SlaPolicy], exclude: int | None) -> str:
    name = " ".join(str(name).split())
    if not name:
        raise TicketError("name", "This field may not be blank.")
    if len(name) > MAX_NAME_LENGTH:
        raise TicketError("name", f"At most {MAX_NAME_LENGTH} characters.")
    taken = model.objects.filter(name__iexact=name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise TicketError("name", f'"{name}" is taken.')
    return name


def _calendar_fields(*, timezone: str, hours: Any, holidays: Any) -> dict[str, Any]:
    try:
        calendar = Calendar.from_json(timezone=timezone, hours=hours, holidays=holidays)
    except ValueError as error:
        field = "timezone" if "zone" in str(error) else "holidays" if "holiday" in str(error) else "hours"
        raise TicketError(field, str(error)) from None
    return {
        "timezone": calendar.timezone,
        "hours": {day: [list(interval) for interval in intervals] for day, intervals in calendar.hours.items()},
        "holidays": sorted(day.isoformat() for day in calendar.holidays),
    }


def calendar_check(*, calendar_id: int | None, name: str, timezone: str, hours: Any, holidays: Any) -> None:
    """Raises the TicketError that saving these values would (forms ask before saving)."""
    _name(name, BusinessCalendar, calendar_id)
    _calendar_fields(timezone=timezone, hours=hours, holidays=list(holidays))


@transaction.atomic
def calendar_create(*, name: str, timezone: str, hours: Any, holidays: Any = ()) -> BusinessCalendar:
    fields = _calendar_fields(timezone=timezone, hours=hours, holidays=list(holidays))
    return BusinessCalendar.objects.create(name=_name(name, BusinessCalendar, None), **fields)


@transaction.atomic
def calendar_update(*, calendar_id: int, **changes: Any) -> BusinessCalendar:
    """`changes`: any of name, timezone, hours, holidays."""
    calendar = BusinessCalendar.objects.select_for_update().get(pk=calendar_id)
    if "name" in changes:
        calendar.name = _name(changes["name"], BusinessCalendar, calendar.pk)
    merged = {key: changes.get(key, getattr(calendar, key)) for key in ("timezone", "hours", "holidays")}
    for key, value in _calendar_fields(**merged).items():
        setattr(calendar, key, value)
    calendar.save()
    _refresh_later(calendar_id=calendar.pk)
    return calendar


@transaction.atomic
def calendar_delete(*, calendar_id: int) -> None:
    try:
        BusinessCalendar.objects.filter(pk=calendar_id).delete()
    except ProtectedError:
        raise TicketError("calendar", "Policies use this calendar: change them first.") from None


def _conditions(conditions: Any) -> dict[str, list[Any]]:
    """Each key a list of codes (one code is taken as a list of one); empty lists dropped."""
    if not isinstance(conditions, Mapping):
        raise TicketError("conditions", "Give an object of conditions.")
    cleaned: dict[str, list[Any]] = {}
    for key, value in conditions.items():
        if key not in CONDITION_CHOICES:
            raise TicketError("conditions", f'"{key}" is not a condition: use {", ".join(CONDITION_CHOICES)}.')
        values = value if isinstance(value, list) else [value]
        if key == "teamId":
            ids = {item for item in values if isinstance(item, int) and not isinstance(item, bool)}
            known = set(Team.objects.filter(pk__in=ids).values_list("pk", flat=True))
            unknown = [item for item in values if item not in known]
            if unknown:  # not necessarily ids: named as given
                raise TicketError("conditions", f"conditions.teamId: no team with id {unknown[0]}.")
        else:
            unknown = [item for item in values if item not in CONDITION_CHOICES[key]]
            if unknown:
                raise TicketError("conditions", f'conditions.{key}: "{unknown[0]}" is not a {key}.')
        if values:
            cleaned[key] = list(dict.fromkeys(values))
    return cleaned


def _minutes(field: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_TARGET_MINUTES:
        raise TicketError(field, f"Give whole minutes from 1 to {MAX_TARGET_MINUTES}.")
    return value


def _policy_calendar(calendar_id: int | None) -> BusinessCalendar | None:
    return row_or_refuse(BusinessCalendar, calendar_id, field="calendarId", noun="calendar")


def _apply_policy_fields(policy: SlaPolicy, fields: Mapping[str, Any]) -> None:
    if "name" in fields:
        policy.name = _name(fields["name"], SlaPolicy, policy.pk)
    if "position" in fields:
        policy.position = int(fields["position"])
    if "conditions" in fields:
        policy.conditions = _conditions(fields["conditions"])
    if "first_response_minutes" in fields:
        policy.first_response_minutes = _minutes("firstResponseMinutes", fields["first_response_minutes"])
    if "resolution_minutes" in fields:
        policy.resolution_minutes = _minutes("resolutionMinutes", fields["resolution_minutes"])
    if policy.resolution_minutes < policy.first_response_minutes:
        raise TicketError("resolutionMinutes", "The resolution target cannot come before the first response's.")
    if "calendar_id" in fields:
        policy.calendar = _policy_calendar(fields["calendar_id"])
    if "pause_on_waiting_customer" in fields:
        policy.pause_on_waiting_customer = bool(fields["pause_on_waiting_customer"])


def policy_check(*, policy_id: int | None, **fields: Any) -> None:
    """As calendar_check, for a policy's fields (policy_create's names)."""
    policy = SlaPolicy.objects.get(pk=policy_id) if policy_id is not None else SlaPolicy()
    _apply_policy_fields(policy, fields)


@transaction.atomic
def policy_create(
    *,
    name: str,
    first_response_minutes: int,
    resolution_minutes: int,
    position: int = 0,
    conditions: Any = None,
    calendar_id: int | None = None,
    pause_on_waiting_customer: bool = False,
) -> SlaPolicy:
    policy = SlaPolicy(first_response_minutes=0, resolution_minutes=0)
    _apply_policy_fields(
        policy,
        {
            "name": name,
            "position": position,
            "conditions": conditions or {},
            "first_response_minutes": first_response_minutes,
            "resolution_minutes": resolution_minutes,
            "calendar_id": calendar_id,
            "pause_on_waiting_customer": pause_on_waiting_customer,
        },
    )
    policy.save()
    _refresh_later()
    return policy


@transaction.atomic
def policy_update(*, policy_id: int, **fields: Any) -> SlaPolicy:
    """`fields`: any of policy_create's."""
    policy = SlaPolicy.objects.select_for_update().get(pk=policy_id)
    _apply_policy_fields(policy, fields)
    policy.save()
    _refresh_later()
    return policy


@transaction.atomic
def policy_delete(*, policy_id: int) -> None:
    SlaPolicy.objects.filter(pk=policy_id).delete()
    _refresh_later()


def _refresh_later(*, calendar_id: int | None = None) -> None:
    """Once the edit commits, queue the recomputation of the open tickets it concerns: those
    whose policy uses the calendar, or, for a policy edit (which may change which policy
    matches any ticket), all of them. The task is sent by name: the domain does not import
    the task modules."""

    def send() -> None:
        current_app.send_task("tickets.tasks.sla_refresh", kwargs={"calendar_id": calendar_id})

    transaction.on_commit(send, robust=True)
