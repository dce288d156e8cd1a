"""Business-time arithmetic: how much of a span a business calendar is open, and when a
number of business minutes after an instant runs out. Plain Python, no database: SLA
policies build a `Calendar` from a `BusinessCalendar` row (`Calendar.from_json`) and ask.

Instants in and out are timezone-aware; results are in UTC, and arithmetic is done in UTC
(an aware `datetime + timedelta` in a local zone would add wall-clock time, not elapsed time).
Opening hours are local wall-clock times in the calendar's zone, and holidays whole local days.

Daylight saving: an interval of a day runs from the first instant the local clock shows its
start until the first instant it shows its end. So an ambiguous time (the hour repeated when
clocks fall back) is its first occurrence (zoneinfo's fold=0), and a time that does not exist
(skipped when clocks spring forward) is the instant of the jump. Equivalently, the calendar
reads a clock that never runs backwards: during a repeated hour it stays at the end of the
first pass, so the repeat is open exactly when the minute before the change was (02:59 in
Berlin). 09:00-17:30 is 8.5 h on every day; 00:00-06:00 is 5 h on a spring-forward night and
7 h on a fall-back night; adjacent intervals always tile.

Durations are `timedelta`s, exact to the microsecond (`add_business_time`,
`business_time_between`); the minute functions are the same in float minutes.

The work is per open interval (per local day), never per minute; `add_business_time` gives
up after `SEARCH_YEARS` years of calendar.
"""

import itertools
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # in date.weekday() order
MINUTE = timedelta(minutes=1)
DAY_MINUTES = 24 * 60
# How far add_business_time looks before it gives up: a target further away than this is a
# misconfigured calendar (its open days all holidays), not a deadline.
SEARCH_YEARS = 50

_TIME = re.compile(r"(\d{1,2}):(\d{2})")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Stands for "no end" (an open-ended pause, an always-open calendar's single interval).
_NEVER = datetime.max.replace(tzinfo=UTC)

Pause = tuple[datetime, datetime | None]
_Span = tuple[datetime, datetime]
SegmentKind = Literal["running", "paused", "closed"]


@dataclass(frozen=True)
class Calendar:
    """Weekly opening hours in a time zone, minus holidays. Validated on construction: a bad
    zone, day key, time, or interval raises ValueError naming it. `hours` is kept normalised:
    open days only, in week order, intervals as sorted tuples."""

    timezone: str
    hours: Mapping[str, Sequence[tuple[str, str]]] = field(hash=False)
    holidays: frozenset[date] = frozenset()
    # Parsed form: per weekday (Monday first), the open intervals in minutes of the day.
    _week: tuple[tuple[tuple[int, int], ...], ...] = field(init=False, repr=False, compare=False)
    _zone: ZoneInfo = field(init=False, repr=False, compare=False)
    _always_open: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__  # the dataclass is frozen
        set_(self, "_zone", _zone(self.timezone))
        week, hours = _parse_week(self.hours)
        set_(self, "_week", week)
        set_(self, "hours", MappingProxyType(hours))
        holidays = frozenset(self.holidays)
        for day in holidays:
            if not isinstance(day, date) or isinstance(day, datetime):
                raise ValueError(f"holiday {day!r} is not a date")
        set_(self, "holidays", holidays)
        set_(self, "_always_open", not holidays and all(day == ((0, DAY_MINUTES),) for day in week))

    @classmethod
    def from_json(cls, *, timezone: str, hours: dict, holidays: list[str]) -> "Calendar":
        """From a BusinessCalendar row's fields: `hours` like {"mon": [["09:00", "17:30"]]},
        `holidays` like ["2026-12-25"]."""
        if not isinstance(hours, dict):
            raise ValueError(f"hours must be an object of days, not {type(hours).__name__}")
        if not isinstance(holidays, list):
            raise ValueError(f"holidays must be a list of dates, not {type(holidays).__name__}")
        return cls(timezone=timezone, hours=hours, holidays=frozenset(_parse_date(text) for text in holidays))


@dataclass(frozen=True)
class Segment:
    """A stretch of the SLA clock: running (open, not paused), paused, or closed."""

    kind: SegmentKind
    start: datetime
    end: datetime

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


def add_business_time(
    calendar: Calendar, start: datetime, duration: timedelta, *, pauses: Iterable[Pause] = ()
) -> datetime | None:
    """The earliest instant at which `duration` of business time (open hours not paused) has
    passed since `start`: `start` itself for zero, the close of an interval when the time runs
    out exactly there. None when the clock is stopped for good first (a pause whose end is
    None). ValueError for a negative duration, or one not reached within SEARCH_YEARS."""
    start = _utc(start, "start")
    if duration < timedelta(0):
        raise ValueError(f"business time to add must not be negative, got {duration}")
    if not duration:
        return start
    pause_spans = _merge_pauses(pauses)
    horizon = _NEVER if calendar._always_open else _add_capped(start, timedelta(days=366 * SEARCH_YEARS))
    stopped_at = pause_spans[-1][0] if pause_spans and pause_spans[-1][1] == _NEVER else None
    stop = horizon if stopped_at is None else min(horizon, stopped_at)
    remaining = duration
    for begin, end in _running(_open_spans(calendar, start, stop), pause_spans):
        if end - begin >= remaining:
            return begin + remaining
        remaining -= end - begin
    if stopped_at is not None and stopped_at <= horizon:
        return None
    raise ValueError(f"{duration} of business time is not reached within {SEARCH_YEARS} years of {start}")


def add_business_minutes(
    calendar: Calendar, start: datetime, minutes: float, *, pauses: Iterable[Pause] = ()
) -> datetime | None:
    """`add_business_time` in minutes (a fraction is kept to the microsecond)."""
    if not math.isfinite(minutes):
        raise ValueError(f"business minutes must be a finite number, got {minutes}")
    try:
        duration = timedelta(minutes=minutes)
    except OverflowError:
        raise ValueError(f"{minutes} business minutes is beyond any date") from None
    return add_business_time(calendar, start, duration, pauses=pauses)


def business_time_between(
    calendar: Calendar, start: datetime, end: datetime, *, pauses: Iterable[Pause] = ()
) -> timedelta:
    """Business time in [start, end): open hours not paused. Zero when end <= start."""
    start, end = _utc(start, "start"), _utc(end, "end")
    spans = _running(_open_spans(calendar, start, end), _merge_pauses(pauses))
    return sum((span_end - begin for begin, span_end in spans), timedelta(0))


def business_minutes_between(
    calendar: Calendar, start: datetime, end: datetime, *, pauses: Iterable[Pause] = ()
) -> float:
    """`business_time_between` in minutes, fractional (exact to the microsecond as far as a
    float holds it); floor it for whole minutes."""
    return business_time_between(calendar, start, end, pauses=pauses) / MINUTE


def segments(calendar: Calendar, start: datetime, end: datetime, *, pauses: Iterable[Pause] = ()) -> list[Segment]:
    """The clock over [start, end), in order, without gaps, adjacent segments of one kind
    merged. "paused" wins over "closed": a pause over a weekend shows as one paused segment,
    since that is why the clock stood still as far as the ticket is concerned. Empty when
    end <= start."""
    start, end = _utc(start, "start"), _utc(end, "end")
    if end <= start:
        return []
    pause_spans = _merge_pauses(pauses)
    pieces: list[tuple[datetime, datetime, SegmentKind]] = [
        (begin, span_end, "running") for begin, span_end in _running(_open_spans(calendar, start, end), pause_spans)
    ]
    pieces += [
        (max(begin, start), min(span_end, end), "paused")
        for begin, span_end in pause_spans
        if begin < end and span_end > start
    ]
    pieces.sort()
    result: list[Segment] = []

    def append(kind: SegmentKind, begin: datetime, span_end: datetime) -> None:
        if result and result[-1].kind == kind and result[-1].end == begin:
            result[-1] = Segment(kind, result[-1].start, span_end)
        else:
            result.append(Segment(kind, begin, span_end))

    covered = start
    for begin, span_end, kind in pieces:
        if begin > covered:
            append("closed", covered, begin)
        append(kind, begin, span_end)
        covered = span_end
    if covered < end:
        append("closed", covered, end)
    return result


# --- Open spans and pauses, in UTC ---


def _open_spans(calendar: Calendar, start: datetime, stop: datetime) -> Iterator[_Span]:
    """The calendar's open intervals clipped to [start, stop), in order, one per interval of
    a day (adjacent ones are not merged)."""
    if start >= stop:
        return
    if calendar._always_open:
        yield start, stop
        return
    zone = calendar._zone
    # A day's intervals lie within its local midnights, so none before the day of `start`
    # reaches it; the day before is a margin for a midnight inside a repeated hour.
    day = start.astimezone(zone).date() - timedelta(days=1)
    while _instant(zone, day, 0) < stop:
        if day not in calendar.holidays:
            for opens, closes in calendar._week[day.weekday()]:
                begin = max(_instant(zone, day, opens), start)
                end = min(_instant(zone, day, closes), stop)
                if begin < end:
                    yield begin, end
        day += timedelta(days=1)


def _instant(zone: ZoneInfo, day: date, minute: int) -> datetime:
    """The first instant at which the local clock shows `minute` of `day` or later (see the
    module docstring): fold=0 for an ambiguous time, the jump for a nonexistent one."""
    local = datetime.combine(day, time(), tzinfo=zone) + timedelta(minutes=minute)
    before, after = local.utcoffset(), local.replace(fold=1).utcoffset()
    assert before is not None and after is not None
    if after <= before:  # an ordinary time, or the first occurrence of a repeated one
        return local.astimezone(UTC)
    # In a gap: the jump lies after the instant read with the new offset and at or before the
    # one read with the old; tz data changes offsets on whole seconds.
    low = int(local.replace(fold=1).astimezone(UTC).timestamp())
    high = int(local.astimezone(UTC).timestamp())
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, zone).utcoffset() == after:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


def _merge_pauses(pauses: Iterable[Pause]) -> list[_Span]:
    """Pauses in UTC, sorted, overlapping and touching ones merged; an open-ended one ends at
    _NEVER."""
    spans: list[_Span] = []
    for begin, end in pauses:
        begin = _utc(begin, "pause start")
        end = _NEVER if end is None else _utc(end, "pause end")
        if end < begin:
            raise ValueError(f"a pause ends ({end}) before it starts ({begin})")
        if end > begin:
            spans.append((begin, end))
    spans.sort()
    merged: list[_Span] = []
    for begin, end in spans:
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((begin, end))
    return merged


def _running(open_spans: Iterable[_Span], pauses: list[_Span]) -> Iterator[_Span]:
    """Open spans minus the (merged, sorted) pauses."""
    first = 0
    for begin, end in open_spans:
        while first < len(pauses) and pauses[first][1] <= begin:
            first += 1
        cursor = begin
        for pause_start, pause_end in pauses[first:]:
            if pause_start >= end or cursor >= end:
                break
            if pause_start > cursor:
                yield cursor, pause_start
            cursor = max(cursor, pause_end)
        if cursor < end:
            yield cursor, end


def _utc(moment: datetime, what: str) -> datetime:
    if not isinstance(moment, datetime) or moment.utcoffset() is None:
        raise ValueError(f"{what} must be a timezone-aware datetime, got {moment!r}")
    return moment.astimezone(UTC)


def _add_capped(moment: datetime, delta: timedelta) -> datetime:
    try:
        return min(moment + delta, _NEVER)
    except OverflowError:
        return _NEVER


# --- Parsing and validation ---


def _zone(name: str) -> ZoneInfo:
    if not isinstance(name, str) or not name:
        raise ValueError(f"time zone must be an IANA name like 'Europe/Berlin', got {name!r}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None


def _parse_week(
    hours: Mapping[str, Sequence[tuple[str, str]]],
) -> tuple[tuple[tuple[tuple[int, int], ...], ...], dict[str, tuple[tuple[str, str], ...]]]:
    if not isinstance(hours, Mapping):
        raise ValueError(f"hours must map days to intervals, not {type(hours).__name__}")
    for key in hours:
        if key not in DAYS:
            raise ValueError(f"unknown day {key!r} in hours; days are {', '.join(DAYS)}")
    week: list[tuple[tuple[int, int], ...]] = []
    normalised: dict[str, tuple[tuple[str, str], ...]] = {}
    for key in DAYS:
        intervals = _parse_day(key, hours.get(key) or ())
        week.append(_merge_touching(intervals))
        if intervals:
            normalised[key] = tuple((_format(opens), _format(closes)) for opens, closes in intervals)
    if not any(week):
        raise ValueError("a calendar needs at least one open interval")
    return tuple(week), normalised


def _parse_day(key: str, intervals: object) -> list[tuple[int, int]]:
    if isinstance(intervals, str | bytes) or not isinstance(intervals, Sequence):
        raise ValueError(f"{key}: intervals must be a list of [start, end] pairs, got {intervals!r}")
    parsed: list[tuple[int, int]] = []
    for interval in intervals:
        if isinstance(interval, str | bytes) or not isinstance(interval, Sequence) or len(interval) != 2:
            raise ValueError(f"{key}: an interval must be a [start, end] pair, got {interval!r}")
        opens, closes = _parse_time(key, interval[0]), _parse_time(key, interval[1])
        if closes <= opens:
            raise ValueError(f"{key}: interval {interval[0]}-{interval[1]} ends before it starts")
        parsed.append((opens, closes))
    parsed.sort()
    for (_, earlier_close), (later_open, _) in itertools.pairwise(parsed):
        if later_open < earlier_close:
            raise ValueError(f"{key}: intervals overlap ({_format(later_open)} is before {_format(earlier_close)})")
    return parsed


def _merge_touching(intervals: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for opens, closes in intervals:
        if merged and merged[-1][1] == opens:
            merged[-1] = (merged[-1][0], closes)
        else:
            merged.append((opens, closes))
    return tuple(merged)


def _parse_time(key: str, text: object) -> int:
    """Minutes of the day for "HH:MM", 00:00 to 24:00 (24:00 being the end of the day)."""
    match = _TIME.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"{key}: {text!r} is not a time like '09:00'")
    hour, minute = int(match[1]), int(match[2])
    if hour > 24 or minute > 59 or (hour == 24 and minute):
        raise ValueError(f"{key}: {text!r} is not a time of day (00:00 to 24:00)")
    return hour * 60 + minute


def _format(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _parse_date(text: object) -> date:
    if not isinstance(text, str) or not _DATE.fullmatch(text):
        raise ValueError(f"holiday {text!r} is not a date like '2026-12-25'")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"holiday {text!r} is not a date") from None


# 24/7, for a policy without a calendar: its arithmetic is plain timedelta arithmetic.
ALWAYS_OPEN = Calendar(timezone="UTC", hours={key: [("00:00", "24:00")] for key in DAYS})
